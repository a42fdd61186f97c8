"""reference-subscription-pubsub: subscriptions scoped to apps that do not load the pub/sub."""

from __future__ import annotations

from tools.core.findings import Finding
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.reference.subscription_pubsub import RULE

PUBSUB = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: kafka-pubsub, namespace: default}
spec: {type: pubsub.kafka, version: v1, metadata: []}
scopes: [backend, chat-api]
---
"""
SUB = """\
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {name: task-events}
spec: {pubsubname: kafka-pubsub, topic: task-events, route: /events}
"""


def run(text: str, profile: str | None = None) -> list[Finding]:
    resources = load_text(text, "test.yaml", profile).resources
    bundle = Bundle(resources)
    return [f for r in resources for f in RULE.check(r, bundle)]


def test_spec_subscription_never_fires() -> None:
    (finding,) = run(PUBSUB + SUB + "scopes: [notification-service]\n")
    assert finding.severity.value == "error"
    assert finding.path == "/scopes"
    assert "notification-service" in finding.message
    assert "never fires" in finding.message


def test_partly_covered_scopes_name_only_the_missing_apps() -> None:
    (finding,) = run(PUBSUB + SUB + "scopes: [backend, audit]\n")
    assert "in audit the sidecar" in finding.message


def test_matching_or_unscoped_subscriptions_pass() -> None:
    assert run(PUBSUB + SUB + "scopes: [backend]\n") == []
    assert run(PUBSUB + SUB) == []  # every app: the ones loading the pub/sub get it
    unscoped_pubsub = PUBSUB.replace("scopes: [backend, chat-api]\n", "")
    assert run(unscoped_pubsub + SUB + "scopes: [notification-service]\n") == []


def test_pubsubname_naming_a_state_store_is_an_error() -> None:
    state = PUBSUB.replace("pubsub.kafka", "state.postgresql")
    (finding,) = run(state + SUB + "scopes: [backend]\n")
    assert finding.path == "/spec/pubsubname"
    assert "state.postgresql" in finding.message


def test_missing_pubsub_and_other_namespaces_are_not_this_rule() -> None:
    assert run(SUB + "scopes: [notification-service]\n") == []
    other_ns = SUB.replace("{name: task-events}", "{name: task-events, namespace: other}")
    assert run(PUBSUB + other_ns + "scopes: [notification-service]\n") == []
