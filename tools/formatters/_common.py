"""Small pieces every formatter shares: locations, resource labels, rule metadata, and the
escaping that keeps input from driving a terminal or forging output lines."""

from __future__ import annotations

from tools.core.findings import Finding
from tools.core.terminal_text import visible

__all__ = ["location", "resource_label", "rule_docs_path", "summary_line", "visible"]


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
