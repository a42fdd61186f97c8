"""An entry of a NetworkPolicy's `ingress[].ports` or `egress[].ports` that the API server
refuses:

- `port` is a number outside 1–65535;
- `port` is a name that is not an IANA service name: at most 15 characters, only `a-z`, `0-9`
  and `-`, at least one letter, no `--`, no leading or trailing `-`. A quoted number
  (`port: "8080"`) is a *name* to the API server, and fails the "at least one letter" test;
- `endPort` is below `port`, outside 1–65535, or set while `port` is a name or absent;
- `protocol` is not exactly `TCP`, `UDP` or `SCTP` (an omitted protocol defaults to `TCP`).

`endPort` equal to `port` is valid (a range of one port).

## Why

The OpenAPI schema only says `port` is an integer or a string and `protocol` a string; the
ranges and formats live in the API server's Go validation.

## What happens in the cluster

`kubectl apply` and `helm install` fail with `The NetworkPolicy "…" is invalid:
spec.egress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive`.
Nothing of the release is applied after the failing object.

## How to fix

Use the port number the pods listen on, an unquoted number for numeric ports, the container
port's name for named ports, and `endPort` ≥ `port` only with a numeric `port`.

## Source

Kubernetes 1.34, `pkg/apis/networking/validation/validation.go`, `ValidateNetworkPolicyPort`;
`IsValidPortNum` and `IsValidPortName` in k8s.io/apimachinery
`pkg/util/validation/validation.go`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
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
    kinds=frozenset({"NetworkPolicy"}),
)
