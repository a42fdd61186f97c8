"""``--registry oci://HOST[:PORT]/PATH``: parsed and checked, and what its host is.

A URL that carries userinfo, a query or a fragment is refused (credentials and tokens do not go
in it), and a value that could hold one is not echoed back.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from tools.publish.credentials import CREDENTIALS_GO
from tools.publish.errors import PublishUsageError
from tools.publish.transport import valid_port


def _shown(text: str) -> str:
    """``--registry`` as given, unless it holds what could be a credential or a token."""
    if re.fullmatch(r"[A-Za-z0-9._:/\[\]-]*", text):
        return repr(text)
    return "(value not shown: it has characters a URL can carry credentials or tokens in)"


def is_loopback(host: str) -> bool:
    """``127.0.0.0/8``, ``::1`` or ``localhost`` (``host`` may carry a port).

    A trailing dot makes a name absolute, to be looked up in DNS: ``localhost.`` is not
    loopback.
    """
    name = _host_name(host).lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.partition(":")[0] if host.count(":") == 1 else host


def registry_identity(host: str, plain_http: bool) -> str:
    """One key per registry, however its host is spelled: the name lower-cased (a trailing dot
    dropped: ``fra.ocir.io.`` is ``fra.ocir.io``), the port explicit, and every loopback
    spelling (localhost, 127.0.0.0/8, ::1) the same."""
    default = "80" if plain_http else "443"
    if host.startswith("["):
        port = host.partition("]")[2].removeprefix(":") or default
    else:
        port = (host.partition(":")[2] if host.count(":") == 1 else "") or default
    name = "loopback" if is_loopback(host) else _host_name(host).lower().rstrip(".")
    return f"{name}:{port}"


def _check_host(host: str) -> None:
    """HOST[:PORT] as a URL carries it: a DNS name or IPv4 address, or a bracketed IPv6 one,
    and a port of 1-65535."""
    if host.startswith("["):
        address, _, rest = host[1:].partition("]")
        try:
            valid = isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address)
        except ValueError:
            valid = False
        if not valid or "%" in address:
            raise PublishUsageError(
                f"--registry host {_shown(host)}: brackets hold an IPv6 address "
                "(e.g. oci://[::1]:5000/charts); an IPv4 address or a name goes without them"
            )
        port: str | None = rest.removeprefix(":") if rest else None
        if rest and not rest.startswith(":"):
            port = rest
    else:
        name, colon, port_text = host.partition(":")
        if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or ":" in port_text:
            raise PublishUsageError(
                f"--registry host {_shown(host)} is not a host name or IP address "
                "(letters, digits, '.', '-'; an IPv6 address goes in brackets)"
            )
        port = port_text if colon else None
    if port is not None and not valid_port(port):
        raise PublishUsageError(
            f"--registry port {_shown(port)} is not a port number (1-65535), "
            "e.g. oci://127.0.0.1:5000/charts"
        )


@dataclass(frozen=True)
class RegistryRef:
    """``oci://HOST[:PORT]/PATH``: where charts go; a chart lands at ``PATH/<chart name>``."""

    host: str
    path: str

    @classmethod
    def parse(cls, text: str) -> RegistryRef:
        text = text.strip()
        if not text.startswith("oci://"):
            raise PublishUsageError(cls._form(text))
        netloc = re.split(r"[/?#]", text.removeprefix("oci://"), maxsplit=1)[0]
        if "@" in netloc:
            raise PublishUsageError(
                "--registry must not carry credentials (user:password@ in the URL is printed "
                f"in logs and visible in process lists); {CREDENTIALS_GO}"
            )
        if "?" in text or "#" in text:
            raise PublishUsageError(
                "--registry must not have a ?query or #fragment (a token there would be "
                f"printed and sent nowhere useful); {CREDENTIALS_GO}"
            )
        match = re.fullmatch(r"oci://([^/\s@]+)(/[^\s@:]*)?", text)
        if not match:
            raise PublishUsageError(cls._form(text))
        host, path = match.group(1), (match.group(2) or "").strip("/")
        _check_host(host)
        if "//" in path or not re.fullmatch(r"[a-z0-9._/-]*", path):
            raise PublishUsageError(
                f"--registry path {_shown(path)} is not a valid OCI repository path "
                "(lower-case letters, digits, '.', '_', '-' and '/')"
            )
        return cls(host=host, path=path)

    @staticmethod
    def _form(text: str) -> str:
        return (
            f"--registry {_shown(text)} is not of the form oci://HOST[:PORT]/PATH "
            "(e.g. oci://fra.ocir.io/mytenancy/charts); give the path without the "
            "chart name or version"
        )

    @property
    def url(self) -> str:
        return f"oci://{self.host}/{self.path}" if self.path else f"oci://{self.host}"

    def repository(self, chart: str) -> str:
        return f"{self.path}/{chart}" if self.path else chart
