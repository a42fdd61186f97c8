"""security-rbac-pod-exec: exec, attach, portforward and nodes/proxy."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.rbac_pod_exec import RULE

ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: {kind}
metadata: {{name: r, namespace: todo}}
rules:
  - {rule}
"""


def run(rule: str, kind: str = "Role") -> list[Finding]:
    return check(RULE, ROLE.format(kind=kind, rule=rule))


def test_create_on_exec_attach_portforward() -> None:
    [finding] = run(
        '{apiGroups: [""], resources: [pods, pods/exec, pods/portforward], verbs: [get, create]}'
    )
    assert (finding.severity, finding.path) == (Severity.WARNING, "/rules/0/verbs/1")
    assert "grants create and get on pods/exec, pods/portforward" in finding.message
    assert "on every cluster version" in finding.message
    [finding] = run('{apiGroups: [""], resources: [pods/attach], verbs: [create]}')
    assert "create on pods/attach" in finding.message


def test_get_alone_opens_websocket_sessions_before_1_35() -> None:
    [finding] = run('{apiGroups: [""], resources: [pods/exec], verbs: [get]}')
    assert finding.path == "/rules/0/verbs/0"
    assert "before Kubernetes 1.35" in finding.message
    assert "AuthorizePodWebsocketUpgradeCreatePermission" in finding.message


def test_wildcards_include_them() -> None:
    [finding] = run('{apiGroups: [""], resources: ["*/exec"], verbs: ["*"]}')
    assert "create and get on pods/exec" in finding.message
    [finding] = run('{apiGroups: ["*"], resources: ["*"], verbs: [get]}')
    assert "get on pods/exec, pods/attach, pods/portforward" in finding.message


def test_nodes_proxy_counts_in_a_cluster_role_only() -> None:
    rule = '{apiGroups: [""], resources: [nodes/proxy], verbs: [get]}'
    [finding] = run(rule, "ClusterRole")
    assert "get on nodes/proxy" in finding.message
    assert "kubelet" in finding.message
    assert run(rule, "Role") == []


def test_reading_pods_and_logs_passes() -> None:
    assert (
        run(
            '{apiGroups: [""], resources: [pods, pods/log, pods/status], verbs: [get, list, watch]}'
        )
        == []
    )
    assert run('{apiGroups: [""], resources: [pods/exec], verbs: [list, delete]}') == []
    assert run('{apiGroups: [""], resources: ["pods/*"], verbs: [create]}') == []
    assert run("{apiGroups: [apps], resources: [pods/exec], verbs: [create]}") == []


def test_hostile_shapes_are_skipped() -> None:
    assert run('{apiGroups: [""], resources: pods/exec, verbs: [create]}') == []
    assert run("null") == []
