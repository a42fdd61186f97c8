"""Small pieces every formatter shares: locations, resource labels, rule metadata, and the
escaping that keeps input from driving a terminal or forging output lines."""

from __future__ import annotations

import re

from tools.findings import Finding

# What a human format never prints raw: C0 controls (newline, CR and tab included: a value
# never starts an output line), DEL, C1 controls (NEL, CSI...), the line and paragraph
# separators, the bidi marks, embeddings, overrides and isolates of "Trojan Source" (they
# reorder what the reader sees), lone surrogates (they cannot be encoded) and U+FFFE/U+FFFF
# (not characters; XML 1.0 forbids them even as references). Backslashes stay as they are:
# an input that spells "\x1b" shows the same text as an escaped ESC, but drives nothing.
_INVISIBLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def visible(text: str) -> str:
    """``text`` with every character that could act on a terminal or a line-based reader
    replaced by a visible escape (``\\x1b``, ``\\n``, ``\\u202e``). Every text a human
    format prints that can hold input goes through here before the format adds its own
    colours or escapes."""
    return _INVISIBLE.sub(_escape, text)


def location(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}" if finding.line else finding.file


def resource_label(finding: Finding) -> str:
    res = finding.resource
    if res is None:
        return ""
    return f"{res.kind or '?'}/{res.name or '?'}"


def rule_docs_path(rule_id: str) -> str:
    """Where the rule's page lives in this repository."""
    return f"docs/rules/{rule_id}.md"


def summary_line(errors: int, warnings: int, suppressed: int, files: int, resources: int) -> str:
    parts = [
        f"{errors} error{'s' * (errors != 1)}",
        f"{warnings} warning{'s' * (warnings != 1)}",
    ]
    if suppressed:
        parts.append(f"{suppressed} suppressed")
    return (
        f"{', '.join(parts)} in {resources} resource{'s' * (resources != 1)} "
        f"from {files} file{'s' * (files != 1)}"
    )
