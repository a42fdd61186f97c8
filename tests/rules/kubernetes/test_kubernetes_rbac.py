"""kubernetes-rbac: what pkg/apis/rbac/validation refuses in Roles, ClusterRoles and bindings.

Each refused case is one the real API server (v1.34) refused with the message asserted."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Severity
from tools.rules.kubernetes.rbac import RULE

HEAD = {
    "Role": "metadata: {name: r, namespace: todo}",
    "ClusterRole": "metadata: {name: r}",
    "RoleBinding": "metadata: {name: b, namespace: todo}",
    "ClusterRoleBinding": "metadata: {name: b}",
}
REF = {
    "RoleBinding": "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}",
    "ClusterRoleBinding": (
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: x}"
    ),
}


def run(kind: str, body: str) -> list[tuple[str, str]]:
    """(path, message without the closing clause) of each finding, all errors."""
    text = f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\n{HEAD[kind]}\n{body}\n"
    findings = check(RULE, text)
    assert all(f.severity is Severity.ERROR for f in findings)
    tail = f"; the API server refuses the {kind}."
    assert all(f.message.endswith(tail) for f in findings)
    return [(f.path, f.message.removesuffix(tail)) for f in findings]


VALID = {
    "role": ("Role", 'rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]'),
    "urls in a cluster role": ("ClusterRole", 'rules: [{nonResourceURLs: ["*"], verbs: [get]}]'),
    "empty urls": (
        "ClusterRole",
        'rules: [{nonResourceURLs: [], verbs: [get], apiGroups: [""], resources: [pods]}]',
    ),
    "aggregated": (
        "ClusterRole",
        "aggregationRule: {clusterRoleSelectors: [{matchLabels: {a: b}}]}",
    ),
    "no rules": ("Role", "rules: []"),
    "defaulted groups": (
        "RoleBinding",
        "roleRef: {apiGroup: '', kind: ClusterRole, name: view}\n"
        "subjects: [{kind: User, name: 'x:y'}, {kind: Group, name: g, apiGroup: ''},"
        " {kind: ServiceAccount, name: default}]",
    ),
    "cluster binding": (
        "ClusterRoleBinding",
        REF["ClusterRoleBinding"] + "\nsubjects: [{kind: ServiceAccount, name: a, namespace: b}]",
    ),
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_what_the_api_server_accepts_passes(case: str) -> None:
    kind, body = VALID[case]
    assert run(kind, body) == []


def test_a_rule_needs_verbs_groups_and_resources() -> None:
    required = [
        ("/rules/0/verbs", "rules[0].verbs: Required value: verbs must contain at least one value"),
        (
            "/rules/0/apiGroups",
            "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
        ),
        (
            "/rules/0/resources",
            "rules[0].resources: Required value: resource rules must supply at least one resource",
        ),
    ]
    assert run("Role", "rules: [null]") == required
    assert run("Role", "rules: [{verbs: [], apiGroups: [], resources: []}]") == required
    assert run("ClusterRole", "rules: [{verbs: [get], apiGroups: null}]") == required[1:]


def test_missing_verbs_are_left_to_the_schema() -> None:
    """The OpenAPI schema requires `verbs`; schema-kubernetes reports a missing or null one."""
    assert run("Role", 'rules: [{apiGroups: [""], resources: [pods]}]') == []
    assert run("Role", 'rules: [{verbs: null, apiGroups: [""], resources: [pods]}]') == []


def test_non_resource_urls_only_in_a_cluster_role_and_alone() -> None:
    urls = 'rules: [{nonResourceURLs: ["*"], verbs: [get]}]'
    assert run("Role", urls) == [
        (
            "/rules/0/nonResourceURLs",
            'rules[0].nonResourceURLs: Invalid value: ["*"]: namespaced rules cannot apply to '
            "non-resource URLs",
        )
    ]
    mixed = 'rules: [{nonResourceURLs: ["/healthz"], verbs: [get], resourceNames: [a]}]'
    assert run("ClusterRole", mixed) == [
        (
            "/rules/0/nonResourceURLs",
            'rules[0].nonResourceURLs: Invalid value: ["/healthz"]: rules cannot apply to both '
            "regular resources and non-resource URLs",
        )
    ]


def test_an_aggregation_rule_needs_valid_selectors() -> None:
    detail = "at least one clusterRoleSelector required if aggregationRule is non-nil"
    assert run("ClusterRole", "aggregationRule: {}") == [
        ("/aggregationRule", f"aggregationRule.clusterRoleSelectors: Required value: {detail}")
    ]
    selectors = (
        "aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: In}]}]}"
    )
    assert run("ClusterRole", selectors) == [
        (
            "/aggregationRule/clusterRoleSelectors/0/matchExpressions/0",
            "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values: Required value: "
            "must be specified when `operator` is 'In' or 'NotIn'",
        )
    ]


def test_the_role_ref() -> None:
    assert run("RoleBinding", "roleRef: {apiGroup: apps, kind: Pod, name: 'a/b'}") == [
        (
            "/roleRef/apiGroup",
            'roleRef.apiGroup: Unsupported value: "apps": supported values: '
            '"rbac.authorization.k8s.io"',
        ),
        (
            "/roleRef/kind",
            'roleRef.kind: Unsupported value: "Pod": supported values: "Role", "ClusterRole"',
        ),
        ("/roleRef/name", "roleRef.name: Invalid value: \"a/b\": may not contain '/'"),
    ]
    assert run(
        "RoleBinding", "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: ''}"
    ) == [("/roleRef/name", "roleRef.name: Required value")]
    ref = "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: x}"
    assert run("ClusterRoleBinding", ref) == [
        (
            "/roleRef/kind",
            'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
        )
    ]
    assert run("RoleBinding", "roleRef: []") == []  # the schema's business


def test_a_cluster_binding_of_a_service_account_needs_its_namespace() -> None:
    """The API server refused this with `subjects[0].namespace: Required value`."""
    for subject in (
        "{kind: ServiceAccount, name: default}",
        "{kind: ServiceAccount, name: a, namespace: ''}",
    ):
        body = f"{REF['ClusterRoleBinding']}\nsubjects: [{subject}]"
        assert run("ClusterRoleBinding", body) == [
            ("/subjects/0", "subjects[0].namespace: Required value")
        ]
    body = f"{REF['RoleBinding']}\nsubjects: [{{kind: ServiceAccount, name: default}}]"
    assert run("RoleBinding", body) == []


def test_subjects() -> None:
    subjects = (
        "subjects: [null,"
        " {kind: ServiceAccount, name: Bad_Name, apiGroup: rbac.authorization.k8s.io},"
        " {kind: Group, name: g, apiGroup: apps}, {kind: Userx, name: a}]"
    )
    found = run("RoleBinding", f"{REF['RoleBinding']}\n{subjects}")
    assert [path for path, _ in found] == [
        "/subjects/0/name",
        "/subjects/0/kind",
        "/subjects/1/name",
        "/subjects/1/apiGroup",
        "/subjects/2/apiGroup",
        "/subjects/3/kind",
    ]
    assert found[0][1] == "subjects[0].name: Required value"
    assert found[1][1] == (
        'subjects[0].kind: Unsupported value: "": supported values: "ServiceAccount", "User", '
        '"Group"'
    )
    assert "a lowercase RFC 1123 subdomain" in found[2][1]
    assert found[3][1] == (
        'subjects[1].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""'
    )


def test_hostile_shapes_are_skipped() -> None:
    for body in (
        "rules: pods",
        "rules: [1, [verbs], {verbs: get, apiGroups: x, resources: 3}]",
        "aggregationRule: {clusterRoleSelectors: [1, null]}",
    ):
        assert run("ClusterRole", body) == [], body
    for body in ("subjects: {a: b}", "subjects: [{kind: 3, name: 4}, 7, {name: a}]"):
        assert run("RoleBinding", f"{REF['RoleBinding']}\n{body}") == [], body
    assert run("RoleBinding", "roleRef: {apiGroup: 1, kind: [], name: {}}") == []
