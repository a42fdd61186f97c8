"""dapr-unknown-metadata: names the component never reads are ignored silently by Dapr."""

from __future__ import annotations

from manifests import KAFKA_BROKERS, component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.dapr.unknown_metadata import RULE

KAFKA = component(KAFKA_BROKERS, '{name: authType, value: "none"}', type_="TYPE") + "EXTRA\n"


def run(extra: str, type_: str = "pubsub.kafka") -> list[Finding]:
    text = KAFKA.replace("TYPE", type_).replace("EXTRA", extra)
    return check(RULE, text)


def test_spec_fields_that_do_not_exist_are_errors_on_verified_types() -> None:
    idem, comp = run(
        '    - {name: enableIdempotence, value: "true"}\n'
        '    - {name: compressionType, value: "snappy"}'
    )
    assert idem.severity is Severity.ERROR and idem.path == "/spec/metadata/2/name"
    assert "ignores it silently" in idem.message and "Did you mean" not in idem.message
    assert comp.path == "/spec/metadata/3/name"
    assert 'Did you mean "compression"?' in comp.message


def test_unverified_types_only_warn() -> None:
    findings = run("    - {name: redisHostt, value: x}", type_="pubsub.redis")
    assert {f.path for f in findings} == {f"/spec/metadata/{i}/name" for i in range(3)}
    finding = findings[-1]
    assert all(f.severity is Severity.WARNING for f in findings)
    assert finding.severity is Severity.WARNING
    assert 'Did you mean "redisHost"?' in finding.message


def test_runtime_keys_aliases_and_profile_fields_pass() -> None:
    extra = "\n".join(
        f"    - {{name: {name}, value: x}}"
        for name in [
            "consumerID",
            "publishingScopes",
            "allowedTopics",
            "backOffMaxRetries",
            "clientId",
            "saslUsername",
            "oidcTokenEndpoint",
            "region",
            "authRequired",
        ]
    )
    assert run(extra) == []


def test_vault_name_is_not_a_kubernetes_secret_store_field() -> None:
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: kubernetes-secrets}
spec:
  type: secretstores.kubernetes
  version: v1
  metadata:
    - {name: vaultName, value: my-namespace}
    - {name: defaultNamespace, value: other}
"""
    resources = load_text(text, "t.yaml").resources
    (finding,) = list(RULE.check(resources[0], Bundle(resources)))
    assert '"vaultName"' in finding.message and finding.severity is Severity.ERROR


def test_unknown_types_are_not_checked() -> None:
    assert run("    - {name: anything, value: x}", type_="pubsub.nosuch") == []


def test_zeebe_metadata_is_checked_now_its_file_is_read() -> None:
    def named(extra: str) -> list[str]:
        found = run(extra, type_="bindings.zeebe.jobworker")
        return [f.message for f in found if "jobTyp" in f.message]

    assert named("    - {name: jobType, value: x}") == []
    (message,) = named("    - {name: jobTyp, value: x}")
    assert '"jobType"' in message


def _names(type_: str, *items: str) -> list[str]:
    findings = check(RULE, component(*items, type_=type_))
    return [f.message.split('metadata "')[1].split('"')[0] for f in findings]


def test_azure_storage_alias_lists_are_read() -> None:
    """GetMetadataProperty with azure.MetadataKeys["StorageAccountName"]… matches any case."""
    blob = "bindings.azure.blobstorage"
    given = ("{name: storageAccount, value: a}", "{name: STORAGEACCESSKEY, value: k}")
    assert _names(blob, *given, "{name: container, value: c}") == []
    assert _names(blob, "{name: storageAcount, value: a}") == ["storageAcount"]


def test_keys_read_by_a_prefix_are_read() -> None:
    graphql = "bindings.graphql"
    assert _names(graphql, "{name: endpoint, value: e}", '{name: "header:X-Key", value: k}') == []
    assert _names(graphql, '{name: "headers:X-Key", value: k}') == ["headers:X-Key"]
    assert _names(graphql, '{name: "header:", value: k}') == ["header:"]


def test_legacy_exact_keys_are_read_only_as_spelt() -> None:
    """Redis reads maxRetries and maxRetryBackoff by exact map key (common/component/redis)."""
    redis = "state.redis"
    assert (
        _names(redis, "{name: maxRetries, value: '3'}", "{name: maxRetryBackoff, value: 2s}") == []
    )
    assert _names(redis, "{name: MAXRETRIESX, value: '3'}") == ["MAXRETRIESX"]


def test_category_helpers_are_followed() -> None:
    """pubsub.Concurrency (contrib pubsub/concurrency.go) reads concurrencyMode."""
    assert _names("pubsub.rabbitmq", "{name: concurrencyMode, value: single}") == []
    assert _names("pubsub.rabbitmq", "{name: concurrencyMod, value: single}") == ["concurrencyMod"]


def test_hand_checked_types_ignore_what_requests_read() -> None:
    """The Kubernetes secret store reads `namespace` from each request's metadata only."""
    store = "secretstores.kubernetes"
    (finding,) = check(RULE, component("{name: namespace, value: x}", type_=store))
    assert finding.severity is Severity.ERROR


def test_a_decoded_name_init_overwrites_has_no_effect() -> None:
    """rabbitmq decodes `concurrency`, then createMetadata replaces it with
    pubsub.Concurrency(properties), which reads concurrencyMode only."""
    (finding,) = check(
        RULE, component("{name: concurrency, value: single}", type_="pubsub.rabbitmq")
    )
    assert finding.severity is Severity.ERROR
    assert "concurrencyMode" in finding.message and "no effect" in finding.message
    assert (
        check(RULE, component("{name: concurrencyMode, value: single}", type_="pubsub.rabbitmq"))
        == []
    )
    # JetStream replaces it only when concurrencyMode is set: `concurrency` works there.
    assert (
        check(RULE, component("{name: concurrency, value: single}", type_="pubsub.jetstream")) == []
    )
