"""security-rbac-wildcard: `*` in verbs, apiGroups, resources and nonResourceURLs."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.rbac_wildcard import RULE

ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: r, namespace: todo}}
{extra}rules:
{rules}
"""


def run(rules: str, kind: str = "Role", extra: str = "") -> list[tuple[Severity, str]]:
    return [(f.severity, f.path) for f in findings(rules, kind, extra)]


def findings(rules: str, kind: str = "Role", extra: str = "") -> list[Finding]:
    return check(RULE, ROLE.format(kind=kind, rules=rules, extra=extra))


def test_each_wildcard_field_is_reported_at_its_entry() -> None:
    assert run('  - {apiGroups: [""], resources: [pods], verbs: [get, "*"]}') == [
        (Severity.WARNING, "/rules/0/verbs/1")
    ]
    assert run('  - {apiGroups: ["*"], resources: [pods], verbs: [get]}') == [
        (Severity.WARNING, "/rules/0/apiGroups/0")
    ]
    assert run('  - {apiGroups: [""], resources: [pods, "*"], verbs: [get]}') == [
        (Severity.WARNING, "/rules/0/resources/1")
    ]
    assert run('  - {apiGroups: [""], resources: ["*/scale"], verbs: [get]}') == [
        (Severity.WARNING, "/rules/0/resources/0")
    ]


def test_one_finding_per_rule_naming_every_wildcard() -> None:
    [finding] = findings('  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}')
    assert finding.path == "/rules/0/verbs/0"
    for label in ("every verb", "every API group", "every resource"):
        assert label in finding.message
    two = (
        '  - {apiGroups: ["*"], resources: [a], verbs: [get]}\n'
        '  - {apiGroups: [""], resources: [b], verbs: ["*"]}'
    )
    assert [p for _, p in run(two)] == ["/rules/0/apiGroups/0", "/rules/1/verbs/0"]


def test_non_resource_urls_only_in_a_cluster_role() -> None:
    urls = '  - {nonResourceURLs: ["/healthz", "/*"], verbs: [get]}'
    assert run(urls, "ClusterRole") == [(Severity.WARNING, "/rules/0/nonResourceURLs/1")]
    assert run('  - {nonResourceURLs: ["*"], verbs: [get]}', "ClusterRole") == [
        (Severity.WARNING, "/rules/0/nonResourceURLs/0")
    ]
    # A prefix under a path is narrowed by it; a Role cannot hold non-resource URLs at all.
    assert run('  - {nonResourceURLs: ["/healthz/*"], verbs: [get]}', "ClusterRole") == []
    assert run('  - {nonResourceURLs: ["*"], verbs: [get]}', "Role") == []


def test_named_rules_pass() -> None:
    rules = (
        '  - {apiGroups: ["", apps], resources: [pods, deployments, "pods/*"], verbs: [get, list]}'
    )
    assert run(rules) == []


def test_an_aggregated_cluster_role_is_not_judged() -> None:
    aggregated = "aggregationRule: {clusterRoleSelectors: [{matchLabels: {x: y}}]}\n"
    rules = '  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}'
    assert run(rules, "ClusterRole", aggregated) == []
    assert len(run(rules, "ClusterRole")) == 1


def test_hostile_shapes_are_skipped() -> None:
    assert run('  - {apiGroups: "*", resources: "*", verbs: "*"}') == []
    assert run("  - [1, 2]\n  - null") == []
    assert check(RULE, ROLE.format(kind="Role", extra="", rules="  {a: 1}")) == []
    v1beta1 = ROLE.replace("/v1", "/v1beta1")
    assert check(RULE, v1beta1.format(kind="Role", extra="", rules='  - {verbs: ["*"]}')) == []
