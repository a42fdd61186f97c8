"""Where a report goes: stdout, or a file written atomically (``--output FILE``).

The file is written to a temporary file in the same directory and renamed over the target, so a
reader (a CI upload step, an editor) never sees half a report, and a failed run leaves the
previous report in place.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tools.findings import EXIT_USAGE


class OutputError(Exception):
    """The report cannot be written where asked: the CLI exits 2 with the message."""

    exit_status = EXIT_USAGE


def write_report(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    target = Path(output)
    directory = target.parent
    if target.is_dir():
        raise OutputError(f"--output {output}: is a directory")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"--output {output}: cannot write there ({exc.strerror})") from exc
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
        raise OutputError(f"--output {output}: cannot write ({exc.strerror})") from exc
