"""A small OCI distribution client (``http.client``) that publishes a chart without overwriting.

``publish`` uploads through this client, not through ``helm push`` (which pushes by tag and
moves an existing tag without a word): blobs go up with the distribution API (``HEAD`` to skip
blobs the registry has, ``POST`` an upload, ``PUT`` it with its digest), the manifest is put by
digest, and only then is the tag set and read back. The client also answers the questions asked
around that: is the registry reachable and are the credentials accepted (``GET /v2/``), what a
tag or digest points at, and what a blob holds.

Every exchange is bounded. A response body is read in chunks up to a cap chosen by what it is
(:data:`SMALL_BODY` for pings, tokens and errors, :data:`MANIFEST_BODY` for manifests, the
declared size for a blob, whose digest is then checked); a request has one overall deadline
(a watchdog closes the connection when it passes, so a server that drips a byte a second cannot
hold it), and a :class:`Deadline` shared by all requests bounds the whole publish, retries and
their backoff included.

Credentials go to the registry's own origin only, or to a bearer-token realm over https; a realm
on another host over plain HTTP gets none (the request is refused). A redirect to another origin
is followed without them. A header value with characters HTTP does not allow (a token carrying
CR LF) is refused before it is sent; a ``Location`` or realm that is not a usable http(s) URL,
and JSON nested too deeply to parse, are refused too. Every failure is a :class:`RegistryError`
whose one-line message never contains a credential or a token.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import http.client
import ipaddress
import json
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.core.terminal_text import visible

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST)
"""Every kind a tag can hold: a registry answers 404 for a kind the request does not accept, so
an existence check that left one out would call a taken tag free."""
ARTIFACT_KINDS = {
    OCI_MANIFEST: "an OCI image manifest",
    OCI_INDEX: "an OCI image index",
    DOCKER_MANIFEST: "a Docker image manifest",
    DOCKER_LIST: "a Docker manifest list",
}
CONFIG_TYPE = "application/vnd.cncf.helm.config.v1+json"
CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
PROV_LAYER = "application/vnd.cncf.helm.chart.provenance.v1.prov"
TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "todo-dapr-publish"

SMALL_BODY = 64 * 1024
"""Cap for ping, token and error bodies: a few hundred bytes in practice."""
MANIFEST_BODY = 4 * 1024 * 1024
"""Cap for a manifest, the limit ``distribution`` itself enforces."""
CHUNK = 64 * 1024
MAX_REDIRECTS = 5
REQUEST_TIMEOUT = 60.0
MAX_PORT = 65535
BEARER_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]+=*")
"""RFC 6750 ``b64token``: what may follow ``Bearer `` in an Authorization header."""
FIELD_VALUE = re.compile(r"[\x20-\x7e\t]*")
"""RFC 7230 header field value (visible ASCII, space, tab): no CR, LF or other control."""


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
    url: str = ""

    def header(self, name: str) -> str:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), "")


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor, serialised in the field order Go's image-spec types use."""

    media_type: str
    digest: str
    size: int

    @classmethod
    def of(cls, media_type: str, data: bytes) -> Descriptor:
        return cls(media_type, sha256_digest(data), len(data))

    def as_json(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


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


class Deadline:
    """One overall time limit, shared by every request, retry and subprocess of a publish."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def cap(self, seconds: float) -> float:
        """``seconds``, or less when the overall deadline comes sooner (never below zero)."""
        left = self.remaining()
        return max(0.0, seconds if left is None else min(seconds, left))

    @property
    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0


def load_json(data: bytes | str) -> Any:
    """``json.loads``, with nesting too deep for the parser a ValueError like any other bad JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def artifact_kind(media_type: str) -> str:
    """What a manifest media type holds, in words."""
    kind = ARTIFACT_KINDS.get(media_type.partition(";")[0].strip())
    return kind or f"an artifact of type {_printable(media_type or 'unknown', 80)!r}"


def valid_port(text: str) -> bool:
    return text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_PORT


def checked_url(url: str) -> urllib.parse.SplitResult | None:
    """``url`` split, if it is an http(s) URL ``http.client`` can connect to; None otherwise."""
    if not FIELD_VALUE.fullmatch(url) or " " in url or "\t" in url:
        return None
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if port is not None and not 1 <= port <= MAX_PORT:
        return None
    netloc = parts.netloc.rpartition("@")[2]
    if netloc.startswith("["):
        try:
            ipaddress.IPv6Address(netloc[1:].partition("]")[0])
        except ValueError:
            return None
    elif not re.fullmatch(r"[A-Za-z0-9._-]+(:[0-9]*)?", netloc):
        return None
    return parts


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_manifest(
    config: Descriptor, layers: list[Descriptor], annotations: Mapping[str, str]
) -> bytes:
    """The manifest bytes Helm writes: Go's ``json.Marshal`` of an image-spec ``Manifest``.

    Helm 3.17 and 4 leave ``mediaType`` unset (so it is omitted), sort the layers by digest,
    and Go writes map keys sorted and ``<``, ``>``, ``&`` escaped.
    """
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "config": config.as_json(),
        "layers": [d.as_json() for d in sorted(layers, key=lambda d: d.digest)],
    }
    if annotations:
        manifest["annotations"] = dict(sorted(annotations.items()))
    return go_json(manifest)


