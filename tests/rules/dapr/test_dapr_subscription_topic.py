"""dapr-subscription-topic: allowedTopics, protectedTopics and topic scopes of the pub/sub."""

from __future__ import annotations

from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.dapr.subscription_topic import RULE

PUBSUB = (
    component(
        '{name: allowedTopics, value: "orders,audit,orders-dlq"}',
        '{name: protectedTopics, value: "audit"}',
        '{name: SubscriptionScopes, value: "shipping=orders, audit;billing="}',
        '{name: publishingScopes, value: "shipping=orders-dlq"}',
        name="pubsub",
        scopes="shipping, billing, other",
    )
    + "---\n"
)

SUB = """\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: sub}
spec:
  pubsubname: pubsub
  topic: TOPIC
  routes: {default: /in}
  EXTRA
scopes: [SCOPES]
"""


def run(topic: str, scopes: str, extra: str = "", pubsub: str = PUBSUB) -> list[Finding]:
    text = pubsub + SUB.replace("TOPIC", topic).replace("SCOPES", scopes).replace("EXTRA", extra)
    return check(RULE, text, "t.yaml")


def test_allowed_subscriptions_pass() -> None:
    assert run("orders", "shipping") == []
    assert run("audit", "shipping") == []
    assert run("orders", "other") == []  # not in subscriptionScopes: no granular limit
    assert run("orders", "shipping", "deadLetterTopic: orders-dlq") == []


def test_topic_outside_allowed_topics() -> None:
    (finding,) = run("payments", "shipping")
    assert finding.severity is Severity.ERROR and finding.path == "/spec/topic"
    assert "not in allowedTopics" in finding.message and "is not allowed" in finding.message


def test_scoped_and_protected_topics() -> None:
    (scoped,) = run("orders", "billing")
    assert "subscriptionScopes does not list it for billing" in scoped.message
    (protected,) = run("audit", "other")
    assert "protectedTopics" in protected.message


def test_dead_letter_topic_must_be_publishable() -> None:
    (finding,) = run("orders", "shipping", "deadLetterTopic: audit")
    assert finding.path == "/spec/deadLetterTopic"


def test_values_from_secrets_are_not_judged() -> None:
    secret = PUBSUB.replace(
        '{name: allowedTopics, value: "orders,audit,orders-dlq"}',
        "{name: allowedTopics, secretKeyRef: {name: s, key: k}}",
    )
    assert run("payments", "shipping", pubsub=secret) == []


def test_unscoped_subscription_kept_from_some_apps_warns() -> None:
    text = PUBSUB + SUB.replace("TOPIC", "orders").replace("EXTRA", "").replace(
        "scopes: [SCOPES]\n", ""
    )
    resources = load_text(text, "t.yaml").resources
    (finding,) = [f for r in resources for f in RULE.check(r, Bundle(resources))]
    assert finding.severity is Severity.WARNING and "billing" in finding.message
