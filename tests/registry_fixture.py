"""A real OCI registry for tests, and a loopback HTTP proxy in front of it that injects faults.

``start_registry`` runs Debian's ``docker-registry`` (distribution 2.8) as a plain process on
127.0.0.1 with a temporary config and storage, optionally with htpasswd (bcrypt) auth, waits
until ``/v2/`` answers and returns a handle that stops it by PID. ``FaultProxy`` forwards HTTP
requests to it one by one and lets a test answer chosen requests with a 5xx or cut the
connection instead, or slip another manifest in at a tag around the client's own ``PUT``.
``Hostile`` is a bounded HTTP server of a test's own on a loopback address: it answers at most
``limit`` requests with the test's handler, records what it was sent, and stops with the test.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from programs import require

BINARY = "docker-registry"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


def require_registry_binary() -> str:
    """The registry binary, or skip (locally) / fail (CI, where .ci/run installs it)."""
    return require(BINARY, "docker-registry")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_htpasswd(path: Path, user: str, password: str) -> None:
    """Write a bcrypt htpasswd entry (distribution accepts bcrypt only).

    Apache's ``htpasswd`` writes it when installed (CI installs apache2-utils); otherwise the
    ``bcrypt`` package from the test extra does, so a machine with only Python runs these tests.
    """
    htpasswd = shutil.which("htpasswd")
    if htpasswd:
        result = subprocess.run(
            [htpasswd, "-B", "-i", "-n", user],
            input=password,
            capture_output=True,
            text=True,
            check=True,
        )
        path.write_text(result.stdout.strip() + "\n", encoding="utf-8")
        return
    bcrypt = pytest.importorskip(
        "bcrypt", reason="neither htpasswd (apache2-utils) nor the bcrypt package is installed"
    )
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()
    path.write_text(f"{user}:{hashed}\n", encoding="utf-8")


def serve(
    handler: type[http.server.BaseHTTPRequestHandler], address: str = "127.0.0.1"
) -> http.server.ThreadingHTTPServer:
    """A threaded HTTP server on a free port of ``address``, serving from a daemon thread."""
    server = http.server.ThreadingHTTPServer((address, 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@dataclass
class Registry:
    host: str
    process: subprocess.Popen[bytes]
    root: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/v2/", timeout=1) as reply:
            return reply.status == 200
    except urllib.error.HTTPError as exc:
        return exc.code == 401
    except OSError:
        return False


def start_registry(root: Path, *, htpasswd: Path | None = None, timeout: float = 20.0) -> Registry:
    binary = require_registry_binary()
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    auth = ""
    if htpasswd is not None:
        auth = f"auth:\n  htpasswd:\n    realm: test-registry\n    path: {htpasswd}\n"
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n" + auth,
        encoding="utf-8",
    )
    log = root / "registry.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve", str(config)], stdout=out, stderr=subprocess.STDOUT
        )
    registry = Registry(f"127.0.0.1:{port}", process, root, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _ready(registry.url):
            return registry
        time.sleep(0.05)
    registry.stop()
    raise RuntimeError(f"docker-registry did not start: {log.read_text(errors='replace')[-2000:]}")


# -- fault-injecting proxy ----------------------------------------------------------------------


@dataclass(frozen=True)
class Slip:
    """Put ``manifest`` at the requested tag behind the client's back.

    ``refuse``: put it first, then answer the client's own ``PUT`` with 409 (as a registry with
    immutable tags would, once another publish won); otherwise forward the client's ``PUT`` and
    put ``manifest`` right after it, so the other write lands last.
    """

    manifest: bytes
    refuse: bool


Fault = int | str | Slip | None
"""None passes the request on; an int answers with that status; "cut" closes the connection
before forwarding; "cut-after" forwards the request, then closes without replying; "cut-body"
forwards it and cuts the reply halfway; a :class:`Slip` writes another manifest at the tag."""


def put_manifest(upstream: str, path: str, manifest: bytes) -> int:
    host, _, port = upstream.partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request(
            "PUT",
            path,
            body=manifest,
            headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"},
        )
        reply = connection.getresponse()
        reply.read()
        return reply.status
    finally:
        connection.close()


@dataclass
class Seen:
    method: str
    path: str
    fault: Fault


@dataclass
class FaultProxy:
    """An HTTP/1.1 proxy on 127.0.0.1 in front of ``upstream`` (host:port)."""

    upstream: str
    decide: Callable[[str, str], Fault] = lambda method, path: None
    seen: list[Seen] = field(default_factory=list)
    rewrite: dict[str, str] = field(default_factory=dict)
    """Headers to replace in the replies to manifest ``PUT``s (a lying registry)."""
    hold: Callable[[http.server.BaseHTTPRequestHandler], bool | None] = lambda handler: None
    """Called before a request is forwarded, outside the proxy's lock: it may keep one request
    in flight (it must give up by itself) while others pass, or answer it itself and return
    True (the request is then not forwarded)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    chunks = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(chunks)
                        chunks.append(self.rfile.read(size))
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _cut(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _handle(self) -> None:
                body = self._body()
                if proxy.hold(self):
                    return
                with proxy.lock:
                    fault = proxy.decide(self.command, self.path)
                    proxy.seen.append(Seen(self.command, self.path, fault))
                if fault == "cut":
                    self._cut()
                    return
                if isinstance(fault, Slip) and fault.refuse:
                    put_manifest(proxy.upstream, self.path, fault.manifest)
                    fault = 409
                if isinstance(fault, int):
                    message = b'{"errors":[{"code":"UNAVAILABLE","message":"injected"}]}'
                    self.send_response(fault)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(message)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(message)
                    return
                host, _, port = proxy.upstream.partition(":")
                upstream = http.client.HTTPConnection(host, int(port), timeout=30)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                if body or self.command in {"PUT", "POST", "PATCH"}:
                    headers["Content-Length"] = str(len(body))
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                reply = upstream.getresponse()
                data = reply.read()
                upstream.close()
                if isinstance(fault, Slip):
                    put_manifest(proxy.upstream, self.path, fault.manifest)
                if fault == "cut-after":
                    self._cut()
                    return
                self.send_response(reply.status, reply.reason)
                lies = proxy.rewrite if self.command == "PUT" and "/manifests/" in self.path else {}
                for key, value in reply.getheaders():
                    if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                        self.send_header(key, lies.get(key, value))
                if self.command == "HEAD":
                    self.send_header("Content-Length", reply.getheader("Content-Length") or "0")
                else:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                if fault == "cut-body":
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self._cut()
                    return
                self.wfile.write(data)

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _handle

        self.server = serve(Handler)
        return self

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- hostile servers ----------------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]


Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Hostile:
    """A test's own HTTP server on ``address`` (loopback), bounded in requests and in time.

    ``handle`` writes each reply; after ``limit`` requests every further one is cut. ``stop``
    (or leaving the ``with``) ends it; a handler must itself give up by ``deadline``.
    """

    handle: Handler
    address: str = "127.0.0.1"
    limit: int = 50
    seconds: float = 60.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Hostile:
        server = self
        self.deadline = time.monotonic() + self.seconds

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _any(self) -> None:
                with server.lock:
                    server.received.append(Received(self.command, self.path, dict(self.headers)))
                    over = len(server.received) > server.limit
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(min(length, 1 << 24))
                if over or time.monotonic() > server.deadline:
                    self.close_connection = True
                    return
                self.close_connection = True
                with contextlib.suppress(OSError):
                    server.handle(self)

            do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = _any

        self.server = serve(Handler, self.address)
        return self

    @property
    def host(self) -> str:
        return f"{self.address}:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.deadline = 0.0
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Hostile:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def reply(
    handler: http.server.BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(body)
