"""dapr-metadata-value: allowed values with the code's case rules, types and constraints."""

from __future__ import annotations

import pytest
from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.dapr.component_spec import FieldSpec
from tools.rules import Bundle
from tools.rules.dapr.metadata_value import RULE, _allowed_message, _shown

DOC = component("{name: NAME, value: VALUE}", type_="TYPE", name="c")


def run(name: str, value: str, type_: str = "pubsub.kafka") -> list[Finding]:
    text = DOC.replace("NAME", name).replace("VALUE", value).replace("TYPE", type_)
    return check(RULE, text)


def test_scram_prefix_in_sasl_mechanism_falls_back_to_plain() -> None:
    (finding,) = run("saslMechanism", '"SCRAM-SHA-256"')
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/metadata/0/value"
    assert "SASL/PLAIN" in finding.message and 'Did you mean "SHA-256"?' in finding.message


def test_sasl_mechanism_is_case_sensitive() -> None:
    (finding,) = run("saslMechanism", '"sha-512"')
    assert 'case-sensitive: write "SHA-512"' in finding.message


@pytest.mark.parametrize(
    ("name", "value"),
    [("authType", "PASSWORD"), ("initialOffset", "Oldest"), ("saslMechanism", "SHA-256")],
)
def test_case_insensitive_allowed_values_pass(name: str, value: str) -> None:
    assert run(name, value) == []


@pytest.mark.parametrize(
    ("name", "value", "type_", "expected"),
    [
        ("compression", "brotli", "pubsub.kafka", "none, gzip, snappy, lz4, zstd"),
        ("heartbeatInterval", '"3 seconds"', "pubsub.kafka", "not a duration"),
        ("maxMessageBytes", '"1MB"', "pubsub.kafka", "not a whole number"),
        ("maxMessageBytes", '"1.5"', "pubsub.kafka", "not a whole number"),
        ("skipVerify", '"enabled"', "pubsub.kafka", "read as false"),
        # Go types of the fields the code decodes into (code_fields.json, _overrides.json).
        ("prefetchCount", '"300"', "pubsub.rabbitmq", "out of range for uint8 (0..255)"),
        ("deliveryMode", '"-1"', "pubsub.rabbitmq", "uint8"),
        ("consumerFetchMin", '"3000000000"', "pubsub.kafka", "out of range for int32"),
        ("consumeRetryInterval", '"-100"', "pubsub.kafka", "milliseconds"),
        ("authRequired", '"yes"', "pubsub.kafka", "strconv.ParseBool"),
        ("maxConns", '"08"', "state.postgresql", "whole number"),
        ("cleanupInterval", '"10000000000"', "state.postgresql", "overflows"),
        ("heartbeatInterval", '"300000000h"', "pubsub.kafka", "292 years"),
        # kit retry config (retry.DecodeConfigWithPrefix): base 10, empty refused.
        ("backOffMaxRetries", '"0x10"', "pubsub.kafka", "whole number"),
        ("backOffMaxRetries", '""', "pubsub.kafka", "empty"),
        ("backOffMultiplier", '"fast"', "pubsub.aws.snssqs", "float32"),
        ("timeout", '"500ms"', "state.postgresql", "at least 1s"),
        ("keyPrefix", '"a||b"', "state.postgresql", "'||'"),
        ("schedule", '"every day"', "bindings.cron", "not a cron schedule"),
    ],
)
def test_bad_values(name: str, value: str, type_: str, expected: str) -> None:
    (finding,) = run(name, value, type_)
    assert expected in finding.message, finding.message


