"""kubernetes-labels: ValidateLabels (qualified-name keys, IsValidLabelValue values)."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.kubernetes.labels import RULE


def run(
    labels: str, kind: str = "Component", api_version: str = "dapr.io/v1alpha1"
) -> list[Finding]:
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n  labels: {labels}\n"
    return check(RULE, text)


@pytest.mark.parametrize(
    "labels",
    [
        "{a: " + "v" * 64 + "}",
        '{a: "-v"}',
        '{a: "has space"}',
        '{"bad key!": v}',
        '{"a/b/c": v}',
        '{"/name": v}',
        '{"Example.com/name": v}',
        '{"example.com/": v}',
        "{" + "k" * 64 + ": v}",
        '{"' + "p" * 254 + '/name": v}',
    ],
)
def test_invalid_labels_are_errors(labels: str) -> None:
    found = run(labels)
    assert found, labels
    assert all(f.severity is Severity.ERROR for f in found)
    assert all(f.path.startswith("/metadata/labels/") for f in found)


@pytest.mark.parametrize(
    "labels",
    [
        "{a: " + "v" * 63 + "}",
        '{a: ""}',
        "{app.kubernetes.io/name: todo}",
        "{Mixed_Case.key: My_Value.1}",
        "{" + "k" * 63 + ": v}",
        "{a: null}",
    ],
)
def test_valid_labels(labels: str) -> None:
    assert run(labels) == []


def test_a_number_is_not_a_label_value_on_a_custom_resource() -> None:
    (finding,) = run("{version: 1.0}")
    assert "must be a string" in finding.message
    # a built-in kind gets this from schema-kubernetes
    assert run("{version: 1.0}", "ConfigMap", "v1") == []
