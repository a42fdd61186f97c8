"""Run one kubernetes-category rule over YAML text (shared by this folder's tests)."""

from __future__ import annotations

from rule_check import check as run

from tools.core.findings import Severity
from tools.rules import Rule

__all__ = ["errors", "run", "warnings"]


def errors(rule: Rule, text: str) -> list[str]:
    return [f.message for f in run(rule, text) if f.severity is Severity.ERROR]


def warnings(rule: Rule, text: str) -> list[str]:
    return [f.message for f in run(rule, text) if f.severity is Severity.WARNING]
