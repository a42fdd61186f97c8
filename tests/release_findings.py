"""The unsuppressed errors one rule reports on a manifest, judged against one Dapr release."""

from __future__ import annotations

from tools.core.context import RunContext
from tools.core.findings import Severity
from tools.validate import Source, validate


def errors_on(text: str, release: str, rule: str) -> list[str]:
    report = validate([Source("m.yaml", text)], context=RunContext(dapr_release=release))
    return [
        f.message
        for f in report.findings
        if f.rule == rule and f.severity is Severity.ERROR and f.suppressed is None
    ]
