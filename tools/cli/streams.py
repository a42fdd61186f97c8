"""Standard output and error that survive their reader going away (``| head``) or being
closed before the start (``>&-``): the command keeps its exit status either way."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.core.findings import EXIT_USAGE

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer


class _ClosedPipeSafe(io.RawIOBase):
    """Standard output or error on a descriptor whose reader may go away (``| head``).

    The first write that finds the pipe closed points the descriptor at /dev/null: the rest of
    the run, and the interpreter's final flush, write nowhere without an error, and the command
    ends quietly with the status it would have had. Each write is written whole, so an
    unbuffered stream (``python -u``) loses nothing to a short write either.
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, data: ReadableBuffer) -> int:
        view = memoryview(data).cast("B")
        size = view.nbytes
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except BrokenPipeError:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, self._fd)
            os.close(null)
        return size


def _pipe_safe_streams() -> dict[str, io.TextIOWrapper]:
    """Put pipe-safe copies of the interpreter's own stdout and stderr in place (never a stream
    someone else installed, such as a test's capture); return the originals by name."""
    originals: dict[str, io.TextIOWrapper] = {}
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not getattr(sys, f"__{name}__") or not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            fd = stream.fileno()
            stream.flush()
        except (OSError, ValueError):
            continue
        raw = _ClosedPipeSafe(fd)
        unbuffered = isinstance(stream.buffer, io.RawIOBase)
        layer: Any = raw if unbuffered else io.BufferedWriter(raw)
        safe = io.TextIOWrapper(
            layer,
            encoding=stream.encoding,
            errors=stream.errors,
            line_buffering=stream.line_buffering,
            write_through=unbuffered or stream.write_through,
        )
        originals[name] = stream
        setattr(sys, name, safe)
    return originals


def _restore_streams(originals: dict[str, io.TextIOWrapper]) -> OSError | None:
    """Flush the pipe-safe streams and put the originals back; the first flush error, if any
    (a full disk under ``> file``: a closed pipe never is one)."""
    failure: OSError | None = None
    for name, original in originals.items():
        try:
            getattr(sys, name).flush()
        except OSError as exc:
            failure = failure or exc
        setattr(sys, name, original)
    return failure


def _closed_streams_to_null() -> list[str]:
    """A standard stream closed before the start (``>&-``) is None in ``sys``: it becomes a
    stream to /dev/null, so the command runs, writes nothing there, and keeps its status. Its
    descriptor is pointed at /dev/null too, so no file opened later takes its number. Return
    the names of the streams replaced."""
    replaced: list[str] = []
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if getattr(sys, name) is not None:
            continue
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_WRONLY | os.O_CLOEXEC)
            if null != fd:
                os.dup2(null, fd, inheritable=False)
                os.close(null)
        setattr(sys, name, Path(os.devnull).open("w", encoding="utf-8"))  # noqa: SIM115
        replaced.append(name)
    return replaced


def with_safe_streams(run: Callable[[], int]) -> int:
    """``run()``'s status, with closed streams sent to /dev/null and a reader that goes away
    leaving no error; 2 when the output itself could not be written (a full disk)."""
    closed = _closed_streams_to_null()
    try:
        originals = _pipe_safe_streams()
        try:
            status = run()
        finally:
            failure = _restore_streams(originals)
        if failure is not None:
            print(
                f"todo-dapr: error: cannot write the output ({failure.strerror})", file=sys.stderr
            )
            return EXIT_USAGE
        return status
    finally:
        for name in closed:
            getattr(sys, name).close()
            setattr(sys, name, None)
