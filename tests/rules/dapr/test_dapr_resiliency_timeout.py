"""dapr-resiliency-timeout: daprd's own duration parsing (pkg/resiliency parseDuration)."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.resiliency_timeout import RULE

DOC = """\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: res}
spec:
  policies:
    timeouts:
      t1: "VALUE"
  targets: {}
"""


def run(value: str) -> list[Finding]:
    return check(RULE, DOC.replace("VALUE", value))


@pytest.mark.parametrize("value", ["1h30m", "500ms", "1500", "+5s", ".5s", "2562047h"])
def test_valid_timeouts_pass(value: str) -> None:
    assert run(value) == []


@pytest.mark.parametrize("value", ["10x", "5 s", "1.5", "", "3000000h", "99999999999999999999"])
def test_refused_timeouts_drop_the_resiliency(value: str) -> None:
    (finding,) = run(value)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/policies/timeouts/t1"
    assert "Could not read resiliency policy res" in finding.message
    assert "none of its targets is applied" in finding.message


def test_negative_and_wrapping_timeouts_are_errors() -> None:
    (negative,) = run("-5s")
    assert negative.severity is Severity.ERROR and "never time out" in negative.message
    (wrapped,) = run("9223372036854776")
    assert wrapped.severity is Severity.ERROR and "wraps around" in wrapped.message


def test_zero_timeout_warns() -> None:
    (finding,) = run("0")
    assert finding.severity is Severity.WARNING and "no timeout" in finding.message
