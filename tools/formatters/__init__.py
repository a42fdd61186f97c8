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


def format_report(name: str, report: Report, *, color: bool = False) -> str:
    return formatters()[name](report, color)
