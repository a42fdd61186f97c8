"""`validate --select schema,dapr` over the real-world Dapr manifests: every error triaged.

The corpus is what Dapr's own tests and quickstarts deploy. Many of its files are written for
self-hosted mode, where daprd reads them with a lenient YAML decoder; the Kubernetes API server
is stricter, and that is what these errors describe. Each category below was checked against
the Component CRD and dapr-facts.md before being called a true positive.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.conftest import EXAMPLES
from tools.core.findings import Severity
from tools.validate import read_sources, validate

pytestmark = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/reference/examples absent")

# (rule, JSON path with list indexes replaced by N, field named in the message) -> why it is real
TRUE_POSITIVES: dict[tuple[str, str, str], str] = {
    ("schema-dapr", "/spec", "metadata"): (
        "`metadata:` left empty (null) or missing: the API server prunes a null field, then "
        "refuses the Component because spec.metadata is required; write `metadata: []`"
    ),
    ("schema-dapr", "/spec", "version"): (
        "no spec.version: self-hosted daprd defaults it, but the Component CRD requires it and "
        "kubectl apply is refused"
    ),
    ("schema-dapr", "/auth/secretstore", "secretstore"): (
        "`auth.secretstore` (lower-case s): the CRD field is secretStore; the API server drops "
        "the misspelt field and then refuses the object for the missing required one"
    ),
    ("schema-dapr", "/spec/metadata/N/secretKeyRef/value", "value"): (
        "secretKeyRef has only name and key; `value` is pruned by the API server, so the "
        "reference resolves to a different key than the author meant"
    ),
    ("schema-dapr", "/spec/metadata/N", "name"): (
        "a metadata item without a name: required by the CRD, and daprd cannot use it"
    ),
    ("dapr-unknown-metadata", "/spec/metadata/N/name", "connMaxIdleTime"): (
        "state.postgresql reads connectionMaxIdleTime; connMaxIdleTime is silently ignored"
    ),
    ("dapr-unknown-metadata", "/spec/metadata/N/name", "namespace"): (
        "secretstores.kubernetes reads defaultNamespace (and the injected NAMESPACE env wins "
        "anyway); `namespace` has no effect"
    ),
    ("dapr-required-metadata", "/spec/metadata", ""): (
        "the vault certification config named 'neither' sets neither vaultToken nor "
        "vaultTokenMountPath; initVaultToken fails Init, which that test expects"
    ),
    ("schema-object", "", ""): (
        "a document with no metadata at all: every Kubernetes object needs metadata.name"
    ),
    ("dapr-unknown-type", "/spec/type", ""): (
        "components-contrib conformance configs for types daprd 1.18 does not register: "
        "bindings.kitex (not compiled) and crypto.jwks / crypto.localstorage (daprd's names "
        "are crypto.dapr.jwks / crypto.dapr.localstorage)"
    ),
}

EXPECTED_COUNTS = {
    ("schema-dapr", "/spec", "metadata"): 85,
    ("schema-dapr", "/spec", "version"): 36,
    ("schema-dapr", "/auth/secretstore", "secretstore"): 34,
    ("schema-dapr", "/spec/metadata/N/secretKeyRef/value", "value"): 21,
    ("schema-dapr", "/spec/metadata/N", "name"): 1,
    ("dapr-unknown-metadata", "/spec/metadata/N/name", "connMaxIdleTime"): 1,
    ("dapr-unknown-metadata", "/spec/metadata/N/name", "namespace"): 1,
    ("dapr-required-metadata", "/spec/metadata", ""): 1,
    ("schema-object", "", ""): 1,
    ("dapr-unknown-type", "/spec/type", ""): 3,
}

_FIELD = re.compile(r"(?:field|metadata) \"?'?([A-Za-z]+)")


def _key(rule: str, path: str, message: str) -> tuple[str, str, str]:
    named = _FIELD.findall(message)
    return (rule, re.sub(r"/\d+", "/N", path), named[0] if named else "")


@pytest.fixture(scope="module")
def errors() -> Counter[tuple[str, str, str]]:
    report = validate(read_sources([str(EXAMPLES)]), chosen={"schema", "dapr"})
    assert report.files == 496
    counted: Counter[tuple[str, str, str]] = Counter()
    for finding in report.findings:
        assert "internal error" not in finding.message, finding
        if finding.severity is Severity.ERROR:
            counted[_key(finding.rule, finding.path, finding.message)] += 1
    return counted


def test_every_error_is_a_triaged_true_positive(errors: Counter[tuple[str, str, str]]) -> None:
    untriaged = {key: n for key, n in errors.items() if key not in TRUE_POSITIVES}
    assert not untriaged, f"new errors to triage: {untriaged}"


def test_error_counts_match_the_triage(errors: Counter[tuple[str, str, str]]) -> None:
    assert dict(errors) == EXPECTED_COUNTS
