"""Validation cost stays linear in the input: pathological 256 KiB values validate quickly.

A single 256 KiB token once took 90 s in the secret scan (a URL pattern rescanning from every
position). The bound below is generous so that a loaded machine does not fail it; a quadratic
scan of these inputs takes minutes, so it still fails clearly.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from tools.core.findings import Finding
from tools.redaction.masking import redact_text
from tools.secrets.text import find_secrets_in_text
from tools.validate import Source, check, load_sources, validate

SIZE = 256 * 1024
BOUND_SECONDS = 2.0

SHAPES = {
    "single token": "a" * SIZE,
    "mixed-case token": "aB3" * (SIZE // 3),
    "a@ runs": "a@" * (SIZE // 2),
    ":// runs": "://" * (SIZE // 3),
    "= runs": "=" * SIZE,
    "whitespace": "x" + " " * SIZE + "x",
    "user:password runs": "a:" * (SIZE // 2),
    "scheme runs": ("a" * 1000 + "://") * (SIZE // 1003),
    "password= runs": "password='" * (SIZE // 10),
    "PEM headers": "-----BEGIN A-----" * (SIZE // 17),
    "dotted": "a." * (SIZE // 2),
    "AWS prefixes": "AKIA" * (SIZE // 4),
    "Slack prefixes": "xoxb-" * (SIZE // 5),
    "Stripe prefixes": "sk_live_" * (SIZE // 8),
    "JWT headers": "eyJ" * (SIZE // 3),
    "JWT parts": "eyJabcdefgh." * (SIZE // 12),
}


def _component(value: str) -> dict[str, Any]:
    return {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "c"},
        "spec": {
            "type": "pubsub.kafka",
            "version": "v1",
            "metadata": [{"name": "brokers", "value": value}],
        },
        "scopes": ["a"],
    }


def _timed_validate(doc: dict[str, Any]) -> float:
    text = json.dumps(doc)
    start = time.perf_counter()
    report = validate([Source("big.yaml", text)])
    elapsed = time.perf_counter() - start
    assert all("internal error" not in f.message for f in report.findings)
    return elapsed


@pytest.mark.parametrize("shape", SHAPES)
def test_secret_scan_is_linear(shape: str) -> None:
    text = SHAPES[shape]
    start = time.perf_counter()
    list(find_secrets_in_text(text))
    redact_text(text)
    assert time.perf_counter() - start < BOUND_SECONDS


@pytest.mark.parametrize("shape", SHAPES)
def test_component_value_validates_quickly(shape: str) -> None:
    assert _timed_validate(_component(SHAPES[shape])) < BOUND_SECONDS


@pytest.mark.parametrize(
    "place",
    ["name", "namespace", "label", "annotation", "data key", "secret", "kind", "apiVersion"],
)
def test_a_huge_token_anywhere_validates_quickly(place: str) -> None:
    value = "a" * SIZE
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    if place in ("name", "namespace"):
        doc["metadata"][place] = value
    elif place == "label":
        doc["metadata"]["labels"] = {"k": value, value: "v"}
    elif place == "annotation":
        doc["metadata"]["annotations"] = {"k": value, value: "v"}
    elif place == "data key":
        doc["data"] = {value: "x"}
    elif place == "secret":
        doc.update(kind="Secret", stringData={"k": value})
    else:
        doc[place] = value
    assert _timed_validate(doc) < BOUND_SECONDS


def test_url_passwords_are_still_found_and_redacted() -> None:
    text = "x " + "a" * 5000 + " postgres://app:s3cret-pw@db:5432/todo"
    assert ("a password in a URL", "s3cret-pw") in list(find_secrets_in_text(text))
    assert "s3cret-pw" not in redact_text(text)
    assert "postgres://app:[REDACTED]@db" in redact_text(text)


def test_one_finding_per_key_of_a_large_mapping_is_linear() -> None:
    """Each finding looks up its line and redacts its message: both once cost time in the size
    of the whole resource per finding (quadratic in all); 3,000 bad labels took 18 s."""
    count = 3000
    labels = {f"k{i}!": f"aB3dE5gH7jK9mN1pQ3sT{i}" for i in range(count)}
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": labels}}
    text = "\n".join(
        ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: c", "  labels:"]
        + [f"    '{k}': {v}" for k, v in labels.items()]
    )
    start = time.perf_counter()
    report = validate([Source("labels.yaml", text)])
    elapsed = time.perf_counter() - start
    keys = [f for f in report.findings if f.rule == "kubernetes-labels"]
    assert len(keys) == count
    assert keys[-1].line == count + 5  # lines still found, from the right key
    assert doc["metadata"]["labels"]
    assert elapsed < 3 * BOUND_SECONDS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "A" * 50_000),  # splitting metadata names into words
        ("value", "${" * 50_000),  # the template-marker search
        ("value", "{{" + "}}" * 50_000),  # the placeholder pattern
    ],
)
def test_metadata_names_and_values_are_scanned_linearly(field: str, value: str) -> None:
    doc = _component("x")
    doc["spec"]["metadata"][0][field] = value
    assert _timed_validate(doc) < BOUND_SECONDS


def test_a_long_source_comment_is_read_linearly() -> None:
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    text = "# Source: a" + " " * 100_000 + "b\n" + doc
    start = time.perf_counter()
    report = validate([Source("source.yaml", text)])
    assert time.perf_counter() - start < BOUND_SECONDS
    assert report.resources == 1


def _forget_per_string_results() -> None:
    """Empty the bounded caches of tools (results per string or per name): a timed run must
    not find the answers a previous run of the same input left, or the small input, whose
    strings all fit in a cache, is timed on cache hits and the large one on misses. The
    unbounded caches hold what a process loads once (catalog, registry, compiled schemas)."""
    for name, module in list(sys.modules.items()):
        if name != "tools" and not name.startswith("tools."):
            continue
        for value in list(vars(module).values()):
            info = getattr(value, "cache_info", None)
            if callable(info) and info().maxsize is not None:
                value.cache_clear()


# Cross-resource rules: each resource is checked with the whole set at hand, so a rule that
# scans the set once per resource is quadratic. A linear rule takes about 4 times as long on
# 4 times the input, a quadratic one 16 times; the best of a few runs keeps noise out.
def _rule_seconds(rule: str, text: str) -> tuple[float, list[Finding]]:
    loaded, _ = load_sources([Source("big.yaml", text)])
    best = float("inf")
    for _ in range(3):
        _forget_per_string_results()
        start = time.perf_counter()
        findings = check(loaded, chosen={rule})
        best = min(best, time.perf_counter() - start)
    return best, findings


def _assert_linear(rule: str, make: Callable[[int], str], count: int, each: int = 1) -> None:
    """``make(n)`` builds n groups of resources with ``each`` findings of ``rule`` each."""
    small, found_small = _rule_seconds(rule, make(count))
    large, found_large = _rule_seconds(rule, make(4 * count))
    assert [len(found_small), len(found_large)] == [each * count, 4 * each * count]
    assert {f.rule for f in found_small + found_large} <= {rule}
    assert large < 8 * small + 0.05, f"{small:.3f} s, then {large:.3f} s on 4 times the input"


def _kafka(name: str, extra: str = "", scopes: str = "a, b", namespace: str = "ns") -> str:
    return f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  type: pubsub.kafka
  version: v1
  metadata:
  - {{name: brokers, value: "b:9092"}}
  - {{name: authType, value: none}}{extra}
scopes: [{scopes}]
"""


