"""dapr-actor-state-store: one actor state store per app."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.actor_state_store import RULE


def store(name: str, scopes: str = "", flag: str = '"true"', namespace: str = "default") -> str:
    scoped = f"scopes: [{scopes}]\n" if scopes else ""
    return f"""\
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  type: state.redis
  version: v1
  metadata:
    - {{name: redisHost, value: "redis:6379"}}
    - {{name: actorStateStore, value: {flag}}}
{scoped}"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_second_store_for_a_shared_app_is_reported() -> None:
    (finding,) = run(store("one", "backend, chat-api") + store("two", "chat-api"))
    assert finding.severity is Severity.ERROR
    assert finding.resource is not None and finding.resource.name == "two"
    assert finding.path == "/spec/metadata/1/value"
    assert "chat-api" in finding.message and "duplicate actor state store" in finding.message


def test_unscoped_stores_collide_for_every_app() -> None:
    (finding,) = run(store("one") + store("two", flag="1"))
    assert "every app" in finding.message


def test_disjoint_scopes_namespaces_and_false_flags_pass() -> None:
    assert run(store("one", "backend") + store("two", "chat-api")) == []
    assert run(store("one") + store("two", namespace="other")) == []
    assert run(store("one") + store("two", flag='"false"')) == []
    assert run(store("one") + store("one")) == []  # the same Component applied twice
