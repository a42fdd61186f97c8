"""reference-key-prefix: literal prefixes share one keyspace."""

from __future__ import annotations

import pytest
from manifests import component
from rule_check import check

from tools.core.findings import Finding
from tools.rules.reference.key_prefix import RULE

STORE = component(
    "{name: connectionString, secretKeyRef: {name: db, key: url}}",
    "{name: keyPrefix, value: VALUE}",
    type_="TYPE",
    name="statestore",
    scopes="backend, chat-api",
)


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_literal_prefix_warns() -> None:
    (finding,) = run(STORE.replace("TYPE", "state.postgresql").replace("VALUE", "todo-app"))
    assert finding.severity.value == "warning"
    assert finding.path == "/spec/metadata/1/value"
    assert "backend, chat-api" in finding.message
    assert "'todo-app||<key>'" in finding.message


@pytest.mark.parametrize("value", ["appid", "AppID", "name", "namespace", "none"])
def test_strategies_pass(value: str) -> None:
    assert run(STORE.replace("TYPE", "state.postgresql").replace("VALUE", value)) == []


def test_only_state_stores_are_checked() -> None:
    assert run(STORE.replace("TYPE", "pubsub.redis").replace("VALUE", "todo-app")) == []