def _subscription(name: str, pubsub: str, app: str, extra: str = "", namespace: str = "ns") -> str:
    return f"""\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {{name: {name}, namespace: {namespace}}}
spec: {{pubsubname: {pubsub}, topic: t, routes: {{default: /r}}{extra}}}
scopes: [{app}]
"""


def _consumer_groups(count: int) -> str:
    group = "\n  - {name: consumerGroup, value: g}"
    docs = []
    for i in range(count):
        docs += [_kafka(f"ps{i}", group), _subscription(f"a{i}", f"ps{i}", "a")]
        docs.append(_subscription(f"b{i}", f"ps{i}", "b"))
    return "---\n".join(docs)


def test_consumer_groups_are_checked_in_linear_time() -> None:
    """Each pub/sub's subscribers were looked up by scanning its whole namespace: 10,000
    pub/subs took 62 s."""
    _assert_linear("reference-consumer-group", _consumer_groups, 300)


def _consumer_groups_apart(count: int) -> str:
    group = "\n  - {name: consumerGroup, value: g}"
    docs = []
    for i in range(count):
        docs.append(_kafka("ps", group, namespace=f"ns{i}"))
        docs += [_subscription(app, "ps", app, namespace=f"ns{i}") for app in ("a", "b")]
    return "---\n".join(docs)


def test_many_namespaces_are_grouped_in_linear_time() -> None:
    """The resources of a namespace were found by scanning the whole input, once per
    namespace: 4,000 pub/subs in 4,000 namespaces took 13 s."""
    _assert_linear("reference-consumer-group", _consumer_groups_apart, 300)


