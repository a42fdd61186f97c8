"""A tiny app for a real daprd to call: a threaded HTTP server on 127.0.0.1 that records every
request it gets (method, path, headers, JSON body) and answers each path with a status chosen by
the test.

``GET /dapr/subscribe`` answers ``[]`` (no programmatic subscriptions) and ``GET /dapr/config``
``{}`` unless the test says otherwise; every other request answers 200 with an empty JSON object,
or the status (and body) set for its path with :meth:`AppServer.respond`. ``OPTIONS`` requests
(daprd's probe of an input binding's route at start-up) answer 200 like any other.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Most of a request body kept (a CloudEvent of a test message is far smaller).
_MAX_BODY = 1 << 20


@dataclass(frozen=True)
class Request:
    """One request the app received."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    # The body parsed as JSON, or None when it is empty or not JSON.
    body: Any
    # time.monotonic() when it arrived.
    at: float

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class _Reply:
    status: int
    body: Any


@dataclass
class AppServer:
    """The running app: its port, what it has received, how it answers."""

    name: str
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _requests: list[Request] = field(default_factory=list)
    _replies: dict[str, _Reply] = field(default_factory=dict)

    @property
    def port(self) -> int:
        assert self._server is not None, "the app server is not started"
        return int(self._server.server_address[1])

    def respond(self, path: str, status: int, body: Any = None) -> None:
        """Answer every request for ``path`` (any method) with ``status`` and ``body`` (sent as
        JSON; None = ``{}``)."""
        with self._lock:
            self._replies[path] = _Reply(status, body)

    def _reply_for(self, method: str, path: str) -> _Reply:
        with self._lock:
            reply = self._replies.get(path)
        if reply is not None:
            return reply
        if method == "GET" and path == "/dapr/subscribe":
            return _Reply(200, [])
        return _Reply(200, {})

    def _record(self, request: Request) -> None:
        with self._lock:
            self._requests.append(request)
            self._lock.notify_all()

    def requests(self, predicate: Callable[[Request], bool] | None = None) -> list[Request]:
        """A copy of the requests received so far (those ``predicate`` accepts), oldest first."""
        with self._lock:
            return [r for r in self._requests if predicate is None or predicate(r)]

    def wait_for(
        self,
        predicate: Callable[[Request], bool],
        *,
        deadline_s: float,
        count: int = 1,
    ) -> list[Request]:
        """The requests ``predicate`` accepts, once there are at least ``count`` of them; at
        ``deadline_s`` seconds, whatever there is (possibly fewer: the caller asserts)."""
        end = time.monotonic() + deadline_s
        with self._lock:
            while True:
                found = [r for r in self._requests if predicate(r)]
                left = end - time.monotonic()
                if len(found) >= count or left <= 0:
                    return found
                self._lock.wait(timeout=left)

    def start(self) -> None:
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(length, _MAX_BODY)) if length > 0 else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                path = self.path.split("?", 1)[0]
                app._record(
                    Request(
                        self.command, path, dict(self.headers.items()), raw, body, time.monotonic()
                    )
                )
                reply = app._reply_for(self.command, path)
                data = json.dumps({} if reply.body is None else reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the requests are recorded; no noise on stderr

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name=f"app-{self.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


@contextmanager
def app_server(name: str) -> Iterator[AppServer]:
    """An :class:`AppServer` on a free port of 127.0.0.1, stopped on exit."""
    app = AppServer(name)
    app.start()
    try:
        yield app
    finally:
        app.stop()
