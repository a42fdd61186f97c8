"""The dapr rules over manifests nobody here wrote: dapr/quickstarts, dapr/samples and the YAML
blocks of the dapr/docs component reference pages (``tests/upstream_corpus.py`` says where
they come from and at which commit).

Every error of the dapr rules, and every finding of the two rules that judge metadata names
and requirements, is listed below with the Go source that makes it right. A new finding fails
the test until it is triaged, and so does a listed one that no longer appears.
"""

from __future__ import annotations

from collections import Counter

import pytest
from upstream_corpus import missing, read_all

from tools.core.findings import Finding, Severity
from tools.validate import check, load_sources

pytestmark = pytest.mark.skipif(
    bool(missing()), reason="set " + "; ".join(missing()) + " to run the upstream corpus"
)

QUICK = "dapr/quickstarts/"
SAMPLES = "dapr/samples/"
DOCS = "dapr/docs/daprdocs/content/en/reference/components-reference/"
CF = "common/component/cloudflare/workers/metadata.go BaseMetadata.Validate"

# (source label, rule, a phrase of the message) -> why the finding is right, and how many.
TRIAGE: dict[tuple[str, str, str], tuple[str, int]] = {
    (DOCS + "supported-bindings/cloudflare-queues.md#block1", "dapr-required-metadata", ""): (
        "the page's template leaves queueName, workerName, workerUrl and the API token empty; "
        f"componentMetadata.Validate and {CF} refuse empty values",
        4,
    ),
    (
        DOCS + "supported-state-stores/setup-cloudflare-workerskv.md#block1",
        "dapr-required-metadata",
        "",
    ): (
        f"the same empty template for Workers KV (kvNamespaceID, workerName; {CF})",
        4,
    ),
    (DOCS + "supported-pubsub/setup-jetstream.md#block2", "dapr-required-metadata", "natsURL"): (
        "a fragment without natsURL: pubsub/jetstream/metadata.go parseMetadata returns "
        '"missing nats URL"',
        1,
    ),
    (DOCS + "supported-pubsub/setup-apache-kafka.md#block8", "dapr-required-metadata", ""): (
        "a fragment without brokers or authType: Kafka.getKafkaMetadata refuses both",
        1,
    ),
    (DOCS + "supported-pubsub/setup-apache-kafka.md#block9", "dapr-required-metadata", ""): (
        "the same fragment",
        1,
    ),
    (DOCS + "supported-secret-stores/hashicorp-vault.md#block2", "dapr-required-metadata", ""): (
        "a TLS example with neither vaultToken nor vaultTokenMountPath: "
        'vaultSecretStore.initVaultToken returns "token mount path and token not set"',
        1,
    ),
    (
        SAMPLES + "dapr-distributed-calendar/components/sendgrid.yaml",
        "dapr-required-metadata",
        "",
    ): (
        'apiKey: "" — SendGrid.parseMetadata refuses an empty apiKey',
        1,
    ),
    (
        DOCS + "supported-pubsub/setup-rabbitmq.md#block1",
        "dapr-unknown-metadata",
        "reconnectWait",
    ): (
        "pubsub/rabbitmq decodes reconnectWaitSeconds (metadata.go); reconnectWait is read nowhere",
        1,
    ),
    (
        DOCS + "supported-pubsub/setup-rabbitmq.md#block2",
        "dapr-unknown-metadata",
        "reconnectWait",
    ): (
        "the same",
        1,
    ),
    (
        DOCS + "supported-state-stores/setup-mysql.md#block1",
        "dapr-unknown-metadata",
        "pemContents",
    ): (
        "state/mysql reads pemPath only (mysql.go keyPemPath); pemContents is read nowhere in "
        "the contrib releases Dapr 1.16–1.18 pin",
        1,
    ),
    (
        SAMPLES + "read-kubernetes-events/deploy/kubernetes.yaml",
        "dapr-unknown-metadata",
        "resyncPreiodInSec",
    ): (
        "a misspelling of resyncPeriodInSec",
        1,
    ),
    (DOCS + "supported-bindings/kitex.md#block1", "dapr-unknown-type", ""): (
        "daprd 1.18 does not compile bindings.kitex",
        1,
    ),
    (SAMPLES + "twitter-sentiment-processor/", "dapr-unknown-type", "bindings.twitter"): (
        "bindings.twitter was removed from daprd before 1.16",
        4,
    ),
    (DOCS + "supported-bindings/smtp.md#block1", "dapr-metadata-value", ""): (
        'placeholder values "smtp port" and "true|false" do not decode as int and bool',
        2,
    ),
    (DOCS + "supported-secret-stores/hashicorp-vault.md#block1", "dapr-metadata-value", ""): (
        '"[true/false]" is not a boolean',
        1,
    ),
    (DOCS + "supported-state-stores/setup-rethinkdb.md#block1", "dapr-metadata-value", ""): (
        '"bool" is not a boolean',
        1,
    ),
    (DOCS + "supported-pubsub/setup-rabbitmq.md#block7", "dapr-subscription-duplicate", ""): (
        "two Subscriptions on one topic and pub/sub for the same apps",
        1,
    ),
    (
        DOCS + "supported-workflow-backend/actor-workflow-backend.md#block1",
        "dapr-unknown-category",
        "",
    ): (
        "workflowbackend has no component manager in daprd 1.16–1.18",
        1,
    ),
    (
        SAMPLES + "batch-file-processing/deploy/dapr-tracing-exporter.yaml",
        "dapr-unknown-category",
        "",
    ): (
        "exporters were removed from daprd long before 1.16",
        1,
    ),
    ("", "dapr-actor-state-store", ""): (
        "two components with actorStateStore: true for the same apps; daprd refuses the second",
        4,
    ),
}
JUDGED = frozenset({"dapr-unknown-metadata", "dapr-required-metadata"})


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    sources = read_all()
    assert len(sources) > 350, "the corpus is smaller than the pinned commits hold"
    loaded, _files = load_sources(sources)
    return check(loaded, chosen={"dapr"})


def _triaged(finding: Finding) -> tuple[str, str, str] | None:
    for key in TRIAGE:
        label, rule, phrase = key
        if finding.rule == rule and label in finding.file and phrase in finding.message:
            return key
    return None


def test_no_rule_crashes(findings: list[Finding]) -> None:
    assert findings
    assert not [f for f in findings if "internal error" in f.message]


def test_every_error_and_metadata_judgement_is_triaged(findings: list[Finding]) -> None:
    judged = [f for f in findings if f.severity is Severity.ERROR or f.rule in JUDGED]
    untriaged = [f"{f.file}: {f.rule}: {f.message}" for f in judged if _triaged(f) is None]
    assert untriaged == []
    counts = Counter(_triaged(f) for f in judged)
    assert dict(counts) == {key: count for key, (_why, count) in TRIAGE.items()}
