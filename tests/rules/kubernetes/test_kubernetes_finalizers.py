"""kubernetes-finalizers: qualified names; the API server's warning for custom resources."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.kubernetes.finalizers import RULE


def run(
    finalizers: str, kind: str = "Component", api_version: str = "dapr.io/v1alpha1"
) -> list[Finding]:
    text = (
        f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: x\n"
        f"  finalizers: {finalizers}\n"
    )
    return check(RULE, text)


def test_invalid_finalizers_are_errors() -> None:
    found = run('["bad finalizer", "a/b/c", "example.com/"]')
    assert [f.path for f in found] == [
        "/metadata/finalizers/0",
        "/metadata/finalizers/1",
        "/metadata/finalizers/2",
    ]
    assert all(f.severity is Severity.ERROR for f in found)


def test_orphan_and_foreground_together_are_refused() -> None:
    (finding,) = run("[orphan, foregroundDeletion]")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/metadata/finalizers"


def test_unqualified_finalizer_on_a_custom_resource_warns() -> None:
    plain, dotted = run("[cleanup, cleanup.example.com]")
    assert plain.severity is Severity.WARNING and dotted.severity is Severity.WARNING
    assert "domain-qualified" in plain.message
    assert "including a path" in dotted.message


def test_qualified_and_standard_finalizers_pass() -> None:
    assert run("[example.com/cleanup, orphan, kubernetes]") == []
    assert run("[foregroundDeletion]") == []


def test_unqualified_finalizer_on_a_built_in_kind_is_refused() -> None:
    """The API server: `ConfigMap "x" is invalid: metadata.finalizers[0]: Invalid value:
    "cleanup": name is neither a standard finalizer name nor is it fully qualified` (core
    ValidateObjectMeta -> validateKubeFinalizerName); dotted or not, no `/` is refused."""
    plain, dotted = run("[cleanup, cleanup.example.com, example.com/cleanup]", "ConfigMap", "v1")
    assert (plain.path, dotted.path) == ("/metadata/finalizers/0", "/metadata/finalizers/1")
    assert plain.severity is Severity.ERROR and dotted.severity is Severity.ERROR
    assert plain.message == (
        'finalizer "cleanup" is refused by the API server on a built-in ConfigMap: name is '
        "neither a standard finalizer name nor is it fully qualified (the standard ones are "
        "orphan, foregroundDeletion and kubernetes); name it <your-domain>/<name>, e.g. "
        "example.com/cleanup"
    )
    (finding,) = run("[cleanup]", "Deployment", "apps/v1")
    assert finding.severity is Severity.ERROR
    (finding,) = run("[cleanup]", "Event", "events.k8s.io/v1")
    assert finding.severity is Severity.ERROR


def test_standard_finalizers_on_a_built_in_kind_pass() -> None:
    assert run("[kubernetes, orphan, example.com/cleanup]", "ConfigMap", "v1") == []


SILENT_KINDS = {
    "PodDisruptionBudget": "apiVersion: policy/v1\nkind: PodDisruptionBudget\n",
    "Lease": "apiVersion: coordination.k8s.io/v1\nkind: Lease\n",
    "RuntimeClass": "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nhandler: runc\n",
    "ValidatingWebhookConfiguration": (
        "apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\n"
    ),
    "v1 Event": (
        "apiVersion: v1\nkind: Event\ninvolvedObject: {kind: Pod, name: p, namespace: todo}\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(SILENT_KINDS))
def test_built_in_kinds_validated_without_the_kube_check_are_silent(kind: str) -> None:
    """PodDisruptionBudget, Lease, RuntimeClass, the admission kinds (and CRDs, APIService) go
    through apimachinery's ValidateObjectMeta only, and ValidateEventCreate skips it for a v1
    Event: the API server stores them (HTTP 201)."""
    text = SILENT_KINDS[kind] + "metadata: {name: x, namespace: todo, finalizers: [cleanup]}\n"
    assert check(RULE, text) == []


def test_hostile_finalizers_are_skipped() -> None:
    assert run("[1, null, {a: b}, [x]]", "ConfigMap", "v1") == []
    assert run("cleanup", "ConfigMap", "v1") == []


@pytest.mark.parametrize(
    ("api_version", "kind"), [("v1", ""), ("", "ConfigMap"), ("example.com/v1", "Widget")]
)
def test_no_error_when_the_kind_cannot_be_told(api_version: str, kind: str) -> None:
    """Without an apiVersion and a kind the API server would serve, the rule cannot tell a
    built-in kind from a custom one, so it does not claim a refusal."""
    assert [
        f
        for f in run("[cleanup]", kind=kind, api_version=api_version)
        if f.severity is Severity.ERROR
    ] == []
