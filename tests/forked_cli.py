"""``python -m tools`` for the tests, each call a process forked from one that imported it already.

Every call is still a process of its own: its own working directory, environment, standard
streams (files, so never a terminal, like a subprocess's pipes), exit status, module state as
imported, and ``atexit`` handlers run at its exit. What is shared is the interpreter start and
the imports: about 0.15 s of CPU for a ``validate``, 0.35 s for a command that imports pyhelm3,
paid once per pytest worker instead of once per call (the suite makes about ninety).

The server is this file run as a script, one per worker. It reads one JSON request per line on
its standard input and answers on its standard output with the child's pid, then its exit status.
A call the fork cannot reproduce runs as a real subprocess instead: one whose environment changes
how the interpreter starts (a ``PYTHON*`` variable that differs from the server's, or a
``PYTHONPATH`` entry the server does not have). ``TODO_DAPR_TEST_FRESH_PYTHON=1`` sends every call
there.
"""

from __future__ import annotations

import atexit
import importlib
import io
import json
import os
import pkgutil
import runpy
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
FRESH_ENV = "TODO_DAPR_TEST_FRESH_PYTHON"
# Variables a forked child cannot honour: they act while the interpreter starts.
STARTUP_PREFIX = "PYTHON"
# Imported by the server before it forks. Not ``tools.__main__``: importing it runs the CLI.
PRELOAD_EXTRA = ("pyhelm3", "yaml", "jsonschema_rs")


def command(args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "tools", *args]


# -- the server --------------------------------------------------------------------------------


def _preload() -> None:
    import tools

    for module in pkgutil.walk_packages(tools.__path__, "tools."):
        if module.name != "tools.__main__":
            importlib.import_module(module.name)
    for name in PRELOAD_EXTRA:
        importlib.import_module(name)


def _stream(fd: int, template: IO[str], *, reading: bool) -> io.TextIOWrapper:
    """A standard stream on ``fd`` made the way the interpreter made ``template``."""
    raw = io.FileIO(fd, "rb" if reading else "wb", closefd=False)
    buffered: Any = io.BufferedReader(raw) if reading else io.BufferedWriter(raw)
    return io.TextIOWrapper(
        buffered,
        encoding=template.encoding,
        errors=template.errors,
        line_buffering=bool(getattr(template, "line_buffering", False)),
        write_through=bool(getattr(template, "write_through", False)),
    )


