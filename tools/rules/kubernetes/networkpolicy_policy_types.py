"""`spec.policyTypes` has more than two entries, or an entry other than `Ingress` or `Egress`
(spelt exactly so: `egress` is refused).

## Why

The schema says `policyTypes` is a list of strings; the allowed values and the limit of two are
Go validation.

## What happens in the cluster

The apply fails with `spec.policyTypes[1]: Unsupported value: "egress": supported values:
"Ingress", "Egress"` or `spec.policyTypes: Invalid value: …: may not specify more than two
policyTypes`.

## How to fix

List `Ingress`, `Egress` or both, once each.

## Source

Kubernetes 1.34, `pkg/apis/networking/validation/validation.go`, `ValidateNetworkPolicySpec`
(the policyTypes part). The 1.34 code does not refuse a repeated value within the limit of two
(`[Ingress, Ingress]`), so this rule does not either.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
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
    kinds=frozenset({"NetworkPolicy"}),
)
