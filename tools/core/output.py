"""Where a report goes: stdout, or a file written atomically (``--output FILE``).

The file is written to a temporary file in the same directory and renamed over the target, so a
reader (a CI upload step, an editor) never sees half a report, and a failed run leaves the
previous report in place. A rename replaces whatever has the name, so an existing target that
is not a regular file (a symlink, a FIFO, a device node, a socket) is refused, never replaced;
only the streams a user means by a device path, /dev/stdout, /dev/stderr and /dev/null, are
written to directly.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from tools.core.bounded_read import kind_of
from tools.core.findings import EXIT_USAGE

# The paths written to as streams, not replaced: what ``-o`` means there is "this stream".
STREAM_TARGETS = ("/dev/stdout", "/dev/stderr", "/dev/null")


class OutputError(Exception):
    """The report cannot be written where asked: the CLI exits 2 with the message."""

    exit_status = EXIT_USAGE


def write_report(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    if output in STREAM_TARGETS:
        _write_stream(text, output)
        return
    write_file(text, output)


def write_file(text: str, path: str, option: str = "--output") -> None:
    """Write ``path`` atomically, refusing an existing path that is not a regular file; the
    error names ``option``, the flag that chose the path."""
    _refuse_special(path, option)
    _write_atomically(text, path, option)


def _write_stream(text: str, output: str) -> None:
    try:
        if output == "/dev/null":
            with Path(os.devnull).open("w", encoding="utf-8") as null:
                null.write(text)
            return
        stream: TextIO = sys.stdout if output == "/dev/stdout" else sys.stderr
        stream.write(text)
        stream.flush()
    except OSError as exc:
        raise OutputError(f"--output {output}: cannot write ({exc.strerror})") from exc


def _refuse_special(output: str, option: str) -> None:
    try:
        mode = os.lstat(output).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{option} {output}: cannot write there ({exc.strerror})") from exc
    if stat.S_ISREG(mode):
        return
    what = "a symbolic link" if stat.S_ISLNK(mode) else kind_of(mode)
    streams = f", or one of {', '.join(STREAM_TARGETS)}" if option == "--output" else ""
    raise OutputError(
        f"{option} {output}: is {what}, not a regular file, and is never replaced; give the "
        f"path of a regular file (or of a new one){streams}"
    )


def _write_atomically(text: str, output: str, option: str) -> None:
    target = Path(output)
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{option} {output}: cannot write there ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        Path(temp).chmod(0o666 & ~umask)
        Path(temp).replace(target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(f"{option} {output}: cannot write ({exc.strerror})") from exc
