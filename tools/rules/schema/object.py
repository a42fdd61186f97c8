"""A document is not a Kubernetes object: `apiVersion` or `kind` is missing, empty or not a
string, has a shape no API group or kind can have, or the object has no `metadata.name` (and no
`metadata.generateName`).

## Why

Every later check looks the kind and apiVersion up among known schemas. Their shape is checked
first, with the length tested before any pattern runs: an apiVersion is `<group>/<version>` or
a core version such as `v1`, the group at most 253 characters and the version at most 63; a
kind is a DNS-1035 label once lower-cased (at most 63 letters, digits or `-`, starting with a
letter). A value outside that shape is reported here and never used for a lookup, so a hostile
manifest cannot steer the validator to a file or cost it time.

## What happens in the cluster

The API server cannot decode an object without `apiVersion` and `kind` ("Object 'Kind' is
missing"), and refuses one without a name ("name or generateName is required"). `kubectl
apply` and `helm install` fail.

## How to fix

Add or correct `apiVersion`, `kind` and `metadata.name`, e.g. `apiVersion: dapr.io/v1alpha1`,
`kind: Component`.

## Source

k8s.io/apimachinery `pkg/runtime/serializer/json` (the decoder needs `apiVersion` and `kind`);
`pkg/api/validation/objectmeta.go`, function `ValidateObjectMetaAccessor` (name or
generateName required); apiextensions-apiserver `pkg/apis/apiextensions/validation`
(`ValidateCustomResourceDefinitionNames`: the kind's plural and kind are DNS-1035 labels).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.schema._identity import api_version_problem, kind_problem


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    doc = resource.doc
    for field in ("apiVersion", "kind"):
        value = doc.get(field)
        if field not in doc:
            yield RULE.finding(
                resource,
                f'missing "{field}": every Kubernetes object needs apiVersion and kind '
                "(e.g. apiVersion: dapr.io/v1alpha1, kind: Component)",
            )
        elif not isinstance(value, str) or not value.strip():
            yield RULE.finding(resource, f"{field}: must be a non-empty string", (field,))
    api_version = doc.get("apiVersion")
    if isinstance(api_version, str) and api_version.strip():
        problem = api_version_problem(api_version)
        if problem:
            yield RULE.finding(resource, f"apiVersion: {problem}", ("apiVersion",))
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.strip():
        problem = kind_problem(kind)
        if problem:
            yield RULE.finding(resource, f"kind: {problem}", ("kind",))
    if isinstance(kind, str) and kind.endswith("List") and "items" in doc:
        return
    metadata = doc.get("metadata")
    if metadata is None:
        yield RULE.finding(resource, "missing metadata: the object needs metadata.name")
    elif isinstance(metadata, dict):
        name = metadata.get("name")
        if not metadata.get("generateName") and (not isinstance(name, str) or not name):
            yield RULE.finding(
                resource,
                "metadata: missing name (every object needs metadata.name)",
                ("metadata",),
            )


RULE = Rule(
    id="schema-object",
    category="schema",
    severity=Severity.ERROR,
    summary="each document is a Kubernetes object with apiVersion, kind and metadata.name",
    check=check,
    aliases=("kubernetes-object",),
)
