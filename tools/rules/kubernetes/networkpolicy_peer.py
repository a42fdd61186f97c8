"""An entry of `ingress[].from` or `egress[].to` that the API server refuses:

- it has none of `podSelector`, `namespaceSelector`, `ipBlock` (`Required value: must specify
  a peer`), or it has `ipBlock` together with a selector (`Forbidden: may not specify both
  ipBlock and another peer`). `podSelector` with `namespaceSelector` is allowed;
- `ipBlock.cidr` is empty or not a CIDR: IPv4 with a prefix of 0–32 or IPv6 with 0–128,
  no zone (`%eth0`), no netmask form;
- an `ipBlock.except` entry is not a CIDR, or is not a **strict** subset of `cidr`: its network
  address must lie inside `cidr` and its prefix must be longer (an entry equal to `cidr`, wider
  than it, outside it or of the other IP family is refused).

Kubernetes 1.34 parses these fields the "legacy" way (the `StrictIPCIDRValidation` feature gate
is alpha and off): an address with bits set beyond the prefix (`10.0.0.1/24`), leading zeros
(`010.0.0.0/8`, `10.0.0.0/024`) and IPv4-mapped IPv6 addresses are accepted. These are reported
as **warnings**: the first is ambiguous (a subnet or a single host?), and the Kubernetes code
announces the others will be refused in a future release. The warning text is the one
`GetWarningsForCIDR` produces.

## Why

The schema only says `cidr` is a string. Which strings are CIDRs, and how `except` must nest,
is Go validation.

## What happens in the cluster

The apply fails: `spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a
valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)` or `…except[0]: Invalid value:
"192.168.0.0/16": must be a strict subset of `cidr``.

## How to fix

Write the network address with its prefix (`10.0.0.0/24`, `2001:db8::/32`); put only narrower
ranges inside `cidr` under `except`; give each peer either selectors or an `ipBlock`, and split
a peer that needs both into two peers.

## Source

Kubernetes 1.34, `pkg/apis/networking/validation/validation.go`, `ValidateNetworkPolicyPeer`
and `ValidateIPBlock` (with `IsValidCIDRForLegacyField` and `netutils.ParseCIDRSloppy`);
k8s.io/apimachinery v0.34 `pkg/util/validation/ip.go`, `IsValidCIDRForLegacyField` and
`GetWarningsForCIDR`; `StrictIPCIDRValidation` in `pkg/features/kube_features.go`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
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
    severity_note="; warning for ambiguous or non-standard CIDRs",
    summary="NetworkPolicy peers: exactly one kind, valid ipBlock CIDRs, except inside cidr",
    check=check,
    kinds=frozenset({"NetworkPolicy"}),
)
