"""metadata.name (and generateName) in the format the API server requires for the kind."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.kubernetes import names as k8s_names
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._meta import describe, name_format


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    metadata = resource.metadata
    errors_of, what, go_function = name_format(resource)
    kind = resource.kind or "this kind"
    generate = metadata.get("generateName")
    if isinstance(generate, str) and generate:
        errors = errors_of(k8s_names.mask_trailing_dash(generate))
        if errors:
            yield RULE.finding(
                resource,
                f"metadata.generateName {k8s_names.shown(generate)} is refused by the API "
                f"server: a {kind} name must be {what} ({go_function}), and the generated "
                f"name would not be: {describe(errors)}",
                ("metadata", "generateName"),
            )
    name = metadata.get("name")
    if isinstance(name, str) and name:
        errors = errors_of(name)
        if errors:
            yield RULE.finding(
                resource,
                f"metadata.name {k8s_names.shown(name)} is refused by the API server: a "
                f"{kind} name must be {what} ({go_function}): {describe(errors)}",
                ("metadata", "name"),
            )


RULE = Rule(
    id="kubernetes-name",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="metadata.name is in the format the API server requires for the kind",
    check=check,
    explanation="Most kinds and every custom resource (Dapr Component, Subscription, "
    "Configuration, Resiliency, HTTPEndpoint) need a lowercase RFC 1123 subdomain of at most "
    "253 characters; Namespace an RFC 1123 label, Service an RFC 1035 label; RBAC roles and "
    "bindings only a path segment.",
)
