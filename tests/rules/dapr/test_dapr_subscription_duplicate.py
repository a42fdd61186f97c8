"""dapr-subscription-duplicate: one subscription per pub/sub and topic in a sidecar."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.subscription_duplicate import RULE

SUB = """\
---
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: NAME}
spec:
  pubsubname: pubsub
  topic: TOPIC
  routes: {default: /in}
SCOPES
"""


def sub(name: str, topic: str = "orders", scopes: str = "") -> str:
    return SUB.replace("NAME", name).replace("TOPIC", topic).replace("SCOPES", scopes)


def run(text: str) -> list[Finding]:
    return check(RULE, text, "t.yaml")


def test_second_subscription_on_a_topic_is_an_error() -> None:
    (finding,) = run(sub("first") + sub("second"))
    assert finding.severity is Severity.ERROR
    assert finding.resource is not None and finding.resource.name == "second"
    assert "'first'" in finding.message and "every app" in finding.message


def test_overlapping_scopes_name_the_shared_apps() -> None:
    (finding,) = run(sub("a", scopes="scopes: [x, y]") + sub("b", scopes="scopes: [y, z]"))
    assert "subscribes y to" in finding.message


def test_distinct_topics_or_apps_pass() -> None:
    assert run(sub("a") + sub("b", topic="audit")) == []
    assert run(sub("a", scopes="scopes: [x]") + sub("b", scopes="scopes: [y]")) == []


def test_unscoped_after_scoped_names_the_earlier_apps() -> None:
    (finding,) = run(sub("a", scopes="scopes: [x]") + sub("b"))
    assert "subscribes x to" in finding.message


def test_many_subscriptions_on_one_topic_stay_linear() -> None:
    text = "".join(sub(f"s{i}", scopes=f"scopes: [app{i}]") for i in range(3000))
    assert run(text + sub("late", scopes="scopes: [app7]"))[0].message.startswith(
        "Subscription 's7'"
    )
