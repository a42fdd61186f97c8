"""``python -m tools`` for the tests, each call a process forked from one that imported it already.

Every call is still a process of its own: its own working directory, environment, standard
streams (files, so never a terminal, like a subprocess's pipes), exit status and module state
as imported, and it ends the way an interpreter does (non-daemon threads joined, ``atexit``
handlers run, streams flushed, status 120 when that flush fails). What is shared is the
interpreter start and the imports: about 0.15 s of CPU for a ``validate``, 0.35 s for a command
that imports pyhelm3, paid once per pytest worker instead of once per call.

Known differences from a fresh interpreter, none of which the tools code can observe: all calls
of one worker share its string-hash seed; ``sys.orig_argv`` and the parent pid are the
server's; a call returns when its process exits, even if a grandchild it left running still
holds its standard output (the tools capture every child's output); tracebacks carry two more
frames (``runpy``); at exit the modules are not torn down one by one, so a finaliser of a
module-level object does not run (the tools define none).

The server is this file run as a script, one per worker. It reads one JSON request per line on
its standard input and answers on its standard output with the child's pid, then its exit
status. A call runs as a real subprocess instead when a fork cannot reproduce it: its
environment changes how the interpreter starts (a ``PYTHON*`` variable that differs from the
server's, or a ``PYTHONPATH`` entry the server does not have), or its working directory holds
Python modules that ``python -m`` would put first on the import path.
``TODO_DAPR_TEST_FRESH_PYTHON=1`` sends every call there. A call past its timeout is killed,
as ``subprocess.run`` does; one interrupted by an exception stops the server too, and the next
call starts a new one.
"""

from __future__ import annotations

import atexit
import contextlib
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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any, NoReturn

