"""Output formats. Each module here defines ``NAME`` and ``format_report(report, *, color)``."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.validate import Report

Formatter = Callable[["Report", bool], str]

FORMAT_NAMES = ("text", "json", "sarif", "junit", "github")


@cache
def formatters() -> dict[str, Formatter]:
    found: dict[str, Formatter] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        found[module.NAME] = module.format_report
    return found


def format_report(name: str, report: Report, *, color: bool = False, summary: bool = True) -> str:
    """The report in format ``name``; ``summary=False`` (``-q``) drops the summary line the
    human formats end with, leaving the findings only."""
    text = formatters()[name](report, color)
    return text if summary else _without_summary(text, report)


def _without_summary(text: str, report: Report) -> str:
    from tools.formatters._common import summary_line

    line = summary_line(
        report.errors, report.warnings, report.suppressed, report.files, report.resources
    )
    if not text.endswith(f"{line}\n"):
        return text
    findings = text[: -len(line) - 1].rstrip("\n")
    return f"{findings}\n" if findings else ""
