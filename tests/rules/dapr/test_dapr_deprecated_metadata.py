"""dapr-deprecated-metadata: a name the code still reads but has deprecated."""

from __future__ import annotations

from manifests import component

from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.dapr.deprecated_metadata import RULE
from tools.rules.dapr.unknown_metadata import RULE as UNKNOWN

DOC = component('{name: NAME, value: "amqp://rabbit:5672"}', type_="TYPE", name="c")


def run(name: str, type_: str = "pubsub.rabbitmq", rule: object = RULE) -> list[Finding]:
    text = DOC.replace("NAME", name).replace("TYPE", type_)
    resources = load_text(text, "test.yaml").resources
    bundle = Bundle(resources)
    return [f for r in resources for f in rule.check(r, bundle)]  # type: ignore[attr-defined]


def test_rabbitmq_host_is_a_deprecation_warning_not_ignored() -> None:
    (finding,) = run("host")
    assert finding.severity is Severity.WARNING
    assert '"connectionString"' in finding.message and "still reads" in finding.message
    assert run("host", rule=UNKNOWN) == []  # never reported as ignored


def test_current_names_pass() -> None:
    assert run("connectionString") == []
    assert run("hostname") == []


def test_deprecated_field_from_metadata_yaml() -> None:
    (finding,) = run("connMaxIdleTime", type_="configuration.postgresql")
    assert finding.severity is Severity.WARNING and "deprecated" in finding.message


def test_deprecated_names_found_in_the_go_structs() -> None:
    # common/aws/deprecated.go: DeprecatedPostgresIAM is squashed into the PostgreSQL metadata.
    (finding,) = run("awsAccessKey", type_="state.postgresql")
    assert finding.severity is Severity.WARNING
    assert run("awsAccessKey", type_="state.postgresql", rule=UNKNOWN) == []
    # Kafka authRequired: read with strconv.ParseBool after a deprecation log line.
    (kafka,) = run("authRequired", type_="pubsub.kafka")
    assert '"authType"' in kafka.message


def test_aliases_the_decoder_maps_are_accepted_silently() -> None:
    # mapstructurealiases: awsRegion -> region, timeoutInSeconds -> timeout.
    assert run("awsRegion", type_="state.postgresql") == []
    assert run("awsRegion", type_="state.postgresql", rule=UNKNOWN) == []
    assert run("timeoutInSeconds", type_="state.postgresql", rule=UNKNOWN) == []


def test_service_bus_typo_alias_is_deprecated_not_ignored() -> None:
    # common/component/azure/servicebus/metadata.go, ParseMetadata: the misspelt key is copied
    # to publishInitialRetryIntervalInMs with a deprecation log line.
    for type_ in ("pubsub.azure.servicebus", "bindings.azure.servicebusqueues"):
        (finding,) = run("publishInitialRetryInternalInMs", type_=type_)
        assert '"publishInitialRetryIntervalInMs"' in finding.message
        assert run("publishInitialRetryInternalInMs", type_=type_, rule=UNKNOWN) == []
