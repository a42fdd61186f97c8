"""One JSON object: findings and a summary (the shape in DESIGN §5)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tools.validate import Report

NAME = "json"


def format_report(report: Report, color: bool = False) -> str:
    del color
    findings: list[dict[str, Any]] = []
    for f in report.findings:
        findings.append(
            {
                "rule": f.rule,
                "category": f.category,
                "severity": str(f.severity),
                "message": f.message,
                "file": f.file,
                "line": f.line,
                "resource": f.resource.ref() if f.resource is not None else None,
                "path": f.path,
                "template": f.template,
                "suppressed": f.suppressed,
            }
        )
    payload = {
        "findings": findings,
        "summary": {
            "files": report.files,
            "resources": report.resources,
            "errors": report.errors,
            "warnings": report.warnings,
            "suppressed": report.suppressed,
        },
    }
    return json.dumps(payload, indent=2) + "\n"
