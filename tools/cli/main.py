"""``python -m tools`` / ``todo-dapr``: parse the command line, run the command, turn what
goes wrong into one escaped, redacted line and an exit status. The commands live in their
own modules (tools/cli/<group>.py); the parser in tools/cli/parser.py."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from tools.cli.parser import build_parser
from tools.cli.streams import with_safe_streams
from tools.core.findings import EXIT_USAGE
from tools.core.terminal_text import visible


def main(argv: Sequence[str] | None = None) -> int:
    return with_safe_streams(lambda: _main(argv))


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        status: int = args.func(args)
    except KeyboardInterrupt:
        print("todo-dapr: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from tools.redaction.masking import redact_text

        print(f"todo-dapr: error: {visible(redact_text(_explain(exc)))}", file=sys.stderr)
        if os.environ.get("TODO_DAPR_DEBUG"):
            raise
        return EXIT_USAGE
    return status


def _explain(exc: Exception) -> str:
    """Expected failures carry their own message; anything else is named as an internal error.
    The caller redacts and escapes it."""
    from tools.chart.helm import HelmError

    if getattr(exc, "exit_status", None) is not None or isinstance(exc, HelmError):
        return str(exc)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}"
    return (
        f"internal error ({type(exc).__name__}: {exc}); set TODO_DAPR_DEBUG=1 to see the "
        "traceback, and please report it"
    )
