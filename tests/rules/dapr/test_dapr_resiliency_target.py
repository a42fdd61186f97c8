"""dapr-resiliency-target: policy names and actor settings under spec.targets."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.resiliency_target import RULE

DOC = """\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: res}
spec:
  policies:
    timeouts: {general: 5s}
    retries: {retryForever: {policy: constant, maxRetries: -1}}
    circuitBreakers: {simpleCB: {trip: consecutiveFailures > 5}}
  targets: TARGETS
"""

OTHER = """\
---
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: other}
spec:
  policies:
    retries: {elsewhere: {policy: constant}}
  targets: {}
"""


def run(targets: str, extra: str = "") -> list[Finding]:
    return check(RULE, DOC.replace("TARGETS", targets) + extra)


def test_defined_and_built_in_names_pass() -> None:
    targets = (
        "{apps: {a: {timeout: general, retry: retryForever, circuitBreaker: simpleCB}},"
        " actors: {x: {retry: DaprBuiltInActorRetries, circuitBreaker: simpleCB,"
        " circuitBreakerScope: both, circuitBreakerCacheSize: 10}},"
        " components: {c: {inbound: {retry: retryForever}, outbound: {circuitBreaker: simpleCB}}}}"
    )
    assert run(targets) == []


def test_a_policy_from_another_resiliency_counts() -> None:
    assert run("{apps: {a: {retry: elsewhere}}}", OTHER) == []


def test_missing_retry_is_an_error() -> None:
    (finding,) = run("{apps: {a: {retry: retryForevr}}}")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/targets/apps/a/retry"
    assert "no retries" in finding.message


def test_missing_component_breaker_crashes() -> None:
    (finding,) = run("{components: {c: {outbound: {circuitBreaker: nope}}}}")
    assert finding.path == "/spec/targets/components/c/outbound/circuitBreaker"
    assert "panics" in finding.message


def test_actor_breaker_scope() -> None:
    (missing,) = run("{actors: {x: {circuitBreaker: simpleCB}}}")
    assert missing.severity is Severity.ERROR and "no circuitBreakerScope" in missing.message
    (wrong,) = run("{actors: {x: {circuitBreaker: simpleCB, circuitBreakerScope: Type}}}")
    assert wrong.path.endswith("/circuitBreakerScope")
    (unused,) = run("{actors: {x: {circuitBreakerScope: id}}}")
    assert unused.severity is Severity.WARNING


def test_negative_cache_size() -> None:
    (finding,) = run("{apps: {a: {circuitBreakerCacheSize: -1}}}")
    assert finding.severity is Severity.ERROR and "not read yet" in finding.message
    assert run("{apps: {a: {circuitBreakerCacheSize: 0}}}") == []
