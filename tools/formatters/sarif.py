"""SARIF 2.1.0, the format GitHub code scanning uploads accept."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tools import __version__
from tools.findings import Finding, Severity
from tools.formatters._common import resource_label, rule_docs_path

if TYPE_CHECKING:
    from tools.validate import Report

NAME = "sarif"

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule_descriptors(findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    from tools.rules import all_rules

    known = {r.id: r for r in all_rules()}
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for f in findings:
        if f.rule in index:
            continue
        index[f.rule] = len(descriptors)
        rule = known.get(f.rule)
        summary = rule.summary if rule else f.rule
        descriptor: dict[str, Any] = {
            "id": f.rule,
            "shortDescription": {"text": summary},
            "defaultConfiguration": {"level": _LEVELS[rule.severity if rule else f.severity]},
            "properties": {"tags": [f.category], "docs": rule_docs_path(f.rule)},
        }
        if rule and rule.explanation:
            descriptor["help"] = {"text": rule.explanation}
        descriptors.append(descriptor)
    return descriptors, index


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    region = {"startLine": f.line} if f.line else {}
    physical: dict[str, Any] = {"artifactLocation": {"uri": f.file.removeprefix("./")}}
    if region:
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    label = resource_label(f)
    if label:
        location["logicalLocations"] = [
            {"fullyQualifiedName": f"{label}{f.path}", "kind": "resource"}
        ]
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [location],
    }
    properties: dict[str, Any] = {"category": f.category}
    if f.template:
        properties["template"] = f.template
    result["properties"] = properties
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
    return result


def format_report(report: Report, color: bool = False) -> str:
    del color
    descriptors, index = _rule_descriptors(report.findings)
    sarif = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "todo-dapr",
                        "version": __version__,
                        "informationUri": "https://dapr.io/",
                        "rules": descriptors,
                    }
                },
                "results": [_result(f, index[f.rule]) for f in report.findings],
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"