def go_json(value: Any) -> bytes:
    """Compact JSON as Go's ``encoding/json`` writes it (HTML-safe escapes, UTF-8 kept)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text.encode("utf-8")


def _parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    scheme, _, rest = header.strip().partition(" ")
    params = dict(re.findall(r'(\w+)="([^"]*)"', rest))
    return scheme.lower(), params


def _printable(text: str, limit: int = 200) -> str:
    """Server-supplied text made one safe line: control characters escaped, length capped."""
    return visible(text[:limit]) + ("..." if len(text) > limit else "")


def _origin(url: str) -> tuple[str, str]:
    """Scheme and ``host:port`` (default port filled in): what credentials are bound to."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        return scheme, parts.netloc.lower()
    host = (parts.hostname or "").lower()
    return scheme, (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")


def _reason(exc: BaseException) -> str:
    """A short, credential-free description of a network failure."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError | BrokenPipeError):
        return "connection reset by the registry"
    if isinstance(exc, http.client.RemoteDisconnected | http.client.IncompleteRead):
        return "the registry closed the connection mid-response"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, socket.gaierror):
        return "host name not found"
    if isinstance(exc, ssl.SSLError):
        reason = exc.reason or exc.__class__.__name__
        return f"TLS failed ({reason}); for a plain-HTTP registry on this machine use --plain-http"
    if isinstance(exc, http.client.HTTPException):
        return f"the registry sent a malformed HTTP response ({exc.__class__.__name__})"
    return exc.__class__.__name__


@dataclass(frozen=True)
class _Call:
    """One request as sent: what retries repeat and redirects rewrite."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    limit: int
    what: str


class _Watchdog:
    """Shut a socket down when the request's deadline passes.

    A socket timeout bounds one read; a server that sends a byte just inside it every time would
    hold the request for ever. The watchdog bounds the whole exchange, headers and body.
    """

    def __init__(self, sock: socket.socket | None, seconds: float) -> None:
        self.sock = sock
        self.fired = False
        self.timer = threading.Timer(max(0.0, seconds), self._fire)
        self.timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


class RegistryClient:
    """One registry host; ``repository`` arguments are paths like ``charts/todo-dapr``."""

    def __init__(
        self,
        host: str,
        *,
        plain_http: bool = False,
        credentials: Credentials | None = None,
        retry: Retry | None = None,
        timeout: float = REQUEST_TIMEOUT,
        deadline: Deadline | None = None,
    ) -> None:
        self.host = host
        self.base = f"{'http' if plain_http else 'https'}://{host}"
        self.credentials = credentials
        self.retry = retry or Retry()
        self.timeout = timeout
        self.deadline = deadline or Deadline(None)
        self._tokens: dict[str, str] = {}
        self._challenge: tuple[str, dict[str, str]] | None = None

    # -- transport -------------------------------------------------------------------------

    def _timed_out(self, what: str) -> RegistryError:
        if self.deadline.expired:
            return RegistryError(
                f"registry {self.host}: the publish deadline of {self.deadline.seconds:g} s "
                f"(--timeout) passed during {what}"
            )
        return RegistryError(
            f"registry {self.host} did not complete {what} within {self.timeout:g} s",
            transient=True,
        )

    def _connection(self, url: str, seconds: float) -> tuple[http.client.HTTPConnection, str]:
        parts = checked_url(url)
        if parts is None:
            raise RegistryError(
                f"registry {self.host} sent a URL this client cannot connect to "
                f"({_printable(url)}); refused"
            )
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        port = parts.port
        if parts.scheme == "https":
            context = ssl.create_default_context()
            return (
                http.client.HTTPSConnection(
                    parts.hostname or "", port, timeout=seconds, context=context
                ),
                target,
            )
        if parts.scheme == "http":
            return http.client.HTTPConnection(parts.hostname or "", port, timeout=seconds), target
        raise RegistryError(f"registry {self.host} sent a {parts.scheme or 'relative'} URL")

    def _once(self, call: _Call) -> Response:
        """One exchange on a fresh connection, within the request deadline."""
        seconds = self.deadline.cap(self.timeout)
        if seconds <= 0:
            raise self._timed_out(call.what)
        end = time.monotonic() + seconds
        sent = {"User-Agent": USER_AGENT, "Connection": "close", **call.headers}
        for name, value in sent.items():
            if not FIELD_VALUE.fullmatch(value):
                raise RegistryError(
                    f"registry {self.host}: the {name} header for {call.what} would carry "
                    "characters HTTP does not allow in a header; not sent"
                )
        try:
            connection, target = self._connection(call.url, seconds)
        except (ValueError, http.client.HTTPException):
            raise RegistryError(
                f"registry {self.host} sent a URL this client cannot connect to "
                f"({_printable(call.url)}); refused"
            ) from None
        watchdog: _Watchdog | None = None
        try:
            connection.connect()
            watchdog = _Watchdog(connection.sock, end - time.monotonic())
            with watchdog:
                connection.request(call.method, target, body=call.body, headers=sent)
                reply = connection.getresponse()
                data = b"" if call.method == "HEAD" else self._read(reply, watchdog, call, end)
            if watchdog.fired:
                raise self._timed_out(call.what)
            return Response(reply.status, dict(reply.getheaders()), data, call.url)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if (watchdog is not None and watchdog.fired) or time.monotonic() >= end:
                raise self._timed_out(call.what) from None
            if isinstance(exc, ValueError):
                raise RegistryError(
                    f"registry {self.host}: {call.what} could not be sent or its answer read "
                    f"({exc.__class__.__name__})"
                ) from None
            refused = isinstance(exc, ConnectionRefusedError)
            raise RegistryError(
                f"registry {self.host} is not reachable: {_reason(exc)}", transient=not refused
            ) from None
        finally:
            connection.close()

    def _read(
        self, reply: http.client.HTTPResponse, watchdog: _Watchdog, call: _Call, end: float
    ) -> bytes:
        """At most ``limit`` bytes of the body, in chunks; a success body over it is refused."""
        limit, what = call.limit, call.what
        ok = 200 <= reply.status < 300
        declared = reply.getheader("Content-Length") or ""
        if ok and declared.isdigit() and int(declared) > limit:
            raise RegistryError(
                f"registry {self.host} announced {int(declared)} bytes for {what}, more than "
                f"the {limit} it may have; not reading it"
            )
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            left = end - time.monotonic()
            if left <= 0 or watchdog.fired:
                raise TimeoutError
            if watchdog.sock is not None:
                watchdog.sock.settimeout(left)
            chunk = reply.read1(min(CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total <= limit:
            return b"".join(chunks)
        if ok:
            raise RegistryError(
                f"registry {self.host} sent more than {limit} bytes for {what}; stopped reading"
            )
        return b"".join(chunks)[:limit]

    def _with_retry(self, call: _Call) -> Response:
        attempt = 0
        while True:
            try:
                response = self._follow(call)
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
            delay = self.retry.delay(attempt)
            if self.deadline.cap(delay) < delay:
                raise self._timed_out(call.what)
            self.retry.sleep(delay)
            attempt += 1

    def _follow(self, call: _Call) -> Response:
        """Follow redirects of reads (blobs often live in object storage), dropping the
        credentials once they leave the registry's origin."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self._once(call)
            location = response.header("Location")
            if response.status not in REDIRECT_STATUS or call.method not in ("GET", "HEAD"):
                return response
            if not location:
                return response
            target = self._location(call.url, location, f"redirect of {call.what}")
            scheme = _origin(target)[0]
            if scheme == "http" and _origin(call.url)[0] == "https":
                raise RegistryError(
                    f"registry {self.host} redirected {call.what} from https to plain HTTP; refused"
                )
            headers = dict(call.headers)
            if _origin(target) != _origin(self.base):
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            call = dataclasses.replace(call, url=target, headers=headers)
        raise RegistryError(
            f"registry {self.host} redirected {call.what} more than {MAX_REDIRECTS} times"
        )

    def _location(self, base: str, location: str, what: str) -> str:
        """A ``Location`` the registry sent, resolved; refused unless it is a usable http(s) URL."""
        try:
            target = urllib.parse.urljoin(base, location)
        except ValueError:
            target = ""
        if not target or checked_url(target) is None:
            raise RegistryError(
                f"registry {self.host} sent a Location for the {what} that is not a usable "
                f"http(s) URL ({_printable(location)}); refused"
            )
        return target

    def request(
        self,
        method: str,
        path: str,
        *,
        accept: str | None = None,
        scope: str | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        limit: int = SMALL_BODY,
        what: str = "the request",
        retry: bool = True,
    ) -> Response:
        """Send a request (``path`` on the registry, or a full URL on its origin), answering
        one auth challenge; transient failures are retried unless ``retry`` is off."""
        try:
            return self._request(
                method,
                path,
                accept=accept,
                scope=scope,
                body=body,
                content_type=content_type,
                limit=limit,
                what=what,
                retry=retry,
            )
        except (ValueError, RecursionError, http.client.HTTPException) as exc:
            raise RegistryError(
                f"registry {self.host} sent something this client cannot use during {what} "
                f"({exc.__class__.__name__}); refused"
            ) from None

    def _request(
        self,
        method: str,
        path: str,
        *,
        accept: str | None,
        scope: str | None,
        body: bytes | None,
        content_type: str | None,
        limit: int,
        what: str,
        retry: bool,
    ) -> Response:
        url = path if "://" in path else self.base + path
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if content_type:
            headers["Content-Type"] = content_type
        if body is not None:
            headers["Content-Length"] = str(len(body))
        own = _origin(url) == _origin(self.base)
        auth = self._authorization(scope) if own else None
        if auth:
            headers["Authorization"] = auth
        send = self._with_retry if retry else self._follow
        response = send(_Call(method, url, dict(headers), body, limit, what))
        renewable = auth is not None and auth.startswith("Bearer ")
        if response.status == 401 and own and ("Authorization" not in headers or renewable):
            # No credentials sent yet, or a cached bearer token that has expired (tokens
            # live minutes; the gate between two requests can take longer): answer the
            # challenge once with fresh ones.
            challenge = response.header("WWW-Authenticate")
            self._challenge = _parse_challenge(challenge) if challenge else ("basic", {})
            if renewable:
                self._tokens.clear()
            auth = self._authorization(scope)
            if auth:
                headers["Authorization"] = auth
                response = send(_Call(method, url, dict(headers), body, limit, what))
        return self._checked(response, scope, what, retry)

    def _checked(self, response: Response, scope: str | None, what: str, retry: bool) -> Response:
        if response.status == 401:
            raise RegistryError(self._unauthorized(), status=401)
        if response.status == 403:
            raise RegistryError(
                f"registry {self.host} answered 403 forbidden to {what}: the account may not "
                f"{'push to' if scope and 'push' in scope else 'read'} this repository",
                status=403,
            )
        if response.status in TRANSIENT_STATUS:
            tries = f" (after {self.retry.attempts} attempts)" if retry else ""
            raise RegistryError(
                f"registry {self.host} answered {self._status(response)} to {what}{tries}",
                transient=True,
                status=response.status,
            )
        return response

    def _expect(self, response: Response, status: int, request: str) -> None:
        """Refuse any other status (a transient one was already raised, or retried, by
        ``_checked``); ``request`` says what was asked, e.g. ``"for blob sha256:..."``."""
        if response.status != status:
            raise RegistryError(
                f"registry {self.host} answered {self._status(response)} {request}",
                status=response.status,
            )

    def _status(self, response: Response) -> str:
        """``503 Service Unavailable``, with the registry's own error code and message."""
        words = f"{response.status} {http.client.responses.get(response.status, '')}".strip()
        try:
            errors = load_json(response.body).get("errors") or []
            first = errors[0]
            detail = f"{first.get('code', '')}: {first.get('message', '')}".strip(": ")
        except (ValueError, AttributeError, IndexError, TypeError, KeyError):
            detail = ""
        return f"{words} ({_printable(detail)})" if detail else words

    def _unauthorized(self) -> str:
        if self.credentials is None:
            return (
                f"registry {self.host} answered 401 unauthorized and no credentials were "
                "given: run `helm registry login`, pass --username with --password-stdin, or "
                "set TODO_DAPR_REGISTRY_USERNAME and TODO_DAPR_REGISTRY_PASSWORD"
            )
        return (
            f"registry {self.host} answered 401 unauthorized: it refused the credentials "
            f"for user {_printable(self.credentials.username)!r}"
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
        if checked_url(realm) is None:
            raise RegistryError(
                f"registry {self.host} named a token realm that is not a usable http(s) URL "
                f"({_printable(realm)}); refused"
            )
        realm_scheme, realm_host = _origin(realm)
        if realm_scheme != "https" and (realm_scheme, realm_host) != _origin(self.base):
            raise RegistryError(
                f"registry {self.host} sent credentials to be exchanged for a token at "
                f"{_printable(realm_host)} over plain HTTP; refused: credentials go only to the "
                "registry itself or to a token service over https"
            )
        query = {"service": params.get("service", "")}
        if key:
            query["scope"] = key
        url = realm + ("&" if "?" in realm else "?") + urllib.parse.urlencode(query)
        headers = {"Authorization": self.credentials.basic()} if self.credentials else {}
        response = self._with_retry(
            _Call("GET", url, headers, None, SMALL_BODY, "the token request")
        )
        if response.status in (401, 403):
            raise RegistryError(self._unauthorized(), status=response.status)
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

    # -- registry operations ---------------------------------------------------------------

    def ping(self) -> None:
        """Check the registry speaks the distribution API and accepts our credentials."""
        response = self.request("GET", "/v2/", what="GET /v2/")
        if response.status != 200:
            raise RegistryError(
                f"registry {self.host} answered {response.status} to GET /v2/: "
                "not an OCI registry API endpoint",
                status=response.status,
            )

    def manifest(self, repository: str, reference: str) -> Manifest | None:
        """The manifest a tag or digest points at, or None when the registry has none.

        Every manifest kind is accepted (see :data:`MANIFEST_TYPES`); only a 404 means absent.
        """
        response = self._manifest_response(repository, reference)
        if response is None:
            return None
        what = f"manifest {repository}:{reference}"
        try:
            data = load_json(response.body)
        except ValueError:
            raise RegistryError(f"registry {self.host} sent a {what} that is not JSON") from None
        if not isinstance(data, dict):
            raise RegistryError(f"registry {self.host} sent a malformed {what}")
        media_type = response.header("Content-Type") or str(data.get("mediaType", ""))
        return Manifest(digest=sha256_digest(response.body), media_type=media_type, data=data)

    def tagged(self, repository: str, tag: str) -> Manifest | None:
        """What the tag holds, or None only when the registry answers 404: any 200 is a taken
        tag, whatever its media type or body."""
        response = self._manifest_response(repository, tag)
        if response is None:
            return None
        try:
            data = load_json(response.body)
        except ValueError:
            data = None
        media_type = response.header("Content-Type")
        if isinstance(data, dict):
            media_type = media_type or str(data.get("mediaType", ""))
        return Manifest(
            digest=sha256_digest(response.body),
            media_type=media_type,
            data=data if isinstance(data, dict) else {},
        )

    def _manifest_response(self, repository: str, reference: str) -> Response | None:
        what = f"manifest {repository}:{reference}"
        response = self.request(
            "GET",
            f"/v2/{repository}/manifests/{urllib.parse.quote(reference, safe=':')}",
            accept=", ".join(MANIFEST_TYPES),
            scope=f"repository:{repository}:pull",
            limit=MANIFEST_BODY,
            what=what,
        )
        if response.status == 404:
            return None
        self._expect(response, 200, f"for {what}")
        digest = sha256_digest(response.body)
        header = response.header("Docker-Content-Digest")
        if header and header != digest:
            raise RegistryError(
                f"registry {self.host} sent manifest bytes for {repository}:{reference} "
                f"({digest}) that do not match its own digest header {_printable(header)}"
            )
        if reference.startswith("sha256:") and reference != digest:
            raise RegistryError(
                f"registry {self.host} answered {what} with bytes whose digest is {digest}"
            )
        return response

    def blob(self, repository: str, digest: str, size: int) -> bytes:
        """A blob's bytes: at most the ``size`` its descriptor declares, digest-checked."""
        what = f"blob {digest}"
        response = self.request(
            "GET",
            f"/v2/{repository}/blobs/{digest}",
            scope=f"repository:{repository}:pull",
            limit=size,
            what=what,
        )
        self._expect(response, 200, f"for {what}")
        actual = sha256_digest(response.body)
        if actual != digest:
            raise RegistryError(f"registry {self.host} sent {what} with digest {actual}")
        return response.body

    def has_blob(self, repository: str, descriptor: Descriptor) -> bool:
        response = self.request(
            "HEAD",
            f"/v2/{repository}/blobs/{descriptor.digest}",
            scope=f"repository:{repository}:pull,push",
            what=f"HEAD blob {descriptor.digest}",
        )
        if response.status == 404:
            return False
        length = response.header("Content-Length")
        return response.status == 200 and (not length or length == str(descriptor.size))

    def upload_blob(self, repository: str, descriptor: Descriptor, data: bytes) -> None:
        """Upload one blob (monolithic ``POST`` + ``PUT``) unless the registry has it already.

        The pair is retried as a unit: an upload session cut halfway cannot be resumed, and a
        blob is content-addressed, so a new session with the same bytes is harmless.
        """
        scope = f"repository:{repository}:pull,push"
        for attempt in range(self.retry.attempts):
            if self.has_blob(repository, descriptor):
                return
            try:
                self._upload_once(repository, descriptor, data, scope)
                return
            except RegistryError as exc:
                if not exc.transient or attempt + 1 >= self.retry.attempts:
                    raise
            delay = self.retry.delay(attempt)
            if self.deadline.cap(delay) < delay:
                raise self._timed_out(f"the upload of blob {descriptor.digest}")
            self.retry.sleep(delay)

    def _upload_once(
        self, repository: str, descriptor: Descriptor, data: bytes, scope: str
    ) -> None:
        what = f"the upload of blob {descriptor.digest}"
        started = self.request(
            "POST",
            f"/v2/{repository}/blobs/uploads/",
            scope=scope,
            body=b"",
            what=what,
            retry=False,
        )
        location = started.header("Location")
        if started.status != 202 or not location:
            raise RegistryError(
                f"registry {self.host} answered {self._status(started)} to {what} "
                "(expected 202 with a Location)",
                status=started.status,
            )
        target = self._location(started.url, location, what)
        if _origin(target) != _origin(self.base):
            raise RegistryError(
                f"registry {self.host} sent {what} to another host "
                f"({_printable(_origin(target)[1])}); refused"
            )
        separator = "&" if urllib.parse.urlsplit(target).query else "?"
        url = f"{target}{separator}digest={urllib.parse.quote(descriptor.digest, safe='')}"
        done = self.request(
            "PUT",
            url,
            scope=scope,
            body=data,
            content_type="application/octet-stream",
            what=what,
            retry=False,
        )
        self._expect(done, 201, f"to {what}")

    def put_manifest(
        self, repository: str, reference: str, data: bytes, media_type: str, *, retry: bool = True
    ) -> str:
        """``PUT`` a manifest at a digest or tag; returns the digest the registry says it stored.

        A digest header that differs from the bytes we sent is refused: the registry stored
        something else.
        """
        what = f"PUT manifest {repository}:{reference}"
        response = self.request(
            "PUT",
            f"/v2/{repository}/manifests/{urllib.parse.quote(reference, safe=':')}",
            scope=f"repository:{repository}:pull,push",
            body=data,
            content_type=media_type,
            what=what,
            retry=retry,
        )
        self._expect(response, 201, f"to {what}")
        ours = sha256_digest(data)
        header = response.header("Docker-Content-Digest")
        if header and header != ours:
            raise RegistryError(
                f"registry {self.host} answered {what} ({ours}) saying it stored "
                f"{_printable(header)}"
            )
        return ours
