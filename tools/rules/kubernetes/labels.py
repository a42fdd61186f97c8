"""A label key or value the API server refuses.

- A **key** is a qualified name: an optional prefix that is a lowercase DNS subdomain (at most
  253 characters) and `/`, then a name of at most 63 characters of letters, digits, `-`, `_` and
  `.`, starting and ending with a letter or digit (`app.kubernetes.io/name`, `tier`).
- A **value** is empty, or at most 63 characters of the same set, starting and ending with a
  letter or digit.
- On a custom resource a value must be a string (`version: 1.0` is a number); built-in kinds get
  that from `schema-kubernetes`.

## Why

Labels are used in selectors and by the API server's indexes, so their format is enforced by Go
validation for every object, custom resources included; no schema checks it.

## What happens in the cluster

The API server refuses the object: `metadata.labels: Invalid value: "…": must be no more than 63
characters`.

## How to fix

Shorten the value (a long value usually belongs in an annotation), or replace spaces and other
characters with `-`, `_` or `.`. Quote numeric values.

## Source

k8s.io/apimachinery `pkg/apis/meta/v1/validation/validation.go` `ValidateLabels` and
`ValidateLabelName`; `pkg/util/validation/validation.go` `IsQualifiedName` and
`IsValidLabelValue`; called from `pkg/api/validation/objectmeta.go` `ValidateObjectMetaAccessor`.

A label value that is not a string on a custom resource: the request decoder of
k8s.io/apiextensions-apiserver (`pkg/apiserver/customresource_handler.go`, `schemaCoercingDecoder`,
which does not drop malformed metadata) reads metadata through
`pkg/apiserver/schema/objectmeta/coerce.go` `GetObjectMetaWithOptions`, and its JSON decoding
into `ObjectMeta` fails.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes import names as k8s_names
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._meta import describe, is_custom_resource, string_map


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    labels = resource.metadata.get("labels")
    custom: bool | None = None
    for key, value in string_map(labels):
        path = ("metadata", "labels", key)
        errors = k8s_names.qualified_name_errors(key)
        if errors:
            yield RULE.finding(
                resource,
                f"label key {k8s_names.shown(key)} is refused by the API server: a label key "
                f"must be a qualified name ([prefix/]name): {describe(errors)}",
                path,
            )
        if isinstance(value, str):
            errors = k8s_names.label_value_errors(value)
            if errors:
                yield RULE.finding(
                    resource,
                    f"the value of label {k8s_names.shown(key)} is refused by the API server: "
                    f"{describe(errors)}",
                    path,
                )
        elif value is not None:
            # Built-in kinds get this from schema-kubernetes; a custom resource only here.
            if custom is None:
                custom = is_custom_resource(resource, bundle)
            if custom:
                yield RULE.finding(
                    resource,
                    f"the value of label {k8s_names.shown(key)} must be a string; quote it in YAML",
                    path,
                )


RULE = Rule(
    id="kubernetes-labels",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="label keys are qualified names and values at most 63 characters of [A-Za-z0-9-_.]",
    check=check,
)
