"""dapr-required-metadata: required fields, including authentication-profile requirements."""

from __future__ import annotations

from types import MappingProxyType

import pytest
from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.dapr.code_reads import PackageReads
from tools.rules.dapr import required_metadata
from tools.rules.dapr.required_metadata import RULE


def run(*items: str, type_: str = "pubsub.kafka", release: str | None = None) -> list[Finding]:
    return check(RULE, component(*items, type_=type_), release=release)


def test_password_auth_without_sasl_credentials() -> None:
    (finding,) = run('{name: brokers, value: "k:9092"}', "{name: authType, value: password}")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/metadata"
    assert 'authType: "password"' in finding.message
    assert '"saslPassword"' in finding.message and '"saslUsername"' in finding.message
    assert "saslMechanism" not in finding.message  # optional in code (defaults to PLAINTEXT)


def test_secret_refs_and_env_refs_count_as_given() -> None:
    assert (
        run(
            '{name: brokers, value: "k:9092"}',
            "{name: authType, value: Password}",
            "{name: saslUsername, secretKeyRef: {name: s, key: u}}",
            "{name: saslPassword, envRef: KAFKA_PASSWORD}",
        )
        == []
    )


def test_missing_brokers_and_auth_type() -> None:
    (finding,) = run("{name: consumerGroup, value: g}")
    assert '"authType"' in finding.message and '"brokers"' in finding.message


def test_empty_value_counts_as_missing_but_a_placeholder_does_not() -> None:
    (finding,) = run('{name: brokers, value: ""}', "{name: authType, value: none}")
    assert '"brokers"' in finding.message
    assert run('{name: brokers, value: "${{BROKERS}}"}', "{name: authType, value: none}") == []


def test_legacy_auth_required_stands_in_for_auth_type() -> None:
    assert run('{name: brokers, value: "k:9092"}', '{name: authRequired, value: "false"}') == []


def test_aws_iam_requires_a_region_in_every_profile() -> None:
    # Kafka.ValidateAWS (contrib common/component/kafka/kafka.go, Dapr 1.16-1.18): daprd 1.18.2
    # refuses it with "failed to validate AWS IAM authentication fields: metadata property
    # AWSRegion is missing"; the metadata.yaml marks region required in one profile only.
    brokers = '{name: brokers, value: "k:9092"}'
    for release in ("1.16", "1.17", "1.18"):
        (finding,) = run(brokers, "{name: authType, value: AWSIAM}", release=release)
        assert finding.severity is Severity.ERROR and finding.path == "/spec/metadata"
        assert 'requires "region" (or the older "awsRegion")' in finding.message
        assert "metadata property AWSRegion is missing" in finding.message
    binding = run(brokers, "{name: authType, value: awsiam}", type_="bindings.kafka")
    assert [f.message for f in binding if "AWSRegion" in f.message] == [
        m.replace("pubsub.kafka", "bindings.kafka") for m in [finding.message]
    ]
    # The keys are looked up exactly as written.
    (miscased,) = run(brokers, "{name: authType, value: awsiam}", "{name: Region, value: x}")
    assert "'Region' is not read" in miscased.message


def test_aws_iam_profiles_only_require_what_they_all_share() -> None:
    awsiam = ('{name: brokers, value: "k:9092"}', "{name: authType, value: awsiam}")
    assert run(*awsiam, "{name: region, value: us-east-1}") == []
    assert run(*awsiam, "{name: awsRegion, secretKeyRef: {name: s, key: r}}") == []
    assert run(*awsiam, '{name: region, value: "${{REGION}}"}') == []
    assert run('{name: brokers, value: "k:9092"}', "{name: authType, value: none}") == []


def test_postgres_accepts_the_url_alias_or_host_fields() -> None:
    store = "state.postgresql"
    (finding,) = run("{name: tableName, value: t}", type_=store)
    assert '"connectionString"' in finding.message
    assert run("{name: url, secretKeyRef: {name: db, key: url}}", type_=store) == []
    assert run("{name: host, value: db.example}", type_=store) == []


def test_cron_needs_a_schedule() -> None:
    cron = "bindings.cron"
    (finding,) = run("{name: direction, value: input}", type_=cron)
    assert '"schedule"' in finding.message
    assert run('{name: schedule, value: "@every 1m"}', type_=cron) == []
    (listed,) = run("{name: direction, value: 'output, Input'}", type_=cron)
    assert '"schedule"' in listed.message


def test_a_binding_never_initialised_requires_nothing() -> None:
    # binding.Init skips each side isBindingOfDirection refuses, so cron's Init (the only check
    # of schedule) never runs: daprd 1.18.2 loads these without an error
    # (dapr-binding-direction reports the inert binding).
    cron = "bindings.cron"
    for direction in ("output", "both", '""'):
        assert run(f"{{name: direction, value: {direction}}}", type_=cron) == []
    # A direction known only at run time is tests/test_dapr_binding_sides.py's (the binding
    # may well be initialised, so the schedule stays required).