def _exit_status(code: object) -> int:
    """What the interpreter makes of ``SystemExit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _child(request: dict[str, Any], channel: tuple[int, int]) -> None:
    """Become ``python -m tools ARGS`` as the request describes; never returns."""
    status = 1
    try:
        for fd in channel:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path, flags in (
            (0, request["stdin"], os.O_RDONLY),
            (1, request["stdout"], os.O_WRONLY),
            (2, request["stderr"], os.O_WRONLY),
        ):
            opened = os.open(path, flags)
            os.dup2(opened, fd)
            os.close(opened)
        templates = (sys.__stdin__, sys.__stdout__, sys.__stderr__)
        sys.stdin = sys.__stdin__ = _stream(0, templates[0] or sys.stdin, reading=True)
        sys.stdout = sys.__stdout__ = _stream(1, templates[1] or sys.stdout, reading=False)
        sys.stderr = sys.__stderr__ = _stream(2, templates[2] or sys.stderr, reading=False)
        # `python -m` puts the working directory first on the path.
        sys.path[0] = request["cwd"]
        sys.argv = [sys.argv[0], *request["args"]]
        try:
            runpy.run_module("tools", run_name="__main__", alter_sys=True)
            status = 0
        except SystemExit as exc:
            status = _exit_status(exc.code)
        except BaseException:  # what the interpreter does with an uncaught exception
            traceback.print_exc()
            status = 1
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
    finally:
        os._exit(status)


def serve() -> None:
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
    channel = (requests.fileno(), replies.fileno())
    quiet = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        os.dup2(quiet, fd)
    os.close(quiet)
    _preload()
    replies.write(b"ready\n")
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request, channel)
        replies.write(f"{pid}\n".encode())
        _, wait_status = os.waitpid(pid, 0)
        replies.write(f"{os.waitstatus_to_exitcode(wait_status)}\n".encode())


# -- the client --------------------------------------------------------------------------------


class _Server:
    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": _pythonpath(os.environ.get("PYTHONPATH"))}
        self.env = env
        self.process = subprocess.Popen(
            [sys.executable, __file__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
            env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests = self.process.stdin
        self.replies = self.process.stdout
        self.pending = b""
        if self._line(60) != b"ready":
            raise RuntimeError("the forked-CLI server did not start; run with -p no:xdist to see")
        self.path = self._server_path()
        self.lock = threading.Lock()

    def _server_path(self) -> set[str]:
        entries = self.env["PYTHONPATH"].split(os.pathsep)
        return {str(Path(e).resolve()) for e in entries if e}

    def can_run(self, env: Mapping[str, str]) -> bool:
        for key in set(env) | set(self.env):
            if not key.startswith(STARTUP_PREFIX) or key == "PYTHONPATH":
                continue
            if env.get(key) != self.env.get(key):
                return False
        wanted = [e for e in env.get("PYTHONPATH", "").split(os.pathsep) if e]
        return all(str(Path(e).resolve()) in self.path for e in wanted)

    def _line(self, timeout: float | None) -> bytes | None:
        """The server's next reply line, or None when ``timeout`` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.pending:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.replies], [], [], left)
            if not ready:
                return None
            chunk = os.read(self.replies.fileno(), 4096)
            if not chunk:
                raise RuntimeError("the forked-CLI server stopped")
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line

    def run(
        self,
        args: tuple[str, ...],
        cwd: Path,
        env: Mapping[str, str],
        input_text: str | None,
        timeout: float | None,
    ) -> subprocess.CompletedProcess[str]:
        with self.lock, tempfile.TemporaryDirectory(prefix="todo-dapr-cli-") as tmp:
            files = {name: Path(tmp) / name for name in ("stdin", "stdout", "stderr")}
            files["stdin"].write_text(input_text or "", encoding="utf-8")
            for name in ("stdout", "stderr"):
                files[name].touch()
            request = {
                "args": list(args),
                "cwd": str(cwd),
                "env": dict(env),
                **{name: str(path) for name, path in files.items()},
            }
            self.requests.write(json.dumps(request).encode() + b"\n")
            self.requests.flush()
            pid = int(self._line(None) or b"0")
            status_line = self._line(timeout)
            if status_line is None:
                os.kill(pid, signal.SIGKILL)
                self._line(None)
                raise subprocess.TimeoutExpired(
                    command(args),
                    timeout or 0,
                    files["stdout"].read_text(encoding="utf-8", errors="replace"),
                    files["stderr"].read_text(encoding="utf-8", errors="replace"),
                )
            return subprocess.CompletedProcess(
                command(args),
                int(status_line),
                files["stdout"].read_text(encoding="utf-8"),
                files["stderr"].read_text(encoding="utf-8"),
            )

    def stop(self) -> None:
        self.requests.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _pythonpath(current: str | None) -> str:
    entries = [str(ROOT), *(current.split(os.pathsep) if current else [])]
    return os.pathsep.join(dict.fromkeys(e for e in entries if e))


_SERVER: list[_Server] = []


def _server() -> _Server:
    if not _SERVER:
        server = _Server()
        atexit.register(server.stop)
        _SERVER.append(server)
    return _SERVER[0]


def run_tools(
    *args: str,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    timeout: float | None = 300,
) -> subprocess.CompletedProcess[str]:
    """``python -m tools ARGS`` in ``cwd`` with exactly ``env`` (default: this process's)."""
    environment = dict(os.environ if env is None else env)
    if not os.environ.get(FRESH_ENV) and sys.platform != "win32":
        server = _server()
        if server.can_run(environment):
            return server.run(args, cwd, environment, input_text, timeout)
    return subprocess.run(
        command(args),
        cwd=cwd,
        input=input_text,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=timeout,
    )


if __name__ == "__main__":
    serve()
