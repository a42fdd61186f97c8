"""dapr-resiliency-deadletter-breaker: no inbound breaker on a pub/sub with dead-letter topics."""

from __future__ import annotations

from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.resiliency_deadletter_breaker import RULE


def pubsub(*metadata: str) -> str:
    return component('{name: brokers, value: "k:9092"}', *metadata, scopes="worker")


SUBSCRIPTION = """\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: orders}
spec:
  pubsubname: kafka-pubsub
  topic: orders
  routes: {default: /orders}
DEADLETTER
scopes: [worker]
"""
RESILIENCY = """\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: r}
spec:
  policies:
    timeouts: {t: 5s}
    circuitBreakers:
      cb: {maxRequests: 1, timeout: 30s, trip: consecutiveFailures >= 5}
  targets:
    components:
      kafka-pubsub:
TARGET
scopes: [worker]
"""
INBOUND_CB = "        inbound: {timeout: t, circuitBreaker: cb}\n"
OUTBOUND_CB = "        outbound: {timeout: t, circuitBreaker: cb}\n"
DLQ = "  deadLetterTopic: orders-dlq"


def run(
    target: str = INBOUND_CB,
    dead_letter: str = DLQ,
    metadata: tuple[str, ...] = (),
    scopes: str = "[worker]",
) -> list[Finding]:
    docs = [
        pubsub(*metadata),
        SUBSCRIPTION.replace("DEADLETTER", dead_letter).replace("[worker]", scopes),
        RESILIENCY.replace("TARGET\n", target),
    ]
    return check(RULE, "---\n".join(docs))


def test_an_inbound_breaker_with_dead_letter_subscriptions_warns() -> None:
    (finding,) = run()
    assert finding.severity is Severity.WARNING
    assert finding.path == "/spec/targets/components/kafka-pubsub/inbound/circuitBreaker"
    assert "orders" in finding.message and "dead-letter" in finding.message


def test_a_shared_breaker_with_bounded_kafka_retries_is_an_error() -> None:
    bounded = ('{name: backOffMaxRetries, value: "5"}',)
    (finding,) = run(INBOUND_CB + OUTBOUND_CB, metadata=bounded)
    assert finding.severity is Severity.ERROR
    assert "lost" in finding.message
    # the exponential policy stops after 15 minutes unless maxElapsedTime is 0
    exponential = ("{name: backOffPolicy, value: exponential}",)
    (finding,) = run(INBOUND_CB + OUTBOUND_CB, metadata=exponential)
    assert finding.severity is Severity.ERROR
    unbounded = (*exponential, '{name: backOffMaxElapsedTime, value: "0"}')
    (finding,) = run(INBOUND_CB + OUTBOUND_CB, metadata=unbounded)
    assert finding.severity is Severity.WARNING


def test_no_finding_without_an_inbound_breaker_or_dead_letters() -> None:
    assert run(OUTBOUND_CB) == []
    assert run("        inbound: {timeout: t}\n") == []
    assert run(dead_letter="") == []
    # the subscription goes to apps the Resiliency does not apply to
    assert run(scopes="[other]") == []


DEFAULTS = """\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: r}
spec:
  policies:
    circuitBreakers:
      NAME: {maxRequests: 1, timeout: 30s, trip: consecutiveFailures >= 5}
TARGETS
scopes: [worker]
"""


def run_defaults(breaker: str, targets: str = "") -> list[Finding]:
    docs = [
        pubsub(),
        SUBSCRIPTION.replace("DEADLETTER", DLQ),
        DEFAULTS.replace("NAME", breaker).replace("TARGETS\n", targets),
    ]
    return check(RULE, "---\n".join(docs))


def test_a_default_inbound_breaker_applies_to_a_pubsub_without_a_target() -> None:
    for name in (
        "DefaultPubsubComponentInboundCircuitBreakerPolicy",
        "DefaultComponentInboundCircuitBreakerPolicy",
        "DefaultComponentCircuitBreakerPolicy",
        "DefaultCircuitBreakerPolicy",
    ):
        (finding,) = run_defaults(name)
        assert finding.path == f"/spec/policies/circuitBreakers/{name}"
    # an outbound-only default is no inbound breaker
    assert run_defaults("DefaultPubsubComponentOutboundCircuitBreakerPolicy") == []
    # a target of its own replaces the defaults
    own = "  targets:\n    components:\n      kafka-pubsub:\n        outbound: {}\n"
    assert run_defaults("DefaultComponentCircuitBreakerPolicy", own) == []
