"""A NetworkPolicy label selector (`spec.podSelector`, and `podSelector` / `namespaceSelector` of
each peer) the API server refuses:

- a `matchLabels` key that is not a qualified name (`[prefix/]name`: an optional DNS subdomain
  prefix of at most 253 characters, a name of at most 63 alphanumerics, `-`, `_`, `.`,
  starting and ending alphanumeric), or a value that is not a label value (empty, or at most 63
  such characters);
- a `matchExpressions` entry whose operator is not `In`, `NotIn`, `Exists` or `DoesNotExist`,
  that has no `values` with `In`/`NotIn` or has `values` with `Exists`/`DoesNotExist`, whose
  `key` is not a qualified name, or with a value that is not a label value.

## Why

The schema only says these are strings; the formats are Go validation. An empty value and a
63-character value are both valid.

## What happens in the cluster

The apply fails, e.g. `spec.podSelector.matchExpressions[0].values: Required value: must be
specified when `operator` is 'In' or 'NotIn'`.

## How to fix

Use label keys and values in the formats above; give `In`/`NotIn` at least one value and
`Exists`/`DoesNotExist` none.

## Source

k8s.io/apimachinery v0.34, `pkg/apis/meta/v1/validation/validation.go`, `ValidateLabelSelector`,
`ValidateLabelSelectorRequirement` and `ValidateLabels`; `IsQualifiedName` and
`IsValidLabelValue` in `pkg/util/validation/validation.go`; called from
`ValidateNetworkPolicySpec` and `ValidateNetworkPolicyPeer` in Kubernetes 1.34
`pkg/apis/networking/validation/validation.go`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _networkpolicy as np
from tools.rules.kubernetes._selector import Path, selector_messages


def _selectors(resource: Resource) -> Iterator[tuple[Path, dict[str, Any]]]:
    body = np.spec(resource)
    if isinstance(body.get("podSelector"), dict):
        yield ("spec", "podSelector"), body["podSelector"]
    for path, peer in np.peers(resource):
        for key in ("podSelector", "namespaceSelector"):
            if isinstance(peer.get(key), dict):
                yield (*path, key), peer[key]


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not np.is_network_policy(resource):
        return
    for path, selector in _selectors(resource):
        for message, where in selector_messages(path, selector):
            yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-label-selector",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="NetworkPolicy label selectors: valid keys, values and operators",
    check=check,
    kinds=frozenset({"NetworkPolicy"}),
)
