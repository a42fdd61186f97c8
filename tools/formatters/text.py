"""Human-readable output, grouped by file; colour only when asked (the CLI asks on a TTY).

Every text from input is escaped (``_common.visible``) before the colour codes are added, so
the only control characters in the output are the newlines and colours written here.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from tools.core.findings import Severity
from tools.formatters._common import resource_label, summary_line, visible

if TYPE_CHECKING:
    from tools.validate import Report

NAME = "text"

_COLORS = {
    Severity.ERROR: "\033[31m",
    Severity.WARNING: "\033[33m",
    Severity.INFO: "\033[36m",
}
_DIM = "\033[2m"
_BOLD = "\033[1m"
_RESET = "\033[0m"


def format_report(report: Report, color: bool = False) -> str:
    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    for file, group in groupby(report.findings, key=lambda f: f.file):
        lines.append(paint(visible(file), _BOLD))
        for f in group:
            where = f"  {f.line or '-':>5}"
            level = "suppressed" if f.suppressed is not None else str(f.severity)
            level_text = paint(f"{level:<10}", _DIM if f.suppressed else _COLORS[f.severity])
            target = resource_label(f)
            path = f" {f.path}" if f.path else ""
            head = f"{where}  {level_text} {visible(f.rule)}"
            detail = visible(f"[{target}{path}]") if target or path else ""
            lines.append(f"{head}  {paint(detail, _DIM)}" if detail else head)
            lines.append(f"         {visible(f.message)}")
            if f.template:
                lines.append(paint(f"         template: {visible(f.template)}", _DIM))
            if f.suppressed is not None:
                lines.append(paint(f"         suppressed: {visible(f.suppressed)}", _DIM))
        lines.append("")
    lines.append(
        summary_line(
            report.errors, report.warnings, report.suppressed, report.files, report.resources
        )
    )
    return "\n".join(lines) + "\n"
