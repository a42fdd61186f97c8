"""Walking a NetworkPolicy the way ``ValidateNetworkPolicySpec`` does (networking/v1 only)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.resource import Resource
from tools.rules.kubernetes._field import as_dict, as_list

API_VERSION = "networking.k8s.io/v1"
# (rule list, peer list) of each direction
DIRECTIONS = (("ingress", "from"), ("egress", "to"))


def is_network_policy(resource: Resource) -> bool:
    return resource.kind == "NetworkPolicy" and resource.api_version == API_VERSION


def spec(resource: Resource) -> dict[str, Any]:
    return as_dict(resource.doc.get("spec"))


def rules(resource: Resource) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """(path, rule) of every ingress and egress rule."""
    body = spec(resource)
    for direction, _ in DIRECTIONS:
        for i, rule in enumerate(as_list(body.get(direction))):
            if isinstance(rule, dict):
                yield ("spec", direction, i), rule


def ports(resource: Resource) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    for path, rule in rules(resource):
        for j, port in enumerate(as_list(rule.get("ports"))):
            if isinstance(port, dict):
                yield (*path, "ports", j), port


def peers(resource: Resource) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    for path, rule in rules(resource):
        key = "from" if path[1] == "ingress" else "to"
        for j, peer in enumerate(as_list(rule.get(key))):
            if isinstance(peer, dict):
                yield (*path, key, j), peer
