"""A small OCI distribution client (plain ``urllib``) for the checks Helm cannot make for us.

``helm push`` overwrites an existing tag without a word, and says nothing about a registry's
state before it starts. This client answers the questions ``publish`` asks around the push:
is the registry reachable and are the credentials accepted (``GET /v2/``), does a tag exist
and what does it point at (``HEAD``/``GET`` a manifest), and what layers does a manifest
carry. It speaks Basic auth and the bearer-token flow registries such as OCIR, GHCR and
Docker Hub use, retries transient failures (5xx, 429, cut connections) with bounded backoff,
and turns every failure into a :class:`RegistryError` with a one-line message that never
contains a credential.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import re
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
PROV_LAYER = "application/vnd.cncf.helm.chart.provenance.v1.prov"
TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "todo-dapr-publish"


class RegistryError(Exception):
    """The registry could not be used; ``str()`` is a one-line message safe to print."""

    def __init__(self, message: str, *, transient: bool = False, status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.status = status


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = field(repr=False)

    def basic(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class Manifest:
    digest: str
    media_type: str
    data: dict[str, Any]

    def layers(self, media_type: str) -> list[dict[str, Any]]:
        layers = self.data.get("layers")
        if not isinstance(layers, list):
            return []
        return [x for x in layers if isinstance(x, dict) and x.get("mediaType") == media_type]


@dataclass(frozen=True)
class Retry:
    """Bounded exponential backoff: ``attempts`` tries, waits ``base``, ``2*base``, ..."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        return float(min(self.cap, self.base * (2**attempt)))


def _parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
    return scheme.lower(), params


