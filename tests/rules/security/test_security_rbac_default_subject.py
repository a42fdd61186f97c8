"""security-rbac-default-subject: anonymous users, default ServiceAccounts, everyone."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.rbac_default_subject import RULE

BINDING = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: b{namespace}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}
subjects:
{subjects}
"""
GROUP = "{kind: Group, apiGroup: rbac.authorization.k8s.io, name: %s}"
USER = "{kind: User, apiGroup: rbac.authorization.k8s.io, name: %s}"


def run(
    subjects: str, kind: str = "RoleBinding", role: str = "edit", namespace: str = "todo"
) -> list[Finding]:
    ns = f", namespace: {namespace}" if namespace else ""
    return check(RULE, BINDING.format(kind=kind, namespace=ns, role=role, subjects=subjects))


def verdicts(findings: list[Finding]) -> list[tuple[Severity, str]]:
    return [(f.severity, f.path) for f in findings]


def test_anonymous_requests_are_a_breach() -> None:
    for subject in (USER % "system:anonymous", GROUP % "system:unauthenticated"):
        findings = run(f"  - {{kind: ServiceAccount, name: app}}\n  - {subject}")
        assert verdicts(findings) == [(Severity.ERROR, "/subjects/1")], subject
        assert "every request without credentials" in findings[0].message
    [finding] = run("  - " + GROUP % "system:unauthenticated", "ClusterRoleBinding", namespace="")
    assert "in every namespace" in finding.message


def test_the_default_service_account_is_a_warning() -> None:
    [finding] = run("  - {kind: ServiceAccount, name: default}")
    assert verdicts([finding]) == [(Severity.WARNING, "/subjects/0")]
    assert "the default ServiceAccount of namespace 'todo'" in finding.message
    [finding] = run("  - {kind: ServiceAccount, name: default, namespace: other}")
    assert "namespace 'other'" in finding.message
    [finding] = run("  - {kind: ServiceAccount, name: default}", namespace="")
    assert "the RoleBinding's namespace" in finding.message
    [finding] = run("  - " + USER % "system:serviceaccount:todo:default")
    assert "the default ServiceAccount of namespace 'todo'" in finding.message


def test_a_cluster_binding_of_a_service_account_needs_its_namespace() -> None:
    # appliesToUser: no namespace on the subject and none on the binding matches nobody.
    assert (
        run("  - {kind: ServiceAccount, name: default}", "ClusterRoleBinding", namespace="") == []
    )
    [finding] = run(
        "  - {kind: ServiceAccount, name: default, namespace: todo}",
        "ClusterRoleBinding",
        namespace="",
    )
    assert finding.severity is Severity.WARNING
    assert "in every namespace" in finding.message


def test_groups_of_everyone_are_warnings() -> None:
    cases = {
        "system:authenticated": "every authenticated user",
        "system:serviceaccounts": "every ServiceAccount of every namespace",
        "system:serviceaccounts:todo": "every ServiceAccount of namespace 'todo'",
        "system:anonymous": "which no authenticator assigns",
    }
    for group, text in cases.items():
        [finding] = run("  - " + GROUP % group)
        assert finding.severity is Severity.WARNING, group
        assert text in finding.message, group


def test_the_clusters_own_bindings_are_left_alone() -> None:
    both = f"  - {GROUP % 'system:authenticated'}\n  - {GROUP % 'system:unauthenticated'}"
    public = run(both, "ClusterRoleBinding", role="system:public-info-viewer", namespace="")
    assert public == []
    assert run("  - " + GROUP % "system:authenticated", role="system:discovery") == []
    # The same role name as a User is not the bootstrap binding.
    assert len(run("  - " + USER % "system:anonymous", role="system:public-info-viewer")) == 1


def test_ordinary_subjects_pass() -> None:
    subjects = (
        "  - {kind: ServiceAccount, name: backend}\n"
        "  - " + USER % "alice" + "\n"
        "  - " + USER % "system:serviceaccount:todo:backend" + "\n"
        "  - " + GROUP % "platform-admins" + "\n"
        "  - {kind: Group, name: default}"
    )
    assert run(subjects) == []


def test_hostile_shapes_are_skipped() -> None:
    assert run("  - [ServiceAccount, default]\n  - {kind: 1, name: default}\n  - null") == []
    assert (
        check(RULE, BINDING.format(kind="RoleBinding", namespace="", role="e", subjects="  a: b"))
        == []
    )
    v1beta1 = BINDING.replace("/v1\n", "/v1beta1\n")
    text = v1beta1.format(
        kind="RoleBinding", namespace="", role="e", subjects="  - " + USER % "system:anonymous"
    )
    assert check(RULE, text) == []
