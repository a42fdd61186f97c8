"""reference-consumer-group: a fixed consumer group shared by apps on one topic."""

from __future__ import annotations

from manifests import KAFKA_BROKERS, component
from rule_check import check

from tools.core.findings import Finding
from tools.rules.reference.consumer_group import RULE

PUBSUB = component(
    KAFKA_BROKERS,
    "{name: consumerGroup, value: GROUP}",
    scopes="backend, chat-api, notification-service",
)


def sub(name: str, topic: str, apps: str) -> str:
    return f"""\
---
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {{name: {name}}}
spec: {{pubsubname: kafka-pubsub, topic: {topic}, route: /r}}
scopes: [{apps}]
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_two_apps_on_one_topic_with_a_fixed_group_warn() -> None:
    text = PUBSUB.replace("GROUP", "todo-app-group") + sub("a", "task-events", "backend")
    text += sub("b", "task-events", "chat-api")
    (finding,) = run(text)
    assert finding.severity.value == "warning"
    assert finding.path == "/spec/metadata/1/value"
    assert "'task-events': backend, chat-api" in finding.message


def test_subscription_scopes_metadata_counts_as_subscribers() -> None:
    text = PUBSUB.replace("GROUP", "shared").replace(
        "scopes:",
        '    - {name: subscriptionScopes, value: "backend=t1;notification-service=t1,t2"}\nscopes:',
    )
    (finding,) = run(text)
    assert "'t1': backend, notification-service" in finding.message


def test_templates_distinct_topics_and_one_app_pass() -> None:
    two = sub("a", "task-events", "backend") + sub("b", "task-events", "chat-api")
    assert run(PUBSUB.replace("GROUP", "'{appID}'") + two) == []
    assert run(PUBSUB.replace("    - {name: consumerGroup, value: GROUP}\n", "") + two) == []
    fixed = PUBSUB.replace("GROUP", "g")
    assert run(fixed + sub("a", "x", "backend") + sub("b", "y", "chat-api")) == []
    assert run(fixed + sub("a", "x", "backend, chat-api").replace("chat-api]", "backend]")) == []
    # subscribers outside the component's scopes never receive anything
    assert run(fixed + sub("a", "x", "backend") + sub("b", "x", "audit")) == []
