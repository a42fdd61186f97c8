"""dapr-resiliency-breaker: breaker fields, and `trip` compiled as pkg/expr compiles it."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.resiliency_breaker import RULE

DOC = """\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: res}
spec:
  policies:
    circuitBreakers:
      cb: BODY
  targets: {}
"""


def run(body: str) -> list[Finding]:
    return check(RULE, DOC.replace("BODY", body))


def trip(expression: str) -> list[Finding]:
    return run("{trip: '" + expression.replace("'", "''") + "'}")


@pytest.mark.parametrize(
    "expression",
    [
        "consecutiveFailures > 5 || requests > 10",
        "consecutiveFailures >= 5",
        "totalFailures * 2 > requests && consecutiveSuccesses == 0",
        "consecutiveFailures > 5u || totalSuccesses < 3",
        "[consecutiveFailures, totalFailures].exists(x, x > 3)",
        "requests > 0 ? totalFailures / requests > 0 : false",
    ],
)
def test_valid_trips_pass(expression: str) -> None:
    assert trip(expression) == []


@pytest.mark.parametrize(
    "expression",
    [
        "consecutiveFailures >>= 5",
        "consecutiveFailures = 5",
        "(consecutiveFailures > 5",
        "consecutiveFailures > 5 &&",
        "consecutiveFailures > 5 and requests > 1",
        "consecutiveFailures > '5' + 1",
    ],
)
def test_invalid_trips_drop_the_resiliency(expression: str) -> None:
    (finding,) = trip(expression)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/policies/circuitBreakers/cb/trip"
    assert "not valid CEL" in finding.message and "Could not read resiliency" in finding.message


def test_unbound_names_and_non_boolean_results_never_trip() -> None:
    (unbound,) = trip("failures > 3")
    assert unbound.severity is Severity.ERROR and "'failures'" in unbound.message
    (number,) = trip("consecutiveFailures + 1")
    assert number.severity is Severity.ERROR and "never opens" in number.message


def test_breaker_fields() -> None:
    assert run("{maxRequests: 1, interval: 8s, timeout: '45000'}") == []
    (negative,) = run("{maxRequests: -1}")
    assert negative.severity is Severity.ERROR and "Could not read" in negative.message
    (wide,) = run("{maxRequests: 4294967297}")
    assert "(1," in wide.message
    (bad,) = run("{interval: 8 seconds}")
    assert bad.path.endswith("/interval") and "Could not read" in bad.message
    (zero,) = run("{timeout: 0s}")
    assert zero.severity is Severity.ERROR and "60s" in zero.message
    (back,) = run("{interval: -1s}")
    assert back.severity is Severity.WARNING


def test_an_undefined_function_hangs_the_sidecar() -> None:
    (finding,) = trip("max(consecutiveFailures, 3) > 5")
    assert finding.severity is Severity.ERROR and "'max'" in finding.message
    assert "forever" in finding.message
