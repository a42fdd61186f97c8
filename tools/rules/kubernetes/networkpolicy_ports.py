"""kubernetes-networkpolicy-port: port numbers, named ports, endPort and protocol."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.kubernetes.network import PROTOCOLS, port_name_errors, port_number_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _networkpolicy as np


def _port_messages(
    path: tuple[str | int, ...], port: dict[str, Any]
) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol not in PROTOCOLS:
        yield f.not_supported((*path, "protocol"), protocol, PROTOCOLS), (*path, "protocol")
    number = port.get("port")
    end = port.get("endPort")
    end_path = (*path, "endPort")
    if f.is_int(number):
        for msg in port_number_errors(number):
            yield f.invalid((*path, "port"), number, msg), (*path, "port")
        if f.is_int(end):
            if end < number:
                yield f.invalid(end_path, end, "must be greater than or equal to `port`"), end_path
            for msg in port_number_errors(end):
                yield f.invalid(end_path, end, msg), end_path
    elif isinstance(number, str):
        if f.is_int(end):
            yield (
                f.invalid(end_path, end, "may not be specified when `port` is non-numeric"),
                end_path,
            )
        for msg in port_name_errors(number):
            yield f.invalid((*path, "port"), number, msg), (*path, "port")
    elif number is None and f.is_int(end):
        yield (
            f.invalid(end_path, end, "may not be specified when `port` is not specified"),
            end_path,
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not np.is_network_policy(resource):
        return
    for path, port in np.ports(resource):
        for message, where in _port_messages(path, port):
            yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-networkpolicy-port",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="NetworkPolicy ports: 1-65535, valid named ports, endPort only after a numeric port",
    check=check,
    explanation=(
        "Mirrors ValidateNetworkPolicyPort: the API server refuses a port outside 1-65535, a "
        "named port that is not an IANA service name (a quoted number is a name), an endPort "
        "below port or without a numeric port, and a protocol other than TCP, UDP or SCTP."
    ),
    kinds=frozenset({"NetworkPolicy"}),
)
