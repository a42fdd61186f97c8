"""Property-based tests of the chart's values, with values generated from values.schema.json.

Every schema-valid values set must render with Helm 4 and validate with zero errors (or be
refused by one of the chart's own ``fail`` checks, which name the values path); every values set
broken in one place the schema forbids must be refused by ``helm template`` with that path.

TODO_DAPR_FUZZ_EXAMPLES sets the total number of examples: the test suite runs a smoke count
(40, a few seconds) and ``nox -s fuzz`` runs 10,000. Three fifths go to valid values sets (in two
shards, one per core under ``-n 2``), the rest is shared by the four mutation kinds. One example
is one ``helm template`` run; the regression ``@example`` cases run at every count.
"""

from __future__ import annotations

import copy
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from chartutil import CHART, NAMESPACE, RELEASE, Rendered, helm, parse_stream
from fuzz_strategies import (
    DEFAULTS,
    MUTATION_KINDS,
    SCHEMA,
    VALIDATOR,
    Mutation,
    consistent_values,
    helm_file,
    helm_pointer,
    mutations,
)
from hypothesis import HealthCheck, example, given, settings

from tools.chart.helm import run
from tools.core.findings import Finding
from tools.validate import Source, validate

T = TypeVar("T")

TOTAL = int(os.environ.get("TODO_DAPR_FUZZ_EXAMPLES", "40"))
# Below this many values sets per shard the share that renders is too noisy to assert on.
RATIO_MIN_SETS = 50
VALID_EXAMPLES = max(1, TOTAL * 3 // 5)
# The valid-values property is split in two halves so that `pytest -n 2` keeps both cores busy.
VALID_SHARDS = 2
MUTATION_EXAMPLES = max(1, (TOTAL - VALID_EXAMPLES) // len(MUTATION_KINDS))
HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]
SCHEMA_REFUSAL = "values don't meet the specifications of the schema"
# helm's wording for a template `fail`: "execution error at (<template>:<line>:<col>): <message>"
CHART_FAIL = re.compile(r"execution error at \([^)]*\): (?P<message>.+)")
VALUES_PATH = re.compile(r"(?P<root>[A-Za-z]+)([.\[\]A-Za-z0-9<>_-]*)[: ]")


# Characters a YAML stream may not carry raw (YAML 1.2 "printable" minus NEL and BOM, which
# Helm's parser refuses too); inside a JSON string they are written as \\u escapes instead.
NOT_PRINTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def yaml_safe_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return NOT_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(values: dict[str, Any]) -> Rendered:
    """``helm template`` with ``values`` as a -f file, written as JSON.

    JSON, not YAML: Helm reads YAML 1.1, where an unquoted y, n, on or off is a boolean. PyYAML
    (YAML 1.1 too, but without y/n) would leave a generated name such as ``y`` unquoted, and Helm
    would see a boolean the generated set never had.
    """
    with tempfile.TemporaryDirectory(prefix="todo-dapr-fuzz-") as tmp:
        path = Path(tmp) / "values.json"
        path.write_text(yaml_safe_json(helm_file(values)), encoding="utf-8")
        args = ("template", RELEASE, str(CHART), "--namespace", NAMESPACE, "-f", str(path))
        result = run(helm(4), *args)
    documents = parse_stream(result.stdout) if result.returncode == 0 else []
    return Rendered(result.returncode, result.stdout, result.stderr, documents)


def chart_refusal(stderr: str) -> str | None:
    """The message of a chart `fail` that starts with a values path, or None."""
    match = CHART_FAIL.search(stderr)
    if not match:
        return None
    message = match.group("message")
    path = VALUES_PATH.match(message)
    if path and path.group("root") in SCHEMA["properties"]:
        return message
    return None


def check_valid(values: dict[str, Any], outcomes: Counter[str]) -> None:
    assert VALIDATOR.is_valid(values), "the strategy produced a values set the schema refuses"
    rendered = render(values)
    if rendered.returncode != 0:
        assert SCHEMA_REFUSAL not in rendered.stderr, (
            f"helm refused a values set that values.schema.json accepts:\n{rendered.stderr}"
        )
        message = chart_refusal(rendered.stderr)
        assert message, (
            f"helm failed without a chart `fail` naming a values path:\n{rendered.stderr}"
        )
        outcomes[f"refused: {message.split(':', 1)[0].split(' ')[0]}"] += 1
        return
    report = validate([Source("fuzz-render.yaml", rendered.stdout, "fuzz")])
    errors = [f for f in report.findings if f.is_error]
    tokens = [f for f in errors if is_token_finding(f)]
    if tokens and len(tokens) == len(errors):
        outcomes["flagged: high-entropy token"] += 1
        return
    assert not errors, "the validator reports errors on a clean render:\n" + "\n".join(
        f"{f.rule} {f.template} {f.path}: {f.message}" for f in errors
    )
    outcomes["rendered"] += 1


def is_token_finding(finding: Finding) -> bool:
    """A random-looking literal that security-secret-in-value takes for a token.

    The one error a schema cannot prevent: whether a string looks random is a question of
    entropy, not of a regular expression, so the validator, not the schema, reports it.
    """
    return finding.rule == "security-secret-in-value" and finding.message.startswith(
        "value holds a high-entropy token;"
    )


def defaults_with(**changes: Any) -> dict[str, Any]:
    """The chart's defaults with some top-level sections changed (merged one level deep)."""
    values = copy.deepcopy(DEFAULTS)
    for key, change in changes.items():
        values[key] = {**values[key], **change} if isinstance(change, dict) else change
    return values


SECOND_TASK_EVENTS = {
    "name": "task-events-audit",
    "topic": "task-events",
    "routes": {"default": "/audit"},
    "scopes": ["notification-service"],
}
POLICY_WITHOUT_TRUST_DOMAIN = {
    "enabled": True,
    "defaultAction": "deny",
    "trustDomain": "public",
    "policies": [{"appId": "backend", "defaultAction": "allow", "namespace": NAMESPACE}],
}
GRPC_STATE_DENIED = {
    "allowed": [],
    "denied": [{"name": "state", "version": "v1", "protocol": "grpc"}],
}
LONGEST_TIMEOUTS = {
    "pubsub": {**DEFAULTS["resiliency"]["pubsub"], "timeout": "99999h"},
    "stateStore": {**DEFAULTS["resiliency"]["stateStore"], "timeout": "99999h"},
}

REQUEST_ABOVE_LIMIT = {
    "requests": {"cpu": "0", "memory": "003"},
    "limits": {"cpu": "0", "memory": "0"},
}
ROUTED_SUBSCRIPTION = {
    **DEFAULTS["subscriptions"][0],
    "routes": {
        "default": "/events",
        "rules": [{"match": 'event.type == "a" && event.data.n >= -1', "path": "/a"}],
    },
}


def breaker_with(**changes: str) -> dict[str, Any]:
    """The default state store resiliency with some circuit breaker fields changed."""
    policy = copy.deepcopy(DEFAULTS["resiliency"]["stateStore"])
    policy["circuitBreaker"].update(changes)
    return policy


BREAKER_TRIP_OF_TWO = {
    "stateStore": breaker_with(trip="consecutiveFailures>5||totalFailures >= 100", timeout="1ns")
}

NETWORK_ON = {
    "enabled": True,
    "kafka": {"namespaces": ["kafka"], "ports": [9092]},
    "postgres": {"namespaces": ["db"], "ports": [5432]},
    "apiServer": {"cidrs": ["10.0.0.0/28"], "ports": [443]},
}


def _unchanged(_: object) -> Callable[[T], T]:
    return lambda test: test


@pytest.mark.slow(4.5, together="values-fuzz")
@pytest.mark.parametrize("shard", range(VALID_SHARDS))
def test_every_schema_valid_values_set_renders_and_validates_clean(shard: int) -> None:
    outcomes: Counter[str] = Counter()
    # The explicit regression cases run once, in the first shard; every shard draws its own.
    regression = example if shard == 0 else _unchanged

    # Regression cases found by this test (reduced by hand); see the comments for the cause.
    # A label key that YAML reads as a number: the chart wrote label keys unquoted, and the
    # schema-kubernetes rule crashed on the int key of the helm test Pod (both fixed).
    @regression(defaults_with(commonLabels={"5": "x"}, tests={"enabled": True}))
    # The closest valid neighbours of the values in FOUND_SCHEMA_GAPS (now refused).
    @regression(defaults_with(stateStore={"extraMetadata": [{"name": "maxConns", "value": "1"}]}))
    @regression(defaults_with(stateStore={"timeout": "1s"}))
    @regression(defaults_with(scheduler={"schedule": "0 0-5/2 * * MON-FRI"}))
    # A schedule with a backwards range: the chart refuses it (scheduler.schedule).
    @regression(defaults_with(scheduler={"schedule": "0 5-3 * * *"}))
    # Two subscriptions delivering task-events to one app: daprd keeps only the first
    # (dapr-subscription-duplicate); the chart refuses the second (subscriptions[3].scopes).
    @regression(defaults_with(subscriptions=[*DEFAULTS["subscriptions"], SECOND_TASK_EVENTS]))
    # An access control policy without a trust domain: daprd refused the whole section
    # (dapr-access-control); the policy now takes the section's trust domain.
    @regression(defaults_with(configuration={"accessControl": POLICY_WITHOUT_TRUST_DOMAIN}))
    # The closest valid neighbour of a gRPC rule with HTTP's version form (now refused).
    @regression(defaults_with(configuration={"api": GRPC_STATE_DENIED}))
    # The longest durations the schema accepts still parse in Go (dapr-resiliency-timeout).
    @regression(defaults_with(pubsub={"initTimeout": "99999h"}, resiliency=LONGEST_TIMEOUTS))
    # A test pod requesting more memory than its limit (kubernetes-pod-resources): the chart
    # now refuses it (tests.resources.requests.memory).
    @regression(defaults_with(tests={"enabled": True, "resources": REQUEST_ABOVE_LIMIT}))
    # The closest valid neighbours of a route match and a trip that are not CEL, and of a
    # breaker timeout of zero (now refused).
    @regression(defaults_with(subscriptions=[ROUTED_SUBSCRIPTION]))
    @regression(defaults_with(resiliency=BREAKER_TRIP_OF_TWO))
    # DNS pods chosen through networkPolicy.dns (security-networkpolicy-egress once ignored them).
    @regression(
        defaults_with(
            networkPolicy={**NETWORK_ON, "dns": {"namespace": "dns", "podLabels": {"app": "dns"}}}
        )
    )
    @settings(
        max_examples=max(1, VALID_EXAMPLES // VALID_SHARDS),
        deadline=None,
        suppress_health_check=HEALTH,
    )
    @given(consistent_values())
    def prop(values: dict[str, Any]) -> None:
        check_valid(values, outcomes)

    prop()
    total = sum(outcomes.values())
    summary = ", ".join(f"{k} {v}" for k, v in outcomes.most_common())
    print(f"\nshard {shard}: {total} values sets: {summary}")
    if total >= RATIO_MIN_SETS:
        assert outcomes["rendered"] >= 0.75 * total, f"too few sets render: {summary}"


GRPC_HTTP_VERSION = {"name": "state", "version": "v1.0", "protocol": "grpc"}
NOT_CEL_ROUTES = {"default": "/events", "rules": [{"match": "\u00e9", "path": "/a"}]}
NOT_CEL_TRIP = breaker_with(trip="consecutiveFailures >=")

# Values the schema once accepted and the validator then reported (found by the property above);
# each is now refused by the schema, at this values path.
FOUND_SCHEMA_GAPS = {
    # a metadata name state.postgresql does not read (dapr-unknown-metadata)
    "unknown-metadata-name": (
        {"stateStore": {"extraMetadata": [{"name": "a", "value": "1"}]}},
        "/stateStore/extraMetadata/0",
    ),
    # a timeout under Dapr's 1s minimum (dapr-metadata-value)
    "timeout-under-1s": ({"stateStore": {"timeout": "0"}}, "/stateStore/timeout"),
    "timeout-microseconds": ({"stateStore": {"timeout": "6us"}}, "/stateStore/timeout"),
    # five fields that are not cron fields (dapr-metadata-value)
    "schedule-not-cron": ({"scheduler": {"schedule": "a b c d e"}}, "/scheduler/schedule"),
    # a connection URL with a password in a literal value (security-secret-in-value)
    "dsn-with-password": (
        {"stateStore": {"extraMetadata": [{"name": "host", "value": "postgres://u:pw@db/x"}]}},
        "/stateStore/extraMetadata/0",
    ),
    # a gRPC API rule with HTTP's version form, which daprd's gRPC server ignores
    # (dapr-api-access)
    "grpc-rule-with-http-version": (
        {"configuration": {"api": {"allowed": [], "denied": [GRPC_HTTP_VERSION]}}},
        "/configuration/api/denied/0",
    ),
    # durations past int64 nanoseconds (dapr-init-timeout, dapr-resiliency-timeout)
    "init-timeout-overflow": ({"pubsub": {"initTimeout": "99999999999h"}}, "/pubsub/initTimeout"),
    "resiliency-timeout-overflow": (
        {"resiliency": {"pubsub": {**DEFAULTS["resiliency"]["pubsub"], "timeout": "100000h"}}},
        "/resiliency/pubsub/timeout",
    ),
    # a route match and a breaker trip that are not valid CEL (dapr-subscription-route,
    # dapr-resiliency-breaker): the sidecar exits or the whole Resiliency is dropped
    "match-not-cel": (
        {"subscriptions": [{**ROUTED_SUBSCRIPTION, "routes": NOT_CEL_ROUTES}]},
        "/subscriptions/0/routes/rules/0/match",
    ),
    "trip-not-cel": (
        {"resiliency": {"stateStore": NOT_CEL_TRIP}},
        "/resiliency/stateStore/circuitBreaker/trip",
    ),
    # a breaker that would stay open for 60s instead (dapr-resiliency-breaker)
    "breaker-timeout-zero": (
        {"resiliency": {"stateStore": breaker_with(timeout="0")}},
        "/resiliency/stateStore/circuitBreaker/timeout",
    ),
    # a number field with a value that is not a number (dapr-metadata-value)
    "number-not-a-number": (
        {"pubsub": {"extraMetadata": [{"name": "channelBufferSize", "value": "many"}]}},
        "/pubsub/extraMetadata/0",
    ),
}


@pytest.mark.parametrize("case", sorted(FOUND_SCHEMA_GAPS))
def test_values_the_fuzzer_found_are_now_refused_by_the_schema(case: str) -> None:
    changes, pointer = FOUND_SCHEMA_GAPS[case]
    rendered = render(defaults_with(**changes))
    assert rendered.returncode != 0, f"{case}: rendered"
    assert SCHEMA_REFUSAL in rendered.stderr, rendered.stderr
    assert f"'{pointer}" in rendered.stderr, rendered.stderr
    assert "pw@" not in rendered.stderr


def check_refused(mutation: Mutation) -> None:
    rendered = render(mutation.values)
    where = mutation.describe()
    assert rendered.returncode != 0, f"helm rendered values with {where}"
    assert SCHEMA_REFUSAL in rendered.stderr, f"{where}: not a schema refusal:\n{rendered.stderr}"
    if mutation.path or not mutation.mention:
        pointer = helm_pointer(mutation.path)
        assert pointer in rendered.stderr, f"{where}: {pointer} not named:\n{rendered.stderr}"
    if mutation.mention:
        assert mutation.mention in rendered.stderr, f"{where}: key not named:\n{rendered.stderr}"
    if mutation.secret:
        assert mutation.secret not in rendered.stderr + rendered.stdout, f"{where}: literal shown"
    assert "Traceback" not in rendered.stderr


@pytest.mark.slow(1.5, together="values-fuzz")
@pytest.mark.parametrize("kind", MUTATION_KINDS)
def test_every_mutation_that_breaks_the_schema_is_refused_with_its_path(kind: str) -> None:
    @settings(max_examples=MUTATION_EXAMPLES, deadline=None, suppress_health_check=HEALTH)
    @given(mutations(kind))
    def prop(mutation: Mutation) -> None:
        check_refused(mutation)

    prop()


def test_helm_file_drops_default_keys_the_values_set_lacks() -> None:
    """The generated set is what Helm sees: default apps and labels do not creep back in."""
    defaults = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    values = {**defaults, "apps": {"solo": {"publishes": ["task-events"]}}, "subscriptions": []}
    values["stateStore"] = {**defaults["stateStore"], "enabled": False}
    values["secretStore"] = {**defaults["secretStore"], "enabled": False}
    values["scheduler"] = {**defaults["scheduler"], "enabled": False}
    rendered = render(values)
    assert rendered.returncode == 0, rendered.stderr
    pubsub = rendered.one("Component", "kafka-pubsub")
    assert pubsub["scopes"] == ["solo"]
