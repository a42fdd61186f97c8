"""Findings: what a rule reports, its severity, whether it is suppressed, and the exit status."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.core.resource import Resource

CATEGORIES = ("syntax", "schema", "kubernetes", "dapr", "security", "reference")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    """One problem found in one resource (or in a file that yielded no resource).

    ``path`` is a JSON pointer inside the resource (``/spec/metadata/3/value``); ``line`` is the
    1-based line in ``file`` of that path when it could be located, else of the document start.
    """

    rule: str
    category: str
    severity: Severity
    message: str
    file: str
    line: int | None = None
    path: str = ""
    resource: Resource | None = field(default=None, compare=False, repr=False)
    template: str | None = None
    suppressed: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR and self.suppressed is None


def json_pointer(parts: Iterable[str | int]) -> str:
    """Build a JSON pointer (RFC 6901) from path segments."""
    out = []
    for part in parts:
        text = str(part).replace("~", "~0").replace("/", "~1")
        out.append("/" + text)
    return "".join(out)


def apply_suppressions(
    findings: Iterable[Finding], aliases: Mapping[str, str] | None = None
) -> list[Finding]:
    """Mark findings whose resource carries a matching ignore annotation as suppressed.

    ``aliases`` maps a rule's former id to its id: an annotation naming the former id still
    suppresses the rule.
    """
    renamed = aliases or {}
    out: list[Finding] = []
    for finding in findings:
        res = finding.resource
        if res is not None and finding.category != "syntax":
            rules = {renamed.get(key, key): reason for key, reason in res.suppressions.items()}
            reason = rules.get(finding.rule) or rules.get(finding.category)
            if reason is not None:
                out.append(replace(finding, suppressed=reason))
                continue
        out.append(finding)
    return out


def select(findings: Iterable[Finding], chosen: set[str], ignored: set[str]) -> list[Finding]:
    """Keep findings whose rule id or category is chosen (all when empty) and not ignored."""
    out = []
    for finding in findings:
        keys = {finding.rule, finding.category}
        if chosen and not keys & chosen:
            continue
        if keys & ignored:
            continue
        out.append(finding)
    return out


def exit_status(findings: Iterable[Finding]) -> int:
    return EXIT_FINDINGS if any(f.is_error for f in findings) else EXIT_OK
