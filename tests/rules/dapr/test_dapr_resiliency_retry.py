"""dapr-resiliency-retry: retry policies as dapr/kit and pkg/resiliency decode them."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.resiliency_retry import RULE

DOC = """\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: res}
spec:
  policies:
    retries:
      NAME: BODY
  targets: {}
"""


def run(body: str, name: str = "r1") -> list[Finding]:
    text = DOC.replace("NAME", name).replace("BODY", body)
    return check(RULE, text)


@pytest.mark.parametrize(
    "body",
    [
        "{policy: constant, duration: 5s, maxRetries: 10}",
        "{policy: Exponential, maxInterval: 1h30m, maxRetries: -1}",
        "{policy: constant, duration: '250'}",
        "{}",
        "{matching: {httpStatusCodes: '500,502-504,,', gRPCStatusCodes: '1-4,+14'}}",
    ],
)
def test_valid_retries_pass(body: str) -> None:
    assert run(body) == []


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ("{policy: linear}", "/policy"),
        ("{policy: constant, duration: 5 seconds}", "/duration"),
        ("{policy: exponential, maxInterval: 3000000h}", "/maxInterval"),
        ("{matching: {httpStatusCodes: '500, 502'}}", "/matching/httpStatusCodes"),
        ("{matching: {httpStatusCodes: '500-'}}", "/matching/httpStatusCodes"),
        ("{matching: {httpStatusCodes: '600'}}", "/matching/httpStatusCodes"),
        ("{matching: {httpStatusCodes: '504-500'}}", "/matching/httpStatusCodes"),
        ("{matching: {httpStatusCodes: '500-502-504'}}", "/matching/httpStatusCodes"),
        ("{matching: {gRPCStatusCodes: '17'}}", "/matching/gRPCStatusCodes"),
    ],
)
def test_refused_retries_drop_the_resiliency(body: str, pointer: str) -> None:
    (finding,) = run(body)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/policies/retries/r1" + pointer
    assert "Could not read resiliency policy res" in finding.message


def test_status_codes_wrap_like_go_int32() -> None:
    # 4294967796 becomes 500 in Go's int32 conversion: daprd accepts it.
    assert run("{matching: {httpStatusCodes: '4294967796'}}") == []


def test_negative_duration_and_unused_fields() -> None:
    (negative,) = run("{policy: constant, duration: -1s}")
    assert negative.severity is Severity.ERROR and "back to back" in negative.message
    (unused,) = run("{policy: exponential, duration: 5s}")
    assert unused.severity is Severity.WARNING and unused.path.endswith("/duration")
    (unused,) = run("{policy: constant, maxInterval: 5s}")
    assert unused.severity is Severity.WARNING and unused.path.endswith("/maxInterval")
    (forever,) = run("{maxRetries: -2}")
    assert forever.severity is Severity.WARNING


def test_built_in_overrides() -> None:
    (reset,) = run("{policy: constant, maxRetries: 1}", name="DaprBuiltInServiceRetries")
    assert reset.severity is Severity.ERROR and "uses 3" in reset.message
    (unset,) = run("{policy: constant}", name="DaprBuiltInActorRetries")
    assert "no maxRetries" in unset.message
    assert run("{policy: constant, maxRetries: 5}", name="DaprBuiltInServiceRetries") == []
    (protected,) = run("{maxRetries: 10}", name="DaprBuiltInActorNotFoundRetries")
    assert protected.severity is Severity.ERROR and "ignores this definition" in protected.message
