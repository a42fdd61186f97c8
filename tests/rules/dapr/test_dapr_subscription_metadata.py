"""dapr-subscription-metadata: rawPayload as strconv.ParseBool reads it, by its exact key."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.subscription_metadata import RULE

DOC = """\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: sub}
spec:
  pubsubname: pubsub
  topic: orders
  routes: {default: /orders}
  metadata: {KEY: VALUE}
"""


def run(value: str, key: str = "rawPayload") -> list[Finding]:
    return check(RULE, DOC.replace("KEY", key).replace("VALUE", value), "t.yaml")


@pytest.mark.parametrize("value", ['"true"', '"False"', '"1"', '"t"', "true", '""'])
def test_go_booleans_pass(value: str) -> None:
    assert run(value) == []


@pytest.mark.parametrize("value", ['"yes"', '"on"', '"tRUE"', '"2"'])
def test_other_values_fail_every_message(value: str) -> None:
    (finding,) = run(value)
    assert finding.severity is Severity.ERROR and finding.path == "/spec/metadata/rawPayload"
    assert "every message" in finding.message


def test_key_must_be_spelt_exactly() -> None:
    (finding,) = run('"true"', key="rawpayload")
    assert "exact spelling" in finding.message
    assert run('"x"', key="other") == []
