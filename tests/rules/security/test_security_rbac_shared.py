"""tools/rules/security/_rbac.py: rule matching as the RBAC authorizer does it, and bindings."""

from __future__ import annotations

from tools.core.context import RunContext
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.security._rbac import PolicyRule, bindings_of, judged, policy_rules, reach


def rule(**fields: object) -> PolicyRule:
    text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n"
    resources = load_text(text + f"rules: [{fields}]".replace("'", '"'), "t.yaml").resources
    [found] = list(policy_rules(resources[0]))
    return found


def test_exact_and_wildcard_matching() -> None:
    r = rule(apiGroups=[""], resources=["secrets"], verbs=["get"])
    assert r.allows("get", "", "secrets")
    assert not r.allows("list", "", "secrets")
    assert not r.allows("get", "apps", "secrets")
    assert not r.allows("get", "", "configmaps")
    assert not rule(apiGroups=[""], resources=["secrets"], verbs=["Get"]).allows(
        "get", "", "secrets"
    )
    star = rule(apiGroups=["*"], resources=["*"], verbs=["*"])
    assert star.allows("escalate", "rbac.authorization.k8s.io", "roles")
    assert star.allows("create", "", "pods", "exec")


def test_subresources_match_exactly_or_through_star_slash() -> None:
    assert rule(apiGroups=[""], resources=["pods/exec"], verbs=["create"]).allows(
        "create", "", "pods", "exec"
    )
    assert rule(apiGroups=[""], resources=["*/exec"], verbs=["create"]).allows(
        "create", "", "pods", "exec"
    )
    # pods covers the pods only, not their subresources; */exec covers no top-level resource.
    assert not rule(apiGroups=[""], resources=["pods"], verbs=["create"]).allows(
        "create", "", "pods", "exec"
    )
    assert not rule(apiGroups=[""], resources=["*/exec"], verbs=["get"]).allows("get", "", "pods")
    # pods/* is no wildcard: it names a subresource called "*".
    assert not rule(apiGroups=[""], resources=["pods/*"], verbs=["create"]).allows(
        "create", "", "pods", "exec"
    )


def test_resource_names_restrict_collection_requests_unless_they_list_the_empty_name() -> None:
    named = rule(apiGroups=[""], resources=["secrets"], verbs=["list"], resourceNames=["a"])
    assert named.allows("list", "", "secrets")
    assert not named.allows_collection("list", "", "secrets")
    empty = rule(apiGroups=[""], resources=["secrets"], verbs=["list"], resourceNames=["a", ""])
    assert empty.allows_collection("list", "", "secrets")
    assert rule(apiGroups=[""], resources=["secrets"], verbs=["list"]).allows_collection(
        "list", "", "secrets"
    )


def test_a_rule_with_a_field_of_the_wrong_type_is_not_read() -> None:
    text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n"
    for hostile in ('apiGroups: ""', "resources: {a: 1}", "verbs: [get, 3]", "resourceNames: a"):
        rules = f"rules: [{{apiGroups: [''], resources: [x], verbs: [get], {hostile}}}]"
        assert list(policy_rules(load_text(text + rules, "t.yaml").resources[0])) == [], hostile
    nulls = "rules: [{apiGroups: [''], resources: [x], verbs: [get], resourceNames: null}]"
    [r] = policy_rules(load_text(text + nulls, "t.yaml").resources[0])
    assert r.resource_names == ()
    for rules in ("rules: {a: 1}", "rules: [1, x, [2]]", "rules: null"):
        assert list(policy_rules(load_text(text + rules, "t.yaml").resources[0])) == []


def test_only_v1_roles_and_no_aggregated_cluster_role_are_judged() -> None:
    def first(text: str) -> bool:
        return judged(load_text(text, "t.yaml").resources[0])

    body = "metadata: {name: r}\nrules: []\n"
    assert first("apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n" + body)
    assert not first("apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: Role\n" + body)
    aggregated = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
        "aggregationRule: {clusterRoleSelectors: [{matchLabels: {a: b}}]}\n" + body
    )
    assert not first(aggregated)


def test_a_role_in_a_namespace_ignores_non_resource_urls() -> None:
    text = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n"
        'rules: [{nonResourceURLs: ["*"], verbs: ["get"]}]\n'
    )
    [r] = policy_rules(load_text(text, "t.yaml").resources[0])
    assert r.non_resource_urls == ()


BINDINGS = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: local, namespace: todo}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb, namespace: todo}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: local}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: other-ns, namespace: other}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: local}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: bad}
roleRef: [1]
"""


def test_bindings_are_found_by_kind_namespace_and_name() -> None:
    resources = load_text(BINDINGS, "t.yaml").resources
    bundle = Bundle(resources, RunContext())
    cluster_role, role = resources[0], resources[1]
    assert [b.name for b in bindings_of(bundle, cluster_role)] == ["crb"]
    assert [b.name for b in bindings_of(bundle, role)] == ["rb"]
    assert "in every namespace of the cluster (ClusterRoleBinding 'crb' binds it)" in reach(
        bundle, cluster_role
    )
    assert reach(bundle, role) == "in namespace 'todo'"
    lone = load_text(BINDINGS.split("---", maxsplit=1)[0], "t.yaml").resources
    assert "the input binds it nowhere" in reach(Bundle(lone, RunContext()), lone[0])
