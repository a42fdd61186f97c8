"""security-rbac-secret-read: get/list/watch on every Secret."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.rbac_secret_read import RULE

ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: reader, namespace: todo}}
rules:
  - {rule}
"""

CLUSTER_BINDING = """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: everywhere}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: app, namespace: todo}]
"""

ROLE_BINDING = """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: here, namespace: todo}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: app}]
"""


def run(rule: str, kind: str = "Role", more: str = "") -> list[Finding]:
    return check(RULE, ROLE.format(kind=kind, rule=rule) + more)


def test_reading_every_secret_is_a_warning_at_the_first_read_verb() -> None:
    [finding] = run('{apiGroups: [""], resources: [secrets], verbs: [create, list, watch]}')
    assert (finding.severity, finding.path) == (Severity.WARNING, "/rules/0/verbs/1")
    assert "grants list, watch on Secrets and no resourceNames narrow it" in finding.message
    assert "in namespace 'todo'" in finding.message


def test_wildcards_read_secrets_too() -> None:
    for rule in (
        '{apiGroups: ["*"], resources: [secrets], verbs: [get]}',
        '{apiGroups: [""], resources: ["*"], verbs: [get]}',
        '{apiGroups: [""], resources: [secrets], verbs: ["*"]}',
    ):
        assert [f.path for f in run(rule)] == ["/rules/0/verbs/0"], rule


def test_the_chart_role_with_named_secrets_passes() -> None:
    # charts/todo-dapr/templates/role.yaml: get on the app's own Secrets, by name.
    named = '{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [a, b]}'
    assert run(named) == []


def test_resource_names_restrict_list_and_watch_unless_they_hold_the_empty_name() -> None:
    named = '{apiGroups: [""], resources: [secrets], verbs: [get, list, watch], resourceNames: [a]}'
    assert run(named) == []
    empty = '{apiGroups: [""], resources: [secrets], verbs: [get, list], resourceNames: [a, ""]}'
    [finding] = run(empty)
    assert finding.path == "/rules/0/verbs/1"
    assert "resourceNames include the empty string" in finding.message
    get_only = '{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: [""]}'
    assert run(get_only) == []


def test_other_groups_resources_and_verbs_pass() -> None:
    assert run("{apiGroups: [apps], resources: [secrets], verbs: [get]}") == []
    assert run('{apiGroups: [""], resources: [configmaps], verbs: [get]}') == []
    assert run('{apiGroups: [""], resources: [secrets], verbs: [create, delete]}') == []
    # */status names a subresource, and reading Secrets is no subresource request.
    assert run('{apiGroups: [""], resources: ["*/status"], verbs: [get]}') == []


def test_a_cluster_role_says_where_its_bindings_take_it() -> None:
    rule = '{apiGroups: [""], resources: [secrets], verbs: [list]}'
    [unbound] = run(rule, "ClusterRole")
    assert "the input binds it nowhere" in unbound.message
    [cluster] = run(rule, "ClusterRole", CLUSTER_BINDING)
    assert (
        "in every namespace of the cluster (ClusterRoleBinding 'everywhere' binds it)"
        in cluster.message
    )
    [local] = run(rule, "ClusterRole", ROLE_BINDING)
    assert "in namespace 'todo' (a RoleBinding binds it there)" in local.message


def test_hostile_shapes_are_skipped() -> None:
    assert run('{apiGroups: "", resources: secrets, verbs: get}') == []
    assert run('{apiGroups: [""], resources: [secrets], verbs: [get], resourceNames: "a"}') == []
    assert run('{apiGroups: [""], resources: [secrets], verbs: [get, 1]}') == []
    assert run("[secrets]") == []
