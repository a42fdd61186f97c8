"""kubernetes-networkpolicy-policy-types: the policyTypes part of ValidateNetworkPolicySpec."""

from __future__ import annotations

from k8s_rule_util import errors

from tools.rules.kubernetes.networkpolicy_policy_types import RULE

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: todo}
spec:
  podSelector: {}
  policyTypes: TYPES
"""


def types(value: str) -> list[str]:
    return errors(RULE, POLICY.replace("TYPES", value))


def test_ingress_and_egress_pass() -> None:
    assert types("[Ingress, Egress]") == []
    assert types("[Egress]") == []
    assert types("[]") == []


def test_unknown_type() -> None:
    (message,) = types("[Ingress, egress]")
    assert message == (
        'spec.policyTypes[1]: Unsupported value: "egress": supported values: "Ingress", "Egress"'
    )


def test_more_than_two() -> None:
    (message,) = types("[Ingress, Egress, Ingress]")
    assert "may not specify more than two policyTypes" in message
