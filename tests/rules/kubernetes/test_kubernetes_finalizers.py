"""kubernetes-finalizers: qualified names; the API server's warning for custom resources."""

from __future__ import annotations

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


def test_built_in_kinds_do_not_warn() -> None:
    """The warning comes from apiextensions-apiserver, which serves only custom resources."""
    assert run("[cleanup]", "ConfigMap", "v1") == []
