"""One bounded HTTP exchange with a registry, and the retries and redirects around it.

A response body is read in chunks up to a cap chosen by the caller; a request has one overall
deadline (a watchdog closes the connection when it passes, so a server that drips a byte a
second cannot hold it), and the shared :class:`Deadline` bounds retries and their backoff too.
A header value with characters HTTP does not allow is refused before it is sent; a ``Location``
that is not a usable http(s) URL is refused; a redirect to another origin is followed without
the credentials. Every failure is a :class:`RegistryError` whose one-line message never holds a
credential or a token.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from tools.core.terminal_text import visible
from tools.publish.bounds import Deadline, Retry

TRANSIENT_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "todo-dapr-publish"
SMALL_BODY = 64 * 1024
"""Cap for ping, token and error bodies: a few hundred bytes in practice."""
CHUNK = 64 * 1024
MAX_REDIRECTS = 5
REQUEST_TIMEOUT = 60.0
MAX_PORT = 65535
FIELD_VALUE = re.compile(r"[\x20-\x7e\t]*")
"""RFC 7230 header field value (visible ASCII, space, tab): no CR, LF or other control."""


class RegistryError(Exception):
    """The registry could not be used; ``str()`` is a one-line message safe to print."""

    def __init__(self, message: str, *, transient: bool = False, status: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.status = status


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str = ""

    def header(self, name: str) -> str:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), "")


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


def printable(text: str, limit: int = 200) -> str:
    """Server-supplied text made one safe line: control characters escaped, length capped."""
    return visible(text[:limit]) + ("..." if len(text) > limit else "")


def origin(url: str) -> tuple[str, str]:
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
class Call:
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


class Transport:
    """Requests to one registry host, bounded by a per-request timeout and the shared deadline."""

    def __init__(
        self, host: str, base: str, retry: Retry, timeout: float, deadline: Deadline
    ) -> None:
        self.host = host
        self.base = base
        self.retry = retry
        self.timeout = timeout
        self.deadline = deadline

    def timed_out(self, what: str) -> RegistryError:
        if self.deadline.expired:
            return RegistryError(
                f"registry {self.host}: {self.deadline.phrase} passed during {what}"
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
                f"({printable(url)}); refused"
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

    def _once(self, call: Call) -> Response:
        """One exchange on a fresh connection, within the request deadline."""
        seconds = self.deadline.cap(self.timeout)
        if seconds <= 0:
            raise self.timed_out(call.what)
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
                f"({printable(call.url)}); refused"
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
                raise self.timed_out(call.what)
            return Response(reply.status, dict(reply.getheaders()), data, call.url)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if (watchdog is not None and watchdog.fired) or time.monotonic() >= end:
                raise self.timed_out(call.what) from None
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
        self, reply: http.client.HTTPResponse, watchdog: _Watchdog, call: Call, end: float
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

    def with_retry(self, call: Call) -> Response:
        attempt = 0
        while True:
            try:
                response = self.follow(call)
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
                raise self.timed_out(call.what)
            self.retry.sleep(delay)
            attempt += 1

    def follow(self, call: Call) -> Response:
        """Follow redirects of reads (blobs often live in object storage), dropping the
        credentials once they leave the registry's origin."""
        for _ in range(MAX_REDIRECTS + 1):
            response = self._once(call)
            location = response.header("Location")
            if response.status not in REDIRECT_STATUS or call.method not in ("GET", "HEAD"):
                return response
            if not location:
                return response
            target = self.location(call.url, location, f"redirect of {call.what}")
            scheme = origin(target)[0]
            if scheme == "http" and origin(call.url)[0] == "https":
                raise RegistryError(
                    f"registry {self.host} redirected {call.what} from https to plain HTTP; refused"
                )
            headers = dict(call.headers)
            if origin(target) != origin(self.base):
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            call = dataclasses.replace(call, url=target, headers=headers)
        raise RegistryError(
            f"registry {self.host} redirected {call.what} more than {MAX_REDIRECTS} times"
        )

    def location(self, base: str, location: str, what: str) -> str:
        """A ``Location`` the registry sent, resolved; refused unless it is a usable http(s) URL."""
        try:
            target = urllib.parse.urljoin(base, location)
        except ValueError:
            target = ""
        if not target or checked_url(target) is None:
            raise RegistryError(
                f"registry {self.host} sent a Location for the {what} that is not a usable "
                f"http(s) URL ({printable(location)}); refused"
            )
        return target
