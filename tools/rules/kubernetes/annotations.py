"""An annotation key that is not a qualified name (case is ignored: `Example.COM/Name` is fine),
or annotations whose keys and values total more than 256 KiB (262,144 bytes). On a custom
resource, an annotation value that is not a string (a number or boolean).

## Why

Annotation values are free text, but the keys follow the same format as label keys, and the
whole set is capped in size. No schema checks either.

## What happens in the cluster

The API server refuses the object: `metadata.annotations: Invalid value: "bad key!": name part
must consist of alphanumeric characters…`, or `metadata.annotations: Too long: may not be more
than 262144 bytes`.

## How to fix

Use keys like `example.com/my-key` (letters, digits, `-`, `_`, `.`; one `/` after a DNS
prefix). Move large data (certificates, JSON documents) to a ConfigMap or Secret.

## Source

k8s.io/apimachinery `pkg/api/validation/objectmeta.go` `ValidateAnnotations` (keys through
`IsQualifiedName(strings.ToLower(k))`) and `ValidateAnnotationsSize`
(`TotalAnnotationSizeLimitB = 256 << 10`, keys and values counted in bytes).

A non-string annotation value on a custom resource fails the same way as a label value (see
`kubernetes-labels`): apiextensions-apiserver `GetObjectMetaWithOptions` cannot decode it into
`ObjectMeta`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes import names as k8s_names
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._meta import describe, is_custom_resource, string_map

# TotalAnnotationSizeLimitB: keys and values together, counted in bytes.
TOTAL_SIZE_LIMIT = 256 * 1024


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    annotations = resource.metadata.get("annotations")
    total = 0
    custom: bool | None = None
    for key, value in string_map(annotations):
        path = ("metadata", "annotations", key)
        total += len(key.encode("utf-8", "surrogatepass"))
        errors = k8s_names.qualified_name_errors(key.lower())
        if errors:
            yield RULE.finding(
                resource,
                f"annotation key {k8s_names.shown(key)} is refused by the API server: an "
                f"annotation key must be a qualified name ([prefix/]name, any case): "
                f"{describe(errors)}",
                path,
            )
        if isinstance(value, str):
            total += len(value.encode("utf-8", "surrogatepass"))
        elif value is not None:
            if custom is None:
                custom = is_custom_resource(resource, bundle)
            if custom:
                yield RULE.finding(
                    resource,
                    f"the value of annotation {k8s_names.shown(key)} must be a string; quote "
                    "it in YAML",
                    path,
                )
    if total > TOTAL_SIZE_LIMIT:
        yield RULE.finding(
            resource,
            f"annotations total {total} bytes (keys and values): the API server refuses more "
            f"than {TOTAL_SIZE_LIMIT} bytes (256 KiB); move large data to a ConfigMap",
            ("metadata", "annotations"),
        )


RULE = Rule(
    id="kubernetes-annotations",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="annotation keys are qualified names; keys and values total at most 256 KiB",
    check=check,
)
