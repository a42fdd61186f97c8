"""Read a user's file or stream: regular files only, and never more than a limit plus one byte.

A device (``/dev/zero``) never ends, a FIFO blocks until a writer comes, a socket cannot be
opened: named as input, each is refused with its name and what it is. The file is opened
without blocking and checked again after opening, so a path swapped for a FIFO between the
check and the open cannot hang the run; it is read without blocking too, so a pseudo-file
that calls itself regular but waits for data (``/proc/kmsg``) answers "would block" and is
refused by name, and the whole read of one file has a deadline. A regular file whose size is
over the limit is not read at all; a stream (standard input) is read in chunks and abandoned
one byte past it.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from tools.core.findings import EXIT_USAGE

# Settings files: the config file (.todo-dapr.yaml, pyproject.toml), values files, schemas.
MAX_CONFIG_BYTES = 1024 * 1024
MAX_VALUES_BYTES = 16 * 1024 * 1024
MAX_SCHEMA_BYTES = 16 * 1024 * 1024

_CHUNK = 1024 * 1024
# For the whole read of one file: a 64 MiB file takes milliseconds.
READ_DEADLINE_SECONDS = 30.0
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
)


class InputError(Exception):
    """An input that cannot be read: the CLI prints the message (it names the file), exits 2."""

    exit_status = EXIT_USAGE


@dataclass(frozen=True)
class Bounded:
    """What a bounded read got: the bytes, or ``over`` (and no bytes) past the limit."""

    data: bytes
    over: bool = False


def kind_of(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _not_regular(path: str | Path, what: str, mode: int) -> InputError:
    return InputError(
        f"{path}: the {what} is {kind_of(mode)}, not a regular file; give a regular file"
        + (" (or - to read a pipe on standard input)" if what == "input" else "")
    )


def _cannot_read(path: str | Path, what: str, exc: OSError) -> InputError:
    return InputError(f"{path}: cannot read the {what} ({exc.strerror or exc})")


def _would_block(path: str | Path, what: str) -> InputError:
    return InputError(
        f"{path}: cannot read the {what}: it has no data ready and reading it would wait (a "
        "special file such as /proc/kmsg, not a manifest); give a regular file"
    )


def over_limit(path: str | Path, what: str, limit: int) -> InputError:
    return InputError(f"{path}: the {what} is over the {limit}-byte limit")


def regular_size(path: str | Path, what: str) -> int:
    """The size of the regular file at ``path`` (symlinks followed); refuse anything else."""
    try:
        status = Path(path).stat()
    except OSError as exc:
        raise _cannot_read(path, what, exc) from exc
    if not stat.S_ISREG(status.st_mode):
        raise _not_regular(path, what, status.st_mode)
    return status.st_size


def check_file(path: str | Path, limit: int, what: str) -> None:
    """Refuse, before any work starts, a file that a bounded read would refuse by its size."""
    if regular_size(path, what) > limit:
        raise over_limit(path, what, limit)


def read_at_most(path: str | Path, limit: int, what: str = "input") -> Bounded:
    """The file's bytes, or ``over`` when it holds more than ``limit``; InputError when it is
    not a regular file or cannot be read."""
    regular_size(path, what)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _cannot_read(path, what, exc) from exc
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise _not_regular(path, what, status.st_mode)
        if status.st_size > limit:
            return Bounded(b"", over=True)
        deadline = time.monotonic() + READ_DEADLINE_SECONDS
        return _read(lambda size: os.read(fd, size), limit, deadline)
    except TimeoutError as exc:
        raise InputError(
            f"{path}: cannot read the {what}: reading it took over "
            f"{READ_DEADLINE_SECONDS:.0f} seconds"
        ) from exc
    except BlockingIOError as exc:
        raise _would_block(path, what) from exc
    except OSError as exc:
        raise _cannot_read(path, what, exc) from exc
    finally:
        os.close(fd)


def read_fd(fd: int, limit: int) -> Bounded:
    """An open regular file's bytes from where it stands, or ``over`` past ``limit`` (for
    callers that open files themselves: relative to a directory, without following links)."""
    return _read(lambda size: os.read(fd, size), limit, None)


def read_stream(stream: BinaryIO, limit: int) -> Bounded:
    """A stream's bytes up to EOF, or ``over`` once it has given more than ``limit``. No
    deadline: standard input waits for its writer, as ``helm template | ...`` needs."""
    return _read(stream.read, limit, None)


def _read(read: Callable[[int], bytes], limit: int, deadline: float | None) -> Bounded:
    """The bytes ``read`` gives up to EOF, or ``over`` past ``limit``; TimeoutError once
    ``deadline`` (a ``time.monotonic`` value) has passed."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError
        chunk = read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        return Bounded(b"", over=True)
    return Bounded(b"".join(chunks))


def read_file(path: str | Path, limit: int, what: str) -> bytes:
    """The whole file, which must be a regular file of at most ``limit`` bytes."""
    got = read_at_most(path, limit, what)
    if got.over:
        raise over_limit(path, what, limit)
    return got.data


def read_text(path: str | Path, limit: int, what: str) -> str:
    """The whole file as UTF-8 text (a byte-order mark is dropped), bounded like read_file."""
    data = read_file(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: the {what} is not UTF-8 text") from exc