def test_either_or_requirements_come_from_init() -> None:
    """Vault's initVaultToken refuses only when both token fields are empty; metadata.yaml
    marks both required, which would ask for two mutually exclusive fields."""
    vault = "secretstores.hashicorp.vault"
    (finding,) = run('{name: vaultAddr, value: "https://vault:8200"}', type_=vault)
    assert finding.severity is Severity.ERROR
    assert 'one of "vaultToken", "vaultTokenMountPath"' in finding.message
    assert "vault.go" in finding.message and "initVaultToken" in finding.message
    assert "token mount path and token not set" in finding.message
    assert run("{name: vaultTokenMountPath, value: /var/run/token}", type_=vault) == []
    assert run("{name: vaultToken, secretKeyRef: {name: v, key: t}}", type_=vault) == []


def test_mqtt3_binding_needs_consumer_id_but_the_pubsub_does_not() -> None:
    """parseMQTTMetaData refuses an empty consumerID; daprd fills it in for pub/subs only."""
    given = ('{name: url, value: "tcp://m:1883"}', "{name: topic, value: t}")
    (finding,) = run(*given, type_="bindings.mqtt3")
    assert '"consumerID"' in finding.message and "missing consumerID" in finding.message
    assert run('{name: url, value: "tcp://m:1883"}', type_="pubsub.mqtt3") == []


def test_metadata_yaml_requirements_the_code_does_not_check_are_dropped() -> None:
    """localstorage needs only rootPath, sendgrid only apiKey, GCP pub/sub only projectID,
    Redis nothing (an empty redisHost connects to the default address)."""
    assert run("{name: rootPath, value: /data}", type_="bindings.localstorage") == []
    (root,) = run("{name: fileName, value: x}", type_="bindings.localstorage")
    assert '"rootPath"' in root.message and "validateRootPath" in root.message
    assert (
        run("{name: apiKey, secretKeyRef: {name: s, key: k}}", type_="bindings.twilio.sendgrid")
        == []
    )
    assert run("{name: projectId, value: p}", type_="pubsub.gcp.pubsub") == []
    (project,) = run("{name: clientEmail, value: e}", type_="pubsub.gcp.pubsub")
    assert '"projectID"' in project.message
    assert run("{name: redisPassword, value: x}", type_="state.redis") == []
    assert run("{name: nameServer, value: x}", type_="pubsub.rocketmq") == []


def test_an_empty_value_is_refused_as_init_refuses_it() -> None:
    (finding,) = run('{name: apiKey, value: ""}', type_="bindings.twilio.sendgrid")
    assert "apiKey field is required in metadata" in finding.message


def test_alias_lists_satisfy_a_requirement() -> None:
    """Service Bus: connectionString or namespaceName, either spelling the decoder accepts."""
    sb = "pubsub.azure.servicebus.topics"
    (finding,) = run("{name: consumerID, value: c}", type_=sb)
    assert 'one of "connectionString", "namespaceName"' in finding.message
    assert run('{name: NamespaceName, value: "ns.servicebus.windows.net"}', type_=sb) == []


def test_types_whose_code_was_not_read_only_warn_and_say_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A package whose Init the importer did not find: metadata.yaml is all there is."""
    unread = PackageReads(init=None, reads=MappingProxyType({}), prefixes=(), required=())
    monkeypatch.setattr(required_metadata, "reads_for", lambda *_args: unread)
    (finding,) = run("{name: fileName, value: x}", type_="bindings.localstorage")
    assert finding.severity is Severity.WARNING
    assert '"rootPath"' in finding.message and "was not read to confirm" in finding.message


def test_requirements_follow_the_release() -> None:
    """conversation.mistral refuses an empty key from contrib v1.17 on (Mistral.Init)."""
    mistral = "conversation.mistral"
    (finding,) = run("{name: model, value: m}", type_=mistral)
    assert "mistral api key is required" in finding.message
    assert run("{name: model, value: m}", type_=mistral, release="1.17") != []
    assert run("{name: model, value: m}", type_=mistral, release="1.16") == []


def test_a_value_parsed_on_every_start_is_required() -> None:
    """state.zookeeper parses sessionTimeout with time.ParseDuration unconditionally, and
    Go parses no empty string: properties.parse fails with "sessionTimeout is invalid"."""
    (finding,) = run('{name: servers, value: "zk:2181"}', type_="state.zookeeper")
    assert '"sessionTimeout"' in finding.message and "sessionTimeout is invalid" in finding.message
    given = ('{name: servers, value: "zk:2181"}', "{name: sessionTimeout, value: 5s}")
    assert run(*given, type_="state.zookeeper") == []


def test_fields_used_only_together() -> None:
    """rocketMQ.setUpConsumer applies accessKey and secretKey only when both are set."""
    rocket = "pubsub.rocketmq"
    (finding,) = run("{name: accessKey, value: a}", type_=rocket)
    assert finding.severity is Severity.ERROR
    assert '"accessKey" only together with "secretKey"' in finding.message
    assert "no effect" in finding.message
    both = ("{name: accessKey, value: a}", "{name: secretKey, secretKeyRef: {name: s, key: k}}")
    assert run(*both, type_=rocket) == []
    assert run("{name: nameServer, value: n}", type_=rocket) == []
    (cassandra,) = run(
        "{name: hosts, value: c}", "{name: password, envRef: PW}", type_="state.cassandra"
    )
    assert '"password" only together with "username"' in cassandra.message
