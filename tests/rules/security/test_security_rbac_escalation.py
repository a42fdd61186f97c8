"""security-rbac-escalation: escalate, bind and impersonate."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.rbac_escalation import RULE

ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: r, namespace: todo}}
rules:
  - {rule}
"""
RBAC = "rbac.authorization.k8s.io"


def run(rule: str, kind: str = "ClusterRole") -> list[Finding]:
    return check(RULE, ROLE.format(kind=kind, rule=rule))


def test_escalate_and_bind_on_roles() -> None:
    [finding] = run(
        f"{{apiGroups: [{RBAC}], resources: [roles, clusterroles], verbs: [get, bind]}}"
    )
    assert (finding.severity, finding.path) == (Severity.WARNING, "/rules/0/verbs/1")
    assert "grants bind on roles, clusterroles" in finding.message
    [finding] = run(f"{{apiGroups: [{RBAC}], resources: [roles], verbs: [escalate, bind]}}", "Role")
    assert finding.path == "/rules/0/verbs/0"
    assert "escalate on roles; bind on roles" in finding.message
    assert "in namespace 'todo'" in finding.message


def test_impersonation() -> None:
    [finding] = run(
        '{apiGroups: [""], resources: [users, groups, serviceaccounts], verbs: [impersonate]}'
    )
    assert "impersonate on users, groups, serviceaccounts" in finding.message
    # A Role matches namespaced requests only: impersonating a ServiceAccount of its namespace.
    [finding] = run(
        '{apiGroups: [""], resources: [users, serviceaccounts], verbs: [impersonate]}', "Role"
    )
    assert "impersonate on serviceaccounts" in finding.message
    assert run('{apiGroups: [""], resources: [users, groups], verbs: [impersonate]}', "Role") == []
    assert (
        run(f"{{apiGroups: [{RBAC}], resources: [clusterroles], verbs: [escalate]}}", "Role") == []
    )


def test_wildcards_include_them() -> None:
    [finding] = run('{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}')
    assert finding.path == "/rules/0/verbs/0"
    assert "escalate on roles, clusterroles; bind on roles, clusterroles; impersonate on users" in (
        finding.message
    )
    [finding] = run('{apiGroups: ["*"], resources: [roles], verbs: ["*"]}', "Role")
    assert "escalate on roles; bind on roles" in finding.message


def test_resource_names_are_named_but_still_reported() -> None:
    [finding] = run(
        f"{{apiGroups: [{RBAC}], resources: [clusterroles], verbs: [bind], resourceNames: [view]}}"
    )
    assert '(only for resourceNames "view")' in finding.message


def test_ordinary_rules_pass() -> None:
    ordinary = f"{{apiGroups: [{RBAC}], resources: [roles, rolebindings], verbs: [create, update]}}"
    assert run(ordinary) == []
    assert run('{apiGroups: [""], resources: [serviceaccounts], verbs: [get, create]}') == []
    # The verbs belong to the RBAC group's resources: elsewhere they grant nothing.
    assert run("{apiGroups: [apps], resources: [roles], verbs: [bind, escalate]}") == []
    assert run('{apiGroups: [""], resources: [users], verbs: [Impersonate]}') == []


def test_hostile_shapes_are_skipped() -> None:
    assert run(f"{{apiGroups: [{RBAC}], resources: roles, verbs: [bind]}}") == []
    assert run("escalate") == []