ROOT = Path(__file__).resolve().parents[1]
FRESH_ENV = "TODO_DAPR_TEST_FRESH_PYTHON"
# Variables a forked child cannot honour: they act while the interpreter starts.
STARTUP_PREFIX = "PYTHON"
# Imported by the server before it forks. Not ``tools.__main__``: importing it runs the CLI.
PRELOAD_EXTRA = ("pyhelm3", "yaml", "jsonschema_rs")
START_SECONDS = 60.0


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
    """A standard stream on ``fd`` made the way the interpreter made ``template``: unbuffered
    below the text layer under ``-u``/``PYTHONUNBUFFERED``, buffered otherwise."""
    raw = io.FileIO(fd, "rb" if reading else "wb", closefd=False)
    layer: Any = raw
    if not isinstance(getattr(template, "buffer", None), io.RawIOBase):
        layer = io.BufferedReader(raw) if reading else io.BufferedWriter(raw)
    return io.TextIOWrapper(
        layer,
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


def _child(request: dict[str, Any], channel: tuple[IO[bytes], IO[bytes]]) -> NoReturn:
    """Become ``python -m tools ARGS`` as the request describes; never returns.

    It ends as the interpreter ends a program: an uncaught exception printed (status 1; an
    uncaught Ctrl-C dies of SIGINT), non-daemon threads joined, ``atexit`` handlers run, the
    standard streams flushed (status 120 when that fails). What it skips is tearing down the
    preloaded modules one by one, which costs more than the call itself and runs no code the
    tools have.
    """
    status = 1
    interrupted = False
    try:
        for end in channel:
            end.close()
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
        except KeyboardInterrupt:
            traceback.print_exc()
            interrupted = True
        except BaseException:
            traceback.print_exc()
            status = 1
        threading._shutdown()  # type: ignore[attr-defined]  # joins non-daemon threads
        atexit._run_exitfuncs()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                status = 120
        if interrupted:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
    finally:
        os._exit(status)


def serve() -> None:
    requests = os.fdopen(os.dup(0), "rb")
    replies = os.fdopen(os.dup(1), "wb", buffering=0)
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
            _child(request, (requests, replies))
        replies.write(f"{pid}\n".encode())
        _, wait_status = os.waitpid(pid, 0)
        replies.write(f"{os.waitstatus_to_exitcode(wait_status)}\n".encode())


# -- the client --------------------------------------------------------------------------------


class ServerError(RuntimeError):
    """The server stopped or did not start; its log's last lines say why."""


class _NotStarted(Exception):
    """The server stopped before it forked this call's process: the call never ran."""


class _Server:
    def __init__(self) -> None:
        self.env = {**os.environ, "PYTHONPATH": _pythonpath(os.environ.get("PYTHONPATH"))}
        handle, log_path = tempfile.mkstemp(prefix="todo-dapr-cli-server-", suffix=".log")
        self.log = Path(log_path)
        with os.fdopen(handle, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, __file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                cwd=ROOT,
                env=self.env,
            )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests = self.process.stdin
        self.replies = self.process.stdout.fileno()
        self.pending = b""
        self.path = {str(Path(e).resolve()) for e in self.env["PYTHONPATH"].split(os.pathsep) if e}
        if self._line(START_SECONDS) != b"ready":
            self.stop()
            raise ServerError("the forked-CLI server did not start" + self._log_tail())

    def alive(self) -> bool:
        return self.process.poll() is None

    def _log_tail(self) -> str:
        try:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
        except OSError:
            return ""
        return f":\n{tail}" if tail.strip() else ""

    def can_run(self, env: Mapping[str, str], cwd: Path) -> bool:
        for key in set(env) | set(self.env):
            if not key.startswith(STARTUP_PREFIX) or key == "PYTHONPATH":
                continue
            if env.get(key) != self.env.get(key):
                return False
        wanted = [e for e in env.get("PYTHONPATH", "").split(os.pathsep) if e]
        if not all(str((cwd / e).resolve()) in self.path for e in wanted):
            return False
        return cwd == ROOT or not _holds_modules(cwd)

    def _line(self, timeout: float | None) -> bytes | None:
        """The server's next reply line, or None when ``timeout`` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        poller = select.poll()
        poller.register(self.replies, select.POLLIN)
        while b"\n" not in self.pending:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not poller.poll(None if left is None else left * 1000):
                return None
            chunk = os.read(self.replies, 65536)
            if not chunk:
                raise ServerError("the forked-CLI server stopped" + self._log_tail())
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
        with tempfile.TemporaryDirectory(prefix="todo-dapr-cli-") as tmp:
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
            deadline = None if timeout is None else time.monotonic() + timeout
            pid = 0
            try:
                self.requests.write(json.dumps(request).encode() + b"\n")
                self.requests.flush()
                pid = int(self._line(START_SECONDS) or b"0")
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                status = self._line(left)
            except (ServerError, BrokenPipeError) as exc:
                self.abandon(pid)
                if pid == 0:
                    raise _NotStarted from exc
                raise
            except BaseException:
                self.abandon(pid)
                raise
            if status is None:
                # As subprocess.run does: kill the child, then collect it (here through the
                # server's reply, so that the server stays in step for the next call).
                with contextlib.suppress(ProcessLookupError):  # it ended on its own meanwhile
                    os.kill(pid, signal.SIGKILL)
                try:
                    if self._line(START_SECONDS) is None:
                        self.abandon(0)
                except BaseException:
                    self.abandon(0)
                    raise
                raise subprocess.TimeoutExpired(
                    command(args),
                    timeout or 0,
                    files["stdout"].read_bytes(),
                    files["stderr"].read_bytes(),
                )
            return subprocess.CompletedProcess(
                command(args),
                int(status),
                files["stdout"].read_text(encoding="utf-8"),
                files["stderr"].read_text(encoding="utf-8"),
            )

    def abandon(self, pid: int) -> None:
        """Stop the child of a call left half-way, and the server with it: its replies can no
        longer be matched to calls. The next call starts a new server."""
        if pid > 0:
            with contextlib.suppress(ProcessLookupError):  # it ended on its own meanwhile
                os.kill(pid, signal.SIGKILL)
        self.process.kill()
        self.stop()

    def stop(self) -> None:
        with contextlib.suppress(OSError):  # the server is gone already
            self.requests.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.log.unlink(missing_ok=True)


def _holds_modules(folder: Path) -> bool:
    """Whether ``folder`` has a module or package that would shadow an imported one when
    ``python -m`` puts it first on the path."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return False
    return any(
        (e.suffix == ".py" and e.is_file()) or (e / "__init__.py").is_file() for e in entries
    )


def _pythonpath(current: str | None) -> str:
    entries = [str(ROOT), *(current.split(os.pathsep) if current else [])]
    return os.pathsep.join(dict.fromkeys(e for e in entries if e))


_LOCK = threading.Lock()
_SERVER: list[_Server] = []


def _stop_server() -> None:
    if _SERVER:
        _SERVER.pop().stop()


atexit.register(_stop_server)


def _server() -> _Server:
    """The live server of this process, started (again) when there is none."""
    if _SERVER and not _SERVER[0].alive():
        _SERVER.pop().stop()
    if not _SERVER:
        _SERVER.append(_Server())
    return _SERVER[0]


def _checked(cwd: Path, env: Mapping[str, str]) -> Path:
    """What ``subprocess.run`` would refuse, refused the same way before anything is sent."""
    for key, value in env.items():
        if "\0" in key or "\0" in value or "=" in key:
            raise ValueError(f"illegal environment variable name or value: {key!r}")
    folder = Path(cwd).resolve(strict=True)
    if not folder.is_dir():
        raise NotADirectoryError(f"not a directory: {cwd}")
    return folder


# What the `cli` fixture (tests/conftest.py) gives a test: run `python -m tools ARGS`.
CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def run_tools(
    *args: str,
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
    input_text: str | None = None,
    timeout: float | None = 300,
) -> subprocess.CompletedProcess[str]:
    """``python -m tools ARGS`` in ``cwd`` with exactly ``env`` (default: this process's)."""
    environment = dict(os.environ if env is None else env)
    if not os.environ.get(FRESH_ENV) and hasattr(os, "fork"):
        folder = _checked(cwd, environment)
        with _LOCK:
            for attempt in (1, 2):
                server = _server()
                if not server.can_run(environment, folder):
                    break
                try:
                    return server.run(args, folder, environment, input_text, timeout)
                except _NotStarted as exc:
                    if attempt == 2:
                        raise ServerError("two forked-CLI servers stopped before the call") from exc
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
