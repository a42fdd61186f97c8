"""Run one rule over YAML text as the validator does: each resource it applies to, with the
whole file as the bundle (shared by the rule tests)."""

from __future__ import annotations

from tools.core.context import RunContext
from tools.core.findings import Finding
from tools.core.resources import load_text
from tools.rules import Bundle, Rule


def check(
    rule: Rule, text: str, name: str = "test.yaml", release: str | None = None
) -> list[Finding]:
    """``release``: the Dapr release judged against (default the newest)."""
    resources = load_text(text, name).resources
    bundle = Bundle(resources, RunContext(dapr_release=release))
    return [f for r in resources if rule.applies_to(r) for f in rule.check(r, bundle)]
