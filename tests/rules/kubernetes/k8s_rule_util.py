"""Run one kubernetes-category rule over YAML text (shared by this folder's tests)."""

from __future__ import annotations

from tools.findings import Finding, Severity
from tools.resources import load_text
from tools.rules import Bundle, Rule


def run(rule: Rule, text: str) -> list[Finding]:
    resources = load_text(text, "test.yaml").resources
    bundle = Bundle(resources)
    return [f for r in resources if rule.applies_to(r) for f in rule.check(r, bundle)]


def errors(rule: Rule, text: str) -> list[str]:
    return [f.message for f in run(rule, text) if f.severity is Severity.ERROR]


def warnings(rule: Rule, text: str) -> list[str]:
    return [f.message for f in run(rule, text) if f.severity is Severity.WARNING]
