"""security-networkpolicy-open: rules that allow every address on every port."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.networkpolicy_open import RULE

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: p, namespace: todo}}
spec:
  podSelector: {{matchLabels: {{dapr.io/app-id: backend}}}}
{body}
"""


def run(body: str) -> list[Finding]:
    return check(RULE, POLICY.format(body=body))


def summary(findings: list[Finding]) -> list[tuple[Severity, str]]:
    return [(f.severity, f.path) for f in findings]


def test_ingress_from_the_whole_ipv4_space_on_every_port() -> None:
    [finding] = run(
        """\
  ingress:
    - from: [{podSelector: {}}, {ipBlock: {cidr: 0.0.0.0/0}}]"""
    )
    assert summary([finding]) == [(Severity.WARNING, "/spec/ingress/0/from/1/ipBlock/cidr")]
    assert "ingress rule allows ipBlock 0.0.0.0/0 without 'except'" in finding.message
    assert "50002, 3501 and 9090" in finding.message


def test_egress_to_the_whole_ipv6_space_and_its_spellings() -> None:
    for cidr, shown in (
        ("::/0", "::/0"),
        ("0:0::/0", "::/0"),
        ("10.1.2.3/0", "0.0.0.0/0"),
        ("::ffff:0.0.0.0/96", "::ffff:0:0/96"),
    ):
        findings = run(
            f"""\
  policyTypes: [Egress]
  egress:
    - to: [{{ipBlock: {{cidr: "{cidr}"}}}}]"""
        )
        assert summary(findings) == [(Severity.WARNING, "/spec/egress/0/to/0/ipBlock/cidr")]
        assert f"egress rule allows ipBlock {shown}" in findings[0].message


def test_rules_without_peers() -> None:
    findings = run(
        """\
  policyTypes: [Ingress, Egress]
  ingress:
    - {}
    - from: []
      ports: [{protocol: TCP}]
  egress:
    - ports: [{port: 1, endPort: 65535}]"""
    )
    assert summary(findings) == [
        (Severity.WARNING, "/spec/ingress/0"),
        (Severity.WARNING, "/spec/ingress/1"),
        (Severity.WARNING, "/spec/egress/0"),
    ]
    assert "ingress rule has no 'from'" in findings[0].message
    assert "accept connections from every source" in findings[0].message
    assert "egress rule has no 'to'" in findings[2].message
    assert "connect to every destination" in findings[2].message


def test_a_port_limit_is_not_open() -> None:
    # The chart's own rule for Neon and managed Kafka: the whole Internet, on 443 only.
    body = """\
  policyTypes: [Ingress, Egress]
  ingress:
    - ports: [{protocol: TCP, port: 8080}]
    - from: [{ipBlock: {cidr: 0.0.0.0/0}}]
      ports: [{port: 1, endPort: 1024}]
  egress:
    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]
      ports: [{protocol: TCP, port: 443}]
    - to: [{ipBlock: {cidr: "::/0"}}]
      ports: [{port: http}]"""
    assert run(body) == []


def test_narrowed_or_partial_blocks_are_not_open() -> None:
    body = """\
  ingress:
    - from:
        - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}
        - ipBlock: {cidr: 0.0.0.0/1}
        - ipBlock: {cidr: "::/1"}
        - ipBlock: {cidr: not-a-cidr}
        - namespaceSelector: {}"""
    assert run(body) == []


def test_a_direction_the_policy_does_not_restrict_is_ignored() -> None:
    # An ingress list in an Egress-only policy has no effect; an egress list in a policy
    # that lists only Ingress neither.
    assert (
        run("  policyTypes: [Egress]\n  ingress: [{}]\n  egress: [{to: [{podSelector: {}}]}]") == []
    )
    assert (
        run("  policyTypes: [Ingress]\n  egress: [{}]\n  ingress: [{from: [{podSelector: {}}]}]")
        == []
    )
    # Without policyTypes, a policy with egress rules restricts both directions.
    findings = run("  egress: [{}]\n  ingress: [{}]")
    assert summary(findings) == [
        (Severity.WARNING, "/spec/ingress/0"),
        (Severity.WARNING, "/spec/egress/0"),
    ]


def test_hostile_shapes_do_not_crash() -> None:
    for body in (
        "  ingress: {from: all}",
        "  ingress: [7, [], {from: 7}, {from: [7, {ipBlock: 7}, {ipBlock: {cidr: 7}}]}]",
        "  ingress: [{from: [{podSelector: {}}], ports: [7, {port: true}]}]",
        "  ingress: [{ports: 7}]",
        "  policyTypes: Ingress\n  ingress: [{from: [{ipBlock: {cidr: 0.0.0.0/0, except: x}}]}]",
    ):
        assert run(body) == []
    assert check(RULE, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec: 7\n") == []
    # Another API group's NetworkPolicy is not Kubernetes's.
    other = POLICY.format(body="  ingress: [{}]").replace("networking.k8s.io/v1", "crd.example/v1")
    assert check(RULE, other) == []
