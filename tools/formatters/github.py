"""GitHub Actions workflow commands (``::error file=…,line=…::message``): inline annotations.

The runner reads a command from the start of a line, so no text from input may end one: each
is first escaped for the terminal (``_common.visible``: no newline, CR or other control
character is left), then as the workflow command syntax requires (``%``, and in properties
``:`` and ``,``). A value holding ``::error::`` or ``::add-mask::`` stays inside the message
of the command it belongs to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.core.findings import Severity
from tools.formatters._common import resource_label, summary_line, visible

if TYPE_CHECKING:
    from tools.validate import Report

NAME = "github"

_COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_report(report: Report, color: bool = False) -> str:
    del color
    lines = []
    for f in report.findings:
        if f.suppressed is not None:
            continue
        props = [f"file={_escape_property(f.file)}"]
        if f.line:
            props.append(f"line={f.line}")
        props.append(f"title={_escape_property(f.rule)}")
        label = resource_label(f)
        where = f"{label}{f.path}: " if label else ""
        lines.append(
            f"::{_COMMANDS[f.severity]} {','.join(props)}::{_escape_data(where + f.message)}"
        )
    lines.append(
        summary_line(
            report.errors, report.warnings, report.suppressed, report.files, report.resources
        )
    )
    return "\n".join(lines) + "\n"
