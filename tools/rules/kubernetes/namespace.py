"""`metadata.namespace` is not a valid Namespace name: a lowercase RFC 1123 label of at most 63
characters (`a-z`, `0-9`, `-`, starting and ending with a letter or digit). Cluster-scoped kinds
(Namespace, ClusterRole, StorageClass…) are not checked: the API server clears their namespace.

## Why

`Todo_NS` or `todo.prod` pass every schema, but no namespace can have that name.

## What happens in the cluster

The API server refuses the object: `metadata.namespace: Invalid value: "Todo_NS": a lowercase
RFC 1123 label must consist of …`.

## How to fix

Use the namespace's real name, in lower case with `-` instead of `_` or `.`; or leave the field
out and let `kubectl -n` / `helm --namespace` set it.

## Source

k8s.io/apimachinery `pkg/api/validation/objectmeta.go` `ValidateObjectMetaAccessor`
(`requiresNamespace`: `ValidateNamespaceName`), `pkg/api/validation/generic.go`
`ValidateNamespaceName = NameIsDNSLabel`, `pkg/util/validation/validation.go` `IsDNS1123Label`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes import names as k8s_names
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._meta import describe, is_cluster_scoped


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    namespace = resource.metadata.get("namespace")
    if not isinstance(namespace, str) or not namespace or is_cluster_scoped(resource):
        return
    errors = k8s_names.dns1123_label_errors(namespace)
    if errors:
        yield RULE.finding(
            resource,
            f"metadata.namespace {k8s_names.shown(namespace)} is refused by the API server: a "
            f"namespace must be an RFC 1123 label (ValidateNamespaceName): {describe(errors)}",
            ("metadata", "namespace"),
        )


RULE = Rule(
    id="kubernetes-namespace",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="metadata.namespace is a lowercase RFC 1123 label of at most 63 characters",
    check=check,
)
