"""kubernetes-namespace: metadata.namespace is an RFC 1123 label."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.kubernetes.namespace import RULE


def run(
    namespace: str, kind: str = "Component", api_version: str = "dapr.io/v1alpha1"
) -> list[Finding]:
    text = (
        f"apiVersion: {api_version}\nkind: {kind}\n"
        f'metadata: {{name: x, namespace: "{namespace}"}}\n'
    )
    return check(RULE, text)


@pytest.mark.parametrize("namespace", ["Todo_NS", "todo.ns", "a" * 64, "-todo", "todo-"])
def test_invalid_namespaces_are_errors(namespace: str) -> None:
    (finding,) = run(namespace)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/metadata/namespace"


@pytest.mark.parametrize("namespace", ["todo", "a" * 63, "0-team", ""])
def test_valid_namespaces(namespace: str) -> None:
    assert run(namespace) == []


def test_cluster_scoped_kinds_are_not_checked() -> None:
    """The API server clears metadata.namespace of a cluster-scoped object before validating."""
    assert run("Todo_NS", "ClusterRole", "rbac.authorization.k8s.io/v1") == []
