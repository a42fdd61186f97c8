"""Launch a command so that its own peak memory can be read.

A process forked from a large one (a pytest worker that has grown to hundreds of MiB) keeps
that size as its recorded peak across ``exec``, so ``wait4`` on a child of the test process
reports at least the test process's size. A small launcher interpreter forks the command
instead, optionally under an address-space limit (a safety net: a regression dies of
MemoryError rather than taking the machine's memory), and writes the command's exit status
and peak RSS (KiB) to a report file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

LAUNCHER = """
import os, resource, sys
limit, report, *command = sys.argv[1:]
pid = os.fork()
if pid == 0:
    if int(limit):
        resource.setrlimit(resource.RLIMIT_AS, (int(limit), int(limit)))
    os.execv(command[0], command)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as handle:
    handle.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss}")
"""


def launched(command: Sequence[str], report: Path, address_space_bytes: int = 0) -> list[str]:
    """``command`` run through the launcher, which writes ``STATUS PEAK_KIB`` to ``report``."""
    return [sys.executable, "-c", LAUNCHER, str(address_space_bytes), str(report), *command]


def read_report(report: Path) -> tuple[int, int]:
    """The command's exit status and peak RSS in KiB."""
    status, peak = report.read_text().split()
    return int(status), int(peak)
