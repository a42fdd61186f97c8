"""What a command prints: the report (stdout or ``--output``) and progress on stderr."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from tools.core.terminal_text import visible_lines

if TYPE_CHECKING:
    from tools.validate import Report


def _color(args: argparse.Namespace) -> bool:
    """Text only; NO_COLOR wins over FORCE_COLOR, which wins over the terminal check."""
    if args.format != "text" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return not args.output and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def emit(report: Report, args: argparse.Namespace) -> None:
    """Write the report in ``--format`` to ``--output`` or stdout; ``-q`` drops the summary."""
    from tools.core.output import write_report
    from tools.formatters import format_report

    text = format_report(args.format, report, color=_color(args), summary=not args.quiet)
    write_report(text, args.output)


def info(args: argparse.Namespace, message: str) -> None:
    """Progress and summaries go to stderr, so machine formats on stdout stay parseable.
    Each part of ``message`` taken from input is escaped with ``visible`` by the caller (so
    no input starts a line); a line break in ``message`` is the caller's own."""
    if not args.quiet:
        print(visible_lines(message), file=sys.stderr)
