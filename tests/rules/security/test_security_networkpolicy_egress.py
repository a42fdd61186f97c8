"""security-networkpolicy-egress: egress policies that cut a Dapr sidecar off."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.security.networkpolicy_egress import RULE

APPS = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: pubsub, namespace: todo}
spec: {type: pubsub.kafka, version: v1, metadata: []}
scopes: [backend, chat-api]
"""

# The spec's policy: egress only to pods labelled app=dapr-sidecar on 3500.
SIDECAR_POLICY = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dapr-component-policy, namespace: todo}
spec:
  podSelector:
    matchLabels: {app: backend}
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector:
            matchLabels: {app: dapr-sidecar}
      ports:
        - {protocol: TCP, port: 3500}
"""

DAPR_EGRESS = """\
    - to:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: kube-system}
          podSelector:
            matchLabels: {k8s-app: kube-dns}
      ports:
        - {protocol: UDP, port: 53}
        - {protocol: TCP, port: 53}
    - to:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: dapr-system}
      ports:
        - {protocol: TCP, port: 50001}
        - {protocol: TCP, port: 6500}
        - {protocol: TCP, port: 50005}
        - {protocol: TCP, port: 50006}
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def egress_policy(egress: str) -> str:
    """A NetworkPolicy for every pod of the namespace with these egress rules."""
    return f"""\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p, namespace: todo}}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress:
{egress}"""


def test_spec_policy_blocks_dns_sentry_and_operator() -> None:
    (finding,) = run(APPS + SIDECAR_POLICY)
    assert finding.path == "/spec/egress"
    assert "app 'backend'" in finding.message
    for needed in ("DNS", "sentry", "operator"):
        assert needed in finding.message


def test_allowing_dns_and_control_plane_passes() -> None:
    assert run(APPS + SIDECAR_POLICY + DAPR_EGRESS) == []


def test_missing_only_the_operator_is_reported() -> None:
    text = APPS + SIDECAR_POLICY + DAPR_EGRESS.replace("port: 6500", "port: 6501")
    (finding,) = run(text)
    assert "allows Dapr operator (TCP 6500)." in finding.message


def test_default_deny_with_a_separate_allow_policy_passes() -> None:
    deny = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: todo}
spec:
  podSelector: {}
  policyTypes: [Egress, Ingress]
"""
    allow = """\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dapr, namespace: todo}
spec:
  podSelector:
    matchExpressions:
      - {key: dapr.io/sidecar-injected, operator: In, values: ["true"]}
  policyTypes: [Egress]
  egress:
"""
    findings = run(APPS + deny)
    assert [f.resource.name for f in findings if f.resource] == ["default-deny"]
    assert "app 'backend', app 'chat-api'" in findings[0].message
    assert run(APPS + deny + allow + DAPR_EGRESS) == []


def test_selecting_by_app_id_label_and_by_unrelated_labels() -> None:
    by_app_id = SIDECAR_POLICY.replace("{app: backend}", "{dapr.io/app-id: worker}")
    assert len(run(by_app_id)) == 1  # any dapr.io/app-id is a Dapr app
    unrelated = SIDECAR_POLICY.replace("{app: backend}", "{app: postgres}")
    assert run(APPS + unrelated) == []
    by_name = SIDECAR_POLICY.replace("{app: backend}", "{app.kubernetes.io/name: chat-api}")
    assert len(run(APPS + by_name)) == 1


def test_ingress_only_and_unrestricted_egress_pass() -> None:
    ingress = SIDECAR_POLICY.replace("[Egress]", "[Ingress]").replace("egress:", "ingress:")
    assert run(APPS + ingress) == []
    open_egress = SIDECAR_POLICY.split("  egress:", maxsplit=1)[0] + "  egress:\n    - {}\n"
    assert run(APPS + open_egress) == []


def test_other_profiles_do_not_mix() -> None:
    apps = load_text(APPS, "a.yaml", profile="dev").resources
    policy = load_text(SIDECAR_POLICY, "b.yaml", profile="oke").resources
    bundle = Bundle(apps + policy)
    assert list(RULE.check(policy[0], bundle)) == []  # no app 'backend' in profile oke


def test_dns_served_from_another_namespace_counts() -> None:
    """NodeLocal DNSCache or a CoreDNS in its own namespace is still DNS (found by fuzzing)."""
    custom_dns = DAPR_EGRESS.replace("kube-system", "dns").replace("k8s-app: kube-dns", "app: dns")
    policy = egress_policy(custom_dns)
    assert run(APPS + policy) == []


def test_dns_only_inside_the_namespace_is_not_enough() -> None:
    same_namespace_dns = DAPR_EGRESS.replace(
        "        - namespaceSelector:\n"
        "            matchLabels: {kubernetes.io/metadata.name: kube-system}\n"
        "          podSelector:",
        "        - podSelector:",
    )
    policy = egress_policy(same_namespace_dns)
    (finding,) = run(APPS + policy)
    assert "DNS (UDP 53)" in finding.message
