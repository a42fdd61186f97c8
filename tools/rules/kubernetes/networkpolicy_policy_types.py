"""kubernetes-networkpolicy-policy-types: only Ingress and Egress, at most two entries."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _networkpolicy as np

_ALLOWED = ("Ingress", "Egress")


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not np.is_network_policy(resource):
        return
    types = np.spec(resource).get("policyTypes")
    if not isinstance(types, list):
        return
    path = ("spec", "policyTypes")
    if len(types) > len(_ALLOWED):
        shown = (
            "[" + ", ".join(str(t)[:20] for t in types[:4]) + (", ...]" if len(types) > 4 else "]")
        )
        yield RULE.finding(
            resource,
            f"{f.describe_path(path)}: Invalid value: {shown}: "
            "may not specify more than two policyTypes",
            path,
        )
        return
    for i, value in enumerate(types):
        if isinstance(value, str) and value not in _ALLOWED:
            yield RULE.finding(resource, f.not_supported((*path, i), value, _ALLOWED), (*path, i))


RULE = Rule(
    id="kubernetes-networkpolicy-policy-types",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="NetworkPolicy policyTypes: Ingress and/or Egress, at most two entries",
    check=check,
    explanation=(
        "Mirrors the policyTypes part of ValidateNetworkPolicySpec: more than two entries, or "
        "a value other than Ingress or Egress (the case matters), is refused."
    ),
    kinds=frozenset({"NetworkPolicy"}),
)
