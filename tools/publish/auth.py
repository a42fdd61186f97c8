"""Registry authentication: basic credentials, and bearer tokens fetched from the realm a
registry's challenge names.

Credentials go to the registry's own origin only, or to a bearer-token realm over https; a realm
on another host over plain HTTP gets none (the request is refused). A token with characters a
bearer token cannot have is refused before it is sent.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

from tools.publish.oci import load_json
from tools.publish.transport import (
    SMALL_BODY,
    Call,
    RegistryError,
    Transport,
    checked_url,
    origin,
    printable,
)

BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")
"""RFC 6750 ``b64token``: what may follow ``Bearer `` in an Authorization header."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def basic(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"


def _parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
    return scheme.lower(), params


class Auth:
    """What one client sends in ``Authorization``: set once the registry has challenged."""

    def __init__(self, transport: Transport, credentials: Credentials | None) -> None:
        self.transport = transport
        self.host = transport.host
        self.credentials = credentials
        self._tokens: dict[str, str] = {}
        self._challenge: tuple[str, dict[str, str]] | None = None

    def challenged(self, header: str, *, renew: bool) -> None:
        """Take the registry's ``WWW-Authenticate`` challenge (none means basic); ``renew``
        drops the cached bearer tokens, which the registry no longer accepts."""
        self._challenge = _parse_challenge(header) if header else ("basic", {})
        if renew:
            self._tokens.clear()

    def unauthorized(self) -> str:
        if self.credentials is None:
            return (
                f"registry {self.host} answered 401 unauthorized and no credentials were "
                "given: run `helm registry login`, pass --username with --password-stdin, or "
                "set TODO_DAPR_REGISTRY_USERNAME and TODO_DAPR_REGISTRY_PASSWORD"
            )
        return (
            f"registry {self.host} answered 401 unauthorized: it refused the credentials "
            f"for user {printable(self.credentials.username)!r}"
        )

    def authorization(self, scope: str | None) -> str | None:
        if self._challenge is None or self.credentials is None:
            return None
        scheme, params = self._challenge
        if scheme == "basic":
            return self.credentials.basic()
        if scheme == "bearer":
            return f"Bearer {self._token(params, scope)}"
        return None

    def _token(self, params: Mapping[str, str], scope: str | None) -> str:
        key = scope or params.get("scope", "")
        if key in self._tokens:
            return self._tokens[key]
        realm = params.get("realm")
        if not realm:
            raise RegistryError(f"registry {self.host} asked for a bearer token without a realm")
        if checked_url(realm) is None:
            raise RegistryError(
                f"registry {self.host} named a token realm that is not a usable http(s) URL "
                f"({printable(realm)}); refused"
            )
        realm_scheme, realm_host = origin(realm)
        if realm_scheme != "https" and (realm_scheme, realm_host) != origin(self.transport.base):
            raise RegistryError(
                f"registry {self.host} sent credentials to be exchanged for a token at "
                f"{printable(realm_host)} over plain HTTP; refused: credentials go only to the "
                "registry itself or to a token service over https"
            )
        query = {"service": params.get("service", "")}
        if key:
            query["scope"] = key
        url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(query)
        headers = {"Authorization": self.credentials.basic()} if self.credentials else {}
        response = self.transport.with_retry(
            Call("GET", url, headers, None, SMALL_BODY, "the token request")
        )
        if response.status in (401, 403):
            raise RegistryError(self.unauthorized(), status=response.status)
        if response.status != 200:
            raise RegistryError(
                f"registry {self.host} token service answered {response.status}",
                status=response.status,
            )
        try:
            data = load_json(response.body)
            token = data.get("token") or data.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"registry {self.host} token service sent no token")
        if not BEARER_TOKEN.fullmatch(token):
            raise RegistryError(
                f"registry {self.host} token service sent a token with characters a bearer "
                "token cannot have (RFC 6750); refused, not sent"
            )
        self._tokens[key] = token
        return token
