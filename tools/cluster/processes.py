"""Start, watch and stop the stack's processes: each in its own session, its output in a log
file beside its PID file in the run directory, stopped by that PID and nothing else."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

# A log tail shown in an error is cut to this many bytes, whatever the process wrote.
_TAIL_BYTES = 8192


class ClusterError(Exception):
    """Something in the stack could not be built, started or reached; the message says what
    and what to do, and is shown to the user as is."""

    exit_status = 2


@dataclass(frozen=True)
class Started:
    name: str
    pid: int
    log: Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log, read from its last few KiB only."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - _TAIL_BYTES))
            data = handle.read(_TAIL_BYTES)
    except OSError:
        return ""
    text = data.decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:])


def _pid_file(run_dir: Path, name: str) -> Path:
    return run_dir / f"{name}.pid"


def _primary_group(user: str) -> int:
    import pwd

    return pwd.getpwnam(user).pw_gid


def start(
    name: str,
    argv: Sequence[str],
    *,
    run_dir: Path,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
    cwd: Path | None = None,
) -> Started:
    """Start ``argv`` in a new session with stdout and stderr in ``run_dir/<name>.log``.

    ``user``: run as that system user (PostgreSQL refuses to run as root). ``env`` replaces the
    environment when given."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log = run_dir / f"{name}.log"
    try:
        with log.open("ab") as out:
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                cwd=cwd,
                start_new_session=True,
                user=user,
                group=_primary_group(user) if user else None,
                extra_groups=[] if user else None,
            )
    except OSError as exc:
        raise ClusterError(f"cannot start {name} ({argv[0]}): {exc.strerror or exc}") from None
    _pid_file(run_dir, name).write_text(f"{process.pid}\n", encoding="ascii")
    return Started(name, process.pid, log)


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        waited = 0
    if waited == pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_until(
    check: Callable[[], bool], *, what: str, started: Started, deadline_s: float
) -> None:
    """Poll ``check`` until it is true; fail with the log tail if the process ends first or
    ``deadline_s`` passes."""
    end = time.monotonic() + deadline_s
    delay = 0.05
    while True:
        if not _alive(started.pid):
            raise ClusterError(
                f"{started.name} exited before {what}; last lines of {started.log}:\n"
                f"{log_tail(started.log)}"
            )
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() >= end:
            raise ClusterError(
                f"{started.name} was not {what} after {deadline_s:.0f} s; last lines of "
                f"{started.log}:\n{log_tail(started.log)}"
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)


def read_pid(run_dir: Path, name: str) -> int | None:
    try:
        text = _pid_file(run_dir, name).read_text(encoding="ascii").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def running(run_dir: Path, name: str) -> bool:
    pid = read_pid(run_dir, name)
    return pid is not None and _alive(pid)


def stop(run_dir: Path, name: str, *, grace_s: float = 10.0) -> None:
    """SIGTERM to the process group of ``name``'s PID, SIGKILL after ``grace_s``; removes the
    PID file. Nothing happens when it is not running."""
    pid = read_pid(run_dir, name)
    pid_file = _pid_file(run_dir, name)
    if pid is None or not _alive(pid):
        pid_file.unlink(missing_ok=True)
        return
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return
    end = time.monotonic() + grace_s
    while time.monotonic() < end and _alive(pid):
        time.sleep(0.05)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        kill_end = time.monotonic() + 5
        while time.monotonic() < kill_end and _alive(pid):
            time.sleep(0.05)
    pid_file.unlink(missing_ok=True)
