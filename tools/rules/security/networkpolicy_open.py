"""A `NetworkPolicy` rule opens the selected pods to every address on every port:

- an ingress rule `from` an `ipBlock` of the whole address space (`0.0.0.0/0`, `::/0`, or
  `::ffff:0.0.0.0/96`, all of IPv4) without `except`, or an egress rule `to` one;
- an ingress rule with no `from` (or an empty one), which admits every source, or an egress
  rule with no `to`, which allows every destination;

when the rule also covers every port: it has no `ports`, or one of them has no `port` (every
port of its protocol), or a range from 1 to 65535.

A rule limited to some ports is not reported: a Dapr app's egress to `0.0.0.0/0` on TCP 443
(Neon, a managed Kafka behind a changing address) or an ingress rule publishing the app's HTTP
port to everyone is what such a rule is for. A rule in a direction the policy does not
restrict (`policyTypes: [Egress]` with an `ingress` list) has no effect and is not reported.

## Why

NetworkPolicy rules add up: traffic to or from a selected pod is allowed when any rule of any
policy selecting it matches (`NetworkPolicySpec` in kubernetes pkg/apis/networking/types.go).
A rule matches all sources or destinations when its peer list is empty, and all ports when
its port list is empty or a port entry has no `port` (`NetworkPolicyIngressRule`,
`NetworkPolicyEgressRule`, `NetworkPolicyPort`). An `ipBlock` with a zero-length prefix holds
every address. So one such rule undoes every other rule of its direction for these pods. A
policy without `policyTypes` restricts ingress, and egress only when it has egress rules
(`SetDefaults_NetworkPolicy`, pkg/apis/networking/v1/defaults.go).

## What happens at runtime

The policy is accepted and enforced, and for that direction it restricts nothing. Ingress:
any pod in the cluster, and anything that can route to the pods, reaches every port, the
daprd sidecar's internal gRPC (50002), health (3501) and metrics (9090) ports included. Egress:
a compromised app can reach any host on any port. It is a warning, not an error: nothing
breaks, and an open rule can be intended (a policy that only restricts ingress, say); the
exposure is the risk.

## How to fix

Name the peers, the ports, or both:

```yaml
  egress:
    - to:
        - ipBlock: {cidr: 0.0.0.0/0}
      ports:
        - {protocol: TCP, port: 443}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: ingress-nginx}
      ports:
        - {protocol: TCP, port: 8080}
```

To leave a direction unrestricted on purpose, leave it out of `policyTypes` instead of
allowing everything in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.network import Cidr, parse_cidr_sloppy
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _networkpolicy as np
from tools.rules.kubernetes._field import as_list, is_int

_MAX_PORT = 65535


def _directions(resource: Resource) -> set[str]:
    """``ingress``/``egress``: what the policy restricts, with ``SetDefaults_NetworkPolicy``."""
    spec = np.spec(resource)
    types = spec.get("policyTypes")
    if isinstance(types, list) and types:
        return {str(t).lower() for t in types if t in ("Ingress", "Egress")}
    return {"ingress", "egress"} if as_list(spec.get("egress")) else {"ingress"}


def _every_port(ports: Any) -> bool:
    if not isinstance(ports, list | None):
        return False  # not a list: the schema rules report it
    if not ports:
        return True
    for entry in ports:
        if not isinstance(entry, dict):
            continue
        port = entry.get("port")
        if port is None:
            return True
        end = entry.get("endPort")
        if is_int(port) and port <= 1 and is_int(end) and end >= _MAX_PORT:
            return True
    return False


def _whole_space(cidr: Cidr) -> bool:
    if cidr.prefix == 0:
        return True
    # ::ffff:0.0.0.0/96 is every IPv4 address (Go compares IPv4-mapped networks as IPv4).
    return cidr.bits == 128 and cidr.prefix == 96 and cidr.network >> 32 == 0xFFFF


def _open_peer(peers: list[Any]) -> tuple[int, str] | None:
    """(index, cidr) of a peer that is the whole address space without exceptions."""
    for index, peer in enumerate(peers):
        block = peer.get("ipBlock") if isinstance(peer, dict) else None
        if not isinstance(block, dict) or block.get("except") not in (None, []):
            continue  # exceptions (or a malformed list the schema rules report)
        text = block.get("cidr")
        cidr = parse_cidr_sloppy(text) if isinstance(text, str) else None
        if cidr is not None and _whole_space(cidr):
            return index, cidr.network_text()
    return None


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not np.is_network_policy(resource):
        return
    restricted = _directions(resource)
    for path, rule in np.rules(resource):
        direction = str(path[1])
        if direction not in restricted or not _every_port(rule.get("ports")):
            continue
        key = "from" if direction == "ingress" else "to"
        peers = rule.get(key)
        if not isinstance(peers, list | None):
            continue  # not a list: the schema rules report it
        if not peers:
            who = "every source" if direction == "ingress" else "every destination"
            where: tuple[str | int, ...] = path
            what = f"has no '{key}'"
        else:
            found = _open_peer(peers)
            if found is None:
                continue
            index, network = found
            who = "every address"
            where = (*path, key, index, "ipBlock", "cidr")
            what = f"allows ipBlock {network} without 'except'"
        yield RULE.finding(resource, _message(direction, what, who), where)


def _message(direction: str, what: str, who: str) -> str:
    if direction == "ingress":
        effect = (
            f"the selected pods accept connections from {who} (any pod, anything routed to "
            "them) on every port, the Dapr sidecar's 50002, 3501 and 9090 included, whatever "
            "the other ingress rules say"
        )
    else:
        effect = (
            f"the selected pods may connect to {who} on every port, whatever the other egress "
            "rules say"
        )
    return (
        f"{direction} rule {what} and no port limit: {effect}. Name the peers or the ports "
        f"(e.g. TCP 443), or leave {direction.capitalize()} out of policyTypes if it is not "
        "meant to be restricted"
    )


RULE = Rule(
    id="security-networkpolicy-open",
    category="security",
    severity=Severity.WARNING,
    summary="a NetworkPolicy rule allows every address on every port",
    check=check,
    modes="kubernetes",
    kinds=frozenset({"NetworkPolicy"}),
)
