"""metadata.labels: qualified-name keys and label values, as ValidateLabels checks them."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
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
            # Built-in kinds get this from kubernetes-schema; a custom resource only here.
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
