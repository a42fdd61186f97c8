"""kubernetes-owner-references: ValidateOwnerReferences."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding
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
    found = run(f"[{OWNER}, controller: true}}, {OWNER}, controller: true}}]")
    assert [f.path for f in found] == ["/metadata/ownerReferences/1"]
    event = "{apiVersion: v1, kind: Event, name: e, uid: u}"
    (finding,) = run(f"[{event}]")
    assert "Event" in finding.message