@pytest.mark.parametrize(
    ("name", "value", "type_"),
    [
        ("maxMessageBytes", "1048576", "pubsub.kafka"),  # YAML int, stringified
        ("skipVerify", "true", "pubsub.kafka"),  # YAML bool
        ("timeout", '"20"', "state.postgresql"),
        ("timeoutInSeconds", "20", "state.postgresql"),
        ("schedule", '"@every 15m"', "bindings.cron"),
        ("schedule", '"0 30 * * * *"', "bindings.cron"),
        ("direction", '"input, output"', "bindings.cron"),
        ("consumerGroup", '"{appID}"', "pubsub.kafka"),
        ("heartbeatInterval", '"${{HEARTBEAT}}"', "pubsub.kafka"),
        ("heartbeatInterval", '"{{ .Values.hb }}"', "pubsub.kafka"),
        ("skipVerify", '"yes"', "pubsub.kafka"),  # DecodeMetadata: kit IsTruthy
        ("maxConns", '"0x10"', "state.postgresql"),  # base 0: hex is an int
        ("maxConns", '"1_000"', "state.postgresql"),
        ("prefetchCount", '"255"', "pubsub.rabbitmq"),
        ("consumeRetryInterval", '"100"', "pubsub.kafka"),  # bare number: milliseconds
        ("consumeRetryInterval", '"1h30m"', "pubsub.kafka"),
        ("authRequired", '"True"', "pubsub.kafka"),
        ("cleanupInterval", '"3600"', "state.postgresql"),  # bare number: seconds
        ("backOffDuration", '"500"', "pubsub.kafka"),  # kit config: milliseconds
        ("backOffMaxRetries", '"-1"', "pubsub.kafka"),
        ("backOffPolicy", '"Exponential"', "pubsub.jetstream"),
    ],
)
def test_good_values(name: str, value: str, type_: str) -> None:
    assert run(name, value, type_) == []


def test_bindings_never_initialised_and_their_direction_are_not_checked() -> None:
    # binding.Init skips every side isBindingOfDirection refuses before the component's Init
    # runs, so cron's Init never reads the schedule (daprd 1.18.2 loads it without an error);
    # the direction itself is dapr-binding-direction's (silently inert, not an Init failure).
    both = DOC.replace("TYPE", "bindings.cron").replace(
        "    - {name: NAME, value: VALUE}\n",
        '    - {name: direction, value: "both"}\n    - {name: schedule, value: "every day"}\n',
    )
    assert check(RULE, both) == []
    assert check(RULE, both.replace('"both"', "output")) == []
    (finding,) = check(RULE, both.replace('"both"', '"Input"'))
    assert "not a cron schedule" in finding.message


def test_sensitive_values_are_never_echoed() -> None:
    field = FieldSpec(name="token", sensitive=True, allowed=("alpha", "beta"))
    message = _allowed_message(field, "hunter2-secret-value")
    assert "hunter2" not in message and "(20 characters)" in message
    assert "hunter2" not in _shown(field, "hunter2")
    assert _shown(FieldSpec(name="mode"), "fast") == '"fast"'


def test_secret_refs_are_not_checked() -> None:
    text = DOC.replace("TYPE", "pubsub.kafka").replace(
        "    - {name: NAME, value: VALUE}\n",
        "    - {name: saslMechanism, secretKeyRef: {name: s, key: k}}\n",
    )
    resources = load_text(text, "t.yaml").resources
    assert list(RULE.check(resources[0], Bundle(resources))) == []


def test_values_init_parses_itself() -> None:
    """time.ParseDuration in state.zookeeper's properties.parse refuses a bare number; the
    Cloudflare components parse timeoutInSeconds with strconv.Atoi when it is set."""
    (finding,) = run("sessionTimeout", "5", type_="state.zookeeper")
    assert finding.severity is Severity.ERROR and finding.path.endswith("/value")
    assert "time.ParseDuration" in finding.message and "properties.parse" in finding.message
    assert "sessionTimeout is invalid" in finding.message
    assert run("sessionTimeout", "1m30s", type_="state.zookeeper") == []
    (atoi,) = run("timeoutInSeconds", "30s", type_="bindings.cloudflare.queues")
    assert "BaseMetadata.Validate" in atoi.message
    assert run("timeoutInSeconds", "30", type_="bindings.cloudflare.queues") == []
