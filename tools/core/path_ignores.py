"""Per-path ignores from the config file: findings in matching files are marked suppressed.

A pattern is a glob matched with :func:`fnmatch.fnmatchcase` (``*`` also crosses ``/``), never a
regular expression built from the user's text. A pattern holding ``/`` is matched against the
file's path relative to the config file's directory (and against the path as given); one
without ``/`` is matched against the file name only. A suppressed finding keeps being reported,
with the reason the config file gives.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from tools.core.findings import Finding

ORIGIN_KEY = "per-path-ignores"


@dataclass(frozen=True)
class PathIgnore:
    """``rules`` (ids or categories) are suppressed in files matching ``pattern``."""

    pattern: str
    rules: frozenset[str]
    reason: str
    base: Path
    origin: str = ""

    def matches_file(self, file: str) -> bool:
        candidates = _candidates(file, self.base)
        if "/" not in self.pattern:
            return any(fnmatchcase(PurePosixPath(c).name, self.pattern) for c in candidates)
        pattern = self.pattern.removeprefix("./")
        return any(fnmatchcase(c, pattern) for c in candidates)

    def covers(self, finding: Finding) -> bool:
        return bool({finding.rule, finding.category} & self.rules) and self.matches_file(
            finding.file
        )


def _candidates(file: str, base: Path) -> list[str]:
    """The file as given and, when it lies under ``base``, relative to it (POSIX form)."""
    given = file.replace(os.sep, "/").removeprefix("./")
    out = [given]
    try:
        relative = Path(file).resolve().relative_to(base)
    except (ValueError, OSError):
        return out
    text = relative.as_posix()
    if text not in out:
        out.append(text)
    return out


def apply_path_ignores(findings: Iterable[Finding], ignores: Sequence[PathIgnore]) -> list[Finding]:
    """Mark each finding covered by a per-path ignore as suppressed, with its reason.

    A finding already suppressed by an annotation keeps the annotation's reason.
    """
    if not ignores:
        return list(findings)
    out: list[Finding] = []
    for finding in findings:
        entry = None
        if finding.suppressed is None:
            entry = next((e for e in ignores if e.covers(finding)), None)
        if entry is None:
            out.append(finding)
            continue
        where = f" ({entry.origin})" if entry.origin else ""
        out.append(replace(finding, suppressed=f"{entry.reason}{where}"))
    return out