def _resiliency(name: str, app: str, target: str = "") -> str:
    """A Resiliency with an inbound breaker on ``target``, or on every pub/sub by default."""
    components = f"{{{target}: {{inbound: {{circuitBreaker: cb}}}}}}" if target else "{}"
    breaker = "cb" if target else "DefaultComponentInboundCircuitBreakerPolicy"
    return f"""\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {{name: {name}, namespace: ns}}
spec:
  policies:
    circuitBreakers:
      {breaker}: {{maxRequests: 1, timeout: 30s, trip: consecutiveFailures > 5}}
  targets:
    components: {components}
scopes: [{app}]
"""


def _dead_letter_breakers(count: int, by_default: bool = False) -> str:
    """One app per pub/sub, with a Subscription with a dead-letter topic and a Resiliency with
    an inbound breaker on that pub/sub (a finding), or by default on every pub/sub (a finding
    for its own, none for the others: the app loads none of their Subscriptions)."""
    dead_letter = ", deadLetterTopic: dead"
    docs = []
    for i in range(count):
        target = "" if by_default else f"ps{i}"
        docs += [_kafka(f"ps{i}", scopes=f"app{i}"), _resiliency(f"r{i}", f"app{i}", target)]
        docs.append(_subscription(f"s{i}", f"ps{i}", f"app{i}", dead_letter))
    return "---\n".join(docs)


def test_dead_letter_breakers_are_checked_in_linear_time() -> None:
    """Each target's dead-letter Subscriptions were found by scanning the whole namespace:
    10,000 Resiliencies took 40 s."""
    _assert_linear("dapr-resiliency-deadletter-breaker", _dead_letter_breakers, 300)


def test_default_dead_letter_breakers_are_checked_in_linear_time() -> None:
    """Default breakers were tried on every pub/sub of the namespace, each time scanning it for
    dead-letter Subscriptions (cubic: 160 Resiliencies took seconds)."""
    _assert_linear(
        "dapr-resiliency-deadletter-breaker", partial(_dead_letter_breakers, by_default=True), 40
    )


def _actor_stores(count: int) -> str:
    """Two actor state stores per app: the second of each pair is a finding."""
    docs = []
    for i in range(count):
        for name in (f"a{i}", f"b{i}"):
            docs.append(f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: {name}, namespace: ns}}
spec:
  type: state.redis
  version: v1
  metadata:
  - {{name: redisHost, value: "r:6379"}}
  - {{name: actorStateStore, value: "true"}}
scopes: [app{i}]
""")
    return "---\n".join(docs)


def test_actor_state_stores_are_checked_in_linear_time() -> None:
    """Each actor store was compared with every earlier one: 4,000 stores took 12 s."""
    _assert_linear("dapr-actor-state-store", _actor_stores, 300)


def _scoped_component(i: int) -> str:
    """A state store Component scoped to app{i}: the app the NetworkPolicy rule knows of."""
    return f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: c{i}, namespace: ns}}
spec: {{type: state.redis, version: v1, metadata: [{{name: redisHost, value: "r:6379"}}]}}
scopes: [app{i}]
---
"""


def _egress_policies(count: int) -> str:
    """One app per Component scope, each with a NetworkPolicy whose egress misses DNS."""
    docs = []
    for i in range(count):
        docs.append(
            _scoped_component(i)
            + f"""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p{i}, namespace: ns}}
spec:
  podSelector: {{matchLabels: {{app: app{i}}}}}
  policyTypes: [Egress]
  egress: [{{ports: [{{port: 8080}}]}}]
"""
        )
    return "---\n".join(docs)


def test_egress_policies_are_checked_in_linear_time() -> None:
    """Every policy was tried on every known app, and every app's policies were found by going
    through all policies: 2,000 policies and apps took 3.7 s."""
    _assert_linear("security-networkpolicy-egress", _egress_policies, 500)


def _egress_everywhere(count: int) -> str:
    """One app per Component scope, and as many policies that select every pod and allow all
    egress (no finding)."""
    docs = []
    for i in range(count):
        docs.append(
            _scoped_component(i)
            + f"""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p{i}, namespace: ns}}
spec: {{podSelector: {{}}, policyTypes: [Egress], egress: [{{}}]}}
"""
        )
    return "---\n".join(docs)


def test_egress_policies_for_every_pod_are_checked_in_linear_time() -> None:
    """A policy selecting every pod went through every known app: 4,000 took 13.6 s."""
    _assert_linear("security-networkpolicy-egress", _egress_everywhere, 500, each=0)
