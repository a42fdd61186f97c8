"""security-missing-scopes."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding
from tools.rules.security.missing_scopes import RULE

HEAD = {
    "Component": "kind: Component\nspec: {type: state.redis, version: v1, metadata: []}\n",
    "Subscription": "kind: Subscription\nspec: {pubsubname: p, topic: t, route: /t}\n",
}


def run(text: str) -> list[Finding]:
    return check(RULE, text)


@pytest.mark.parametrize("kind", sorted(HEAD))
def test_absent_and_empty_scopes_are_errors(kind: str) -> None:
    base = f"apiVersion: dapr.io/v1alpha1\nmetadata: {{name: x}}\n{HEAD[kind]}"
    (absent,) = run(base)
    assert "has no scopes" in absent.message and absent.path == ""
    (empty,) = run(base + "scopes: []\n")
    assert "empty scopes" in empty.message and empty.path == "/scopes"
    assert run(base + "scopes: [backend]\n") == []


def test_other_kinds_are_not_scoped() -> None:
    text = "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: {name: c}\nspec: {}\n"
    assert run(text) == []
