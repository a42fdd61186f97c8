"""The security and reference rules over real manifests: Dapr's own test files and the spec.

Every error in the corpus is triaged here. Those files are written for self-hosted mode and
for test harnesses, so the policy findings below are true positives: on Kubernetes each would
load a component into every app of the namespace, or publish a credential in the manifest.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pytest

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.validate import Source, check, load_sources, read_sources

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"
EXAMPLES = SHARED / "reference" / "examples"
SPEC = SHARED / "spec" / "dapr-components-spec.md"

CATEGORIES = {"security", "reference"}

# (file pattern, metadata name) -> why the literal credential is real. Test fixtures with
# throw-away passwords are still literal credentials in a manifest: the rule is right.
LITERAL_CREDENTIALS: dict[tuple[str, str], str] = {
    ("*/hashicorp/vault/*", "vaultToken"): "Vault dev-server root token written inline",
    ("*/cassandra*", "password"): "Cassandra password 'cassandra' written inline",
    ("*/aws/*", "accessKey"): "AWS access key (localstack dummy) written inline",
    ("*/aws/*", "secretKey"): "AWS secret key (localstack dummy) written inline",
    ("*", "connectionString"): "password embedded in the connection string (DSN/URL)",
    ("*", "url"): "password embedded in the connection URL",
    ("*rabbitmq*", "host"): "amqp://user:password@ URL",
    ("*rabbitmq-mtls.yaml", "clientKey"): "PEM private key written inline",
    ("*pulsar*", "privateKey"): "PEM private key written inline",
    ("*/kafka*", "saslPassword"): "SASL password written inline",
    ("*/kafka*", "oidcClientSecret"): "OIDC client secret written inline",
    ("*/redis/*", "redisPassword"): "Redis password written inline",
}

needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"{EXAMPLES} is absent (the real-manifest corpus)"
)


def _run(sources: list[Source]) -> list[Finding]:
    loaded, _files = load_sources(sources)
    return check(loaded, chosen=CATEGORIES)


@pytest.fixture(scope="module")
def corpus() -> list[Finding]:
    return _run(read_sources([str(EXAMPLES)]))


def _metadata_name(finding: Finding) -> str:
    match = re.match(r"^/spec/metadata/(\d+)/", finding.path)
    assert finding.resource is not None and match, finding
    entry = finding.resource.doc["spec"]["metadata"][int(match.group(1))]
    return str(entry["name"])


@needs_examples
def test_no_rule_crashes(corpus: list[Finding]) -> None:
    assert not [f for f in corpus if "internal error" in f.message]


@needs_examples
def test_every_unscoped_component_and_subscription_and_nothing_else(
    corpus: list[Finding],
) -> None:
    loaded, _ = load_sources(read_sources([str(EXAMPLES)]))

    def unscoped(r: Resource) -> bool:
        return (
            r.group == "dapr.io"
            and r.kind in {"Component", "Subscription"}
            and not r.doc.get("scopes")
        )

    expected = {(r.file, r.line) for r in loaded.resources if unscoped(r)}
    found = {
        (f.file, f.resource.line)
        for f in corpus
        if f.rule == "security-missing-scopes" and f.resource is not None
    }
    assert found == expected
    assert len(found) > 400  # nearly all of them: self-hosted files never set scopes


@needs_examples
def test_literal_credentials_are_triaged(corpus: list[Finding]) -> None:
    used: set[tuple[str, str]] = set()
    for finding in corpus:
        if finding.rule not in {"security-inline-secret", "security-secret-in-value"}:
            continue
        name = _metadata_name(finding)
        keys = [
            key
            for key in LITERAL_CREDENTIALS
            if key[1] == name and fnmatch.fnmatch(finding.file, key[0])
        ]
        assert keys, f"untriaged: {finding.file} {name}: {finding.message}"
        used.add(keys[0])
    assert used == set(LITERAL_CREDENTIALS), "a triage entry no longer matches anything"


@needs_examples
def test_no_other_errors(corpus: list[Finding]) -> None:
    triaged = {"security-missing-scopes", "security-inline-secret", "security-secret-in-value"}
    others = [f for f in corpus if f.severity is Severity.ERROR and f.rule not in triaged]
    assert others == []


@pytest.mark.skipif(not SPEC.is_file(), reason=f"{SPEC} is absent (the user's spec)")
def test_spec_yaml_as_one_stream() -> None:
    """The spec's Subscription never fires and its NetworkPolicy cuts daprd off; its state
    store and secret store have no security or reference error."""
    blocks = re.findall(r"```yaml\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.DOTALL)
    stream = "---\n".join(b for b in blocks if "apiVersion:" in b)
    findings = _run([Source("spec.yaml", stream)])
    errors = sorted((f.rule, f.resource.label()) for f in findings if f.is_error and f.resource)
    assert errors == [
        ("reference-subscription-pubsub", "Subscription/task-events-subscription"),
        ("security-networkpolicy-egress", "NetworkPolicy/dapr-component-policy"),
    ]
    warnings = {(f.rule, f.resource.name) for f in findings if f.resource and not f.is_error}
    assert ("reference-key-prefix", "statestore") in warnings
    assert ("reference-init-timeout", "kafka-pubsub") in warnings