def _reason(exc: BaseException) -> str:
    """A short, credential-free description of a network failure."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return _reason(exc.reason) if isinstance(exc.reason, BaseException) else str(exc.reason)
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by the registry"
    if isinstance(exc, http.client.RemoteDisconnected | http.client.IncompleteRead):
        return "the registry closed the connection mid-response"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed ({exc.reason or exc}); for a plain-HTTP registry use --plain-http"
    return exc.__class__.__name__ + (f": {exc}" if str(exc) else "")


class RegistryClient:
    """One registry host; ``repository`` arguments are paths like ``charts/todo-dapr``."""

    def __init__(
        self,
        host: str,
        *,
        plain_http: bool = False,
        credentials: Credentials | None = None,
        retry: Retry | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.host = host
        self.base = f"{'http' if plain_http else 'https'}://{host}"
        self.credentials = credentials
        self.retry = retry or Retry()
        self.timeout = timeout
        self._tokens: dict[str, str] = {}
        self._challenge: tuple[str, dict[str, str]] | None = None
        self._opener = urllib.request.build_opener(_NoRedirectAuth())

    # -- transport -------------------------------------------------------------------------

    def _once(self, method: str, url: str, headers: Mapping[str, str]) -> Response:
        request = urllib.request.Request(url, method=method, headers=dict(headers))
        request.add_header("User-Agent", USER_AGENT)
        try:
            with self._opener.open(request, timeout=self.timeout) as reply:
                return Response(reply.status, dict(reply.headers.items()), reply.read())
        except urllib.error.HTTPError as exc:
            body = exc.read() if exc.fp is not None else b""
            return Response(exc.code, dict(exc.headers.items()), body)
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            refused = isinstance(getattr(exc, "reason", exc), ConnectionRefusedError)
            raise RegistryError(
                f"registry {self.host} is not reachable: {_reason(exc)}", transient=not refused
            ) from None

    def _with_retry(self, method: str, url: str, headers: Mapping[str, str]) -> Response:
        attempt = 0
        while True:
            try:
                response = self._once(method, url, headers)
            except RegistryError as exc:
                if not exc.transient or attempt + 1 >= self.retry.attempts:
                    if exc.transient and attempt:
                        raise RegistryError(
                            f"{exc} (after {attempt + 1} attempts)", transient=True
                        ) from None
                    raise
            else:
                if response.status not in TRANSIENT_STATUS or attempt + 1 >= self.retry.attempts:
                    return response
            self.retry.sleep(self.retry.delay(attempt))
            attempt += 1

    def request(
        self, method: str, path: str, *, accept: str | None = None, scope: str | None = None
    ) -> Response:
        """Send a request, answering one auth challenge; transient failures are retried."""
        url = self.base + path
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        auth = self._authorization(scope)
        if auth:
            headers["Authorization"] = auth
        response = self._with_retry(method, url, headers)
        if response.status == 401 and "Authorization" not in headers:
            challenge = response.headers.get("WWW-Authenticate") or response.headers.get(
                "Www-Authenticate", ""
            )
            self._challenge = _parse_challenge(challenge) if challenge else ("basic", {})
            auth = self._authorization(scope)
            if auth:
                headers["Authorization"] = auth
                response = self._with_retry(method, url, headers)
        if response.status == 401:
            raise RegistryError(self._unauthorized(), status=401)
        if response.status == 403:
            raise RegistryError(
                f"registry {self.host} answered 403 forbidden: the account may not "
                f"{'push to' if scope and 'push' in scope else 'read'} this repository",
                status=403,
            )
        if response.status in TRANSIENT_STATUS:
            reason = http.client.responses.get(response.status, "")
            raise RegistryError(
                f"registry {self.host} answered {response.status} {reason} "
                f"(after {self.retry.attempts} attempts)",
                transient=True,
                status=response.status,
            )
        return response

    def _unauthorized(self) -> str:
        if self.credentials is None:
            return (
                f"registry {self.host} answered 401 unauthorized and no credentials were "
                "given: run `helm registry login`, pass --username with --password-stdin, or "
                "set TODO_DAPR_REGISTRY_USERNAME and TODO_DAPR_REGISTRY_PASSWORD"
            )
        return (
            f"registry {self.host} answered 401 unauthorized: it refused the credentials "
            f"for user {self.credentials.username!r}"
        )

    def _authorization(self, scope: str | None) -> str | None:
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
        query = {"service": params.get("service", "")}
        if key:
            query["scope"] = key
        url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(query)
        headers = {"Authorization": self.credentials.basic()} if self.credentials else {}
        response = self._with_retry("GET", url, headers)
        if response.status in (401, 403):
            raise RegistryError(self._unauthorized(), status=response.status)
        if response.status != 200:
            raise RegistryError(
                f"registry {self.host} token service answered {response.status}",
                status=response.status,
            )
        try:
            data = json.loads(response.body)
            token = str(data.get("token") or data.get("access_token"))
        except (ValueError, AttributeError):
            raise RegistryError(f"registry {self.host} token service sent no token") from None
        self._tokens[key] = token
        return token

    # -- registry operations ---------------------------------------------------------------

    def ping(self) -> None:
        """Check the registry speaks the distribution API and accepts our credentials."""
        response = self.request("GET", "/v2/")
        if response.status != 200:
            raise RegistryError(
                f"registry {self.host} answered {response.status} to GET /v2/: "
                "not an OCI registry API endpoint",
                status=response.status,
            )

    def manifest(self, repository: str, reference: str) -> Manifest | None:
        """The manifest a tag or digest points at, or None when the registry has none."""
        response = self.request(
            "GET",
            f"/v2/{repository}/manifests/{urllib.parse.quote(reference, safe=':')}",
            accept=", ".join(MANIFEST_TYPES),
            scope=f"repository:{repository}:pull",
        )
        if response.status == 404:
            return None
        if response.status != 200:
            raise RegistryError(
                f"registry {self.host} answered {response.status} for manifest "
                f"{repository}:{reference}",
                status=response.status,
            )
        digest = "sha256:" + hashlib.sha256(response.body).hexdigest()
        header = response.headers.get("Docker-Content-Digest")
        if header and header != digest:
            raise RegistryError(
                f"registry {self.host} sent manifest bytes for {repository}:{reference} "
                f"that do not match its own digest header {header}"
            )
        try:
            data = json.loads(response.body)
        except ValueError:
            raise RegistryError(
                f"registry {self.host} sent a manifest for {repository}:{reference} "
                "that is not JSON"
            ) from None
        if not isinstance(data, dict):
            raise RegistryError(f"registry {self.host} sent a malformed manifest")
        media_type = response.headers.get("Content-Type", str(data.get("mediaType", "")))
        return Manifest(digest=digest, media_type=media_type, data=data)

    def blob(self, repository: str, digest: str) -> bytes:
        response = self.request(
            "GET", f"/v2/{repository}/blobs/{digest}", scope=f"repository:{repository}:pull"
        )
        if response.status != 200:
            raise RegistryError(
                f"registry {self.host} answered {response.status} for blob {digest}",
                status=response.status,
            )
        actual = "sha256:" + hashlib.sha256(response.body).hexdigest()
        if actual != digest:
            raise RegistryError(f"registry {self.host} sent blob {digest} with digest {actual}")
        return response.body


class _NoRedirectAuth(urllib.request.HTTPRedirectHandler):
    """Follow redirects (blob downloads often go to object storage) without the credentials."""

    def redirect_request(  # noqa: PLR0917 - the signature is urllib's
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if (
            new is not None
            and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc
        ):
            new.remove_header("Authorization")
        return new
