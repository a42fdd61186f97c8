"""kubernetes-owner-references: ValidateOwnerReferences."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.kubernetes.owner_references import RULE

OWNER = (
    "{apiVersion: apps/v1, kind: Deployment, name: todo, uid: 6f1c0a4e-1111-2222-3333-444455556666"
)


def run(references: str) -> list[Finding]:
    text = (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  ownerReferences: {references}\n"
    )
    return check(RULE, text)


def test_complete_references_pass() -> None:
    assert run(f"[{OWNER}, controller: true}}, {OWNER}}}]") == []


def test_missing_uid_and_version_are_errors() -> None:
    (finding,) = run("[{apiVersion: apps/, kind: Deployment, name: todo}]")
    assert "uid" in finding.message and "version" in finding.message
    assert finding.path == "/metadata/ownerReferences/0"


def test_two_controllers_and_an_event_owner_are_errors() -> None:
    other = OWNER.replace("name: todo", "name: other").replace("6666", "6667")
    (finding,) = run(f"[{OWNER}, controller: true}}, {other}, controller: true}}]")
    assert finding.path == "/metadata/ownerReferences/1" and finding.is_error
    assert "Deployment/todo already has it, Deployment/other too" in finding.message
    event = "{apiVersion: v1, kind: Event, name: e, uid: u}"
    (finding,) = run(f"[{event}]")
    assert "Event" in finding.message


def test_an_exact_duplicate_is_dropped_with_a_warning() -> None:
    """The API server accepts two identical controller entries (HTTP 201): dedupOwnerReferences
    drops the second before validation, with the warning `.metadata.ownerReferences contains
    duplicate entries; ...`."""
    (finding,) = run(f"[{OWNER}, controller: true}}, {OWNER}, controller: true}}]")
    assert finding.path == "/metadata/ownerReferences/1"
    assert finding.severity is Severity.WARNING
    assert finding.message.startswith(
        "ownerReferences[1] repeats ownerReferences[0] exactly; the API server drops the "
        "duplicate with a warning"
    )
    incomplete = "{apiVersion: apps/v1, kind: Deployment, name: todo}"
    missing, repeated = run(f"[{incomplete}, {incomplete}]")
    assert (missing.severity, repeated.severity) == (Severity.ERROR, Severity.WARNING)


def test_entries_differing_in_any_field_are_both_validated() -> None:
    """Same uid but another blockOwnerDeletion: both kept, so two controllers are refused
    (`Only one reference can have Controller set to true`)."""
    (finding,) = run(
        f"[{OWNER}, controller: true}}, {OWNER}, controller: true, blockOwnerDeletion: false}}]"
    )
    assert finding.is_error and finding.path == "/metadata/ownerReferences/1"
    assert run(f"[{OWNER}, controller: false}}, {OWNER}}}]") == []


def test_hostile_entries_are_skipped() -> None:
    assert run(f"[{OWNER}, controller: [1]}}, {OWNER}, controller: [1]}}, 5, null]") == []
