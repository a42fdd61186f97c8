"""kubernetes-networkpolicy-peer: one kind of peer each, and ipBlock CIDRs that parse and nest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.kubernetes.network import cidr_warnings, parse_cidr_sloppy
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _networkpolicy as np

_CIDR_HELP = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _ip_block(
    resource: Resource, path: tuple[str | int, ...], block: dict[str, Any]
) -> Iterator[Finding]:
    cidr_text = block.get("cidr")
    cidr_path = (*path, "cidr")
    if not isinstance(cidr_text, str):
        return  # absent or not a string: the schema reports it
    if not cidr_text:
        yield RULE.finding(resource, f.required(cidr_path), cidr_path)
        return
    cidr = parse_cidr_sloppy(cidr_text)
    if cidr is None:
        yield RULE.finding(resource, f.invalid(cidr_path, cidr_text, _CIDR_HELP), cidr_path)
        return
    for warning in cidr_warnings(cidr):
        yield RULE.finding(
            resource, f"{f.describe_path(cidr_path)}: {warning}", cidr_path, Severity.WARNING
        )
    for k, text in enumerate(f.as_list(block.get("except"))):
        if not isinstance(text, str):
            continue
        where = (*path, "except", k)
        inner = parse_cidr_sloppy(text)
        if inner is None:
            yield RULE.finding(resource, f.invalid(where, text, _CIDR_HELP), where)
            continue
        for warning in cidr_warnings(inner):
            yield RULE.finding(
                resource, f"{f.describe_path(where)}: {warning}", where, Severity.WARNING
            )
        if not cidr.contains_network_of(inner) or cidr.prefix >= inner.prefix:
            yield RULE.finding(
                resource, f.invalid(where, text, "must be a strict subset of `cidr`"), where
            )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not np.is_network_policy(resource):
        return
    for path, peer in np.peers(resource):
        present = [
            k for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None
        ]
        if not present:
            yield RULE.finding(resource, f.required(path, "must specify a peer"), path)
        elif len(present) > 1 and "ipBlock" in present:
            yield RULE.finding(
                resource, f.forbidden(path, "may not specify both ipBlock and another peer"), path
            )
        block = peer.get("ipBlock")
        if isinstance(block, dict):
            yield from _ip_block(resource, (*path, "ipBlock"), block)


RULE = Rule(
    id="kubernetes-networkpolicy-peer",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="NetworkPolicy peers: exactly one kind, valid ipBlock CIDRs, except inside cidr",
    check=check,
    explanation=(
        "Mirrors ValidateNetworkPolicyPeer and ValidateIPBlock: a peer needs a selector or an "
        "ipBlock but not an ipBlock with anything else; cidr and except must parse as CIDRs and "
        "each except must be a strict subset of cidr. Ambiguous or non-standard CIDRs (host "
        "bits set, leading zeros) are accepted in 1.34 and reported as warnings."
    ),
    kinds=frozenset({"NetworkPolicy"}),
)
