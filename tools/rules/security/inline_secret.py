"""security-inline-secret: a sensitive Component metadata field given as a literal value."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Component"):
        return
    for item in dapr_model.literal_secrets(resource):
        yield RULE.finding(
            resource,
            f"metadata '{item.name}' is a secret given as a literal value "
            f"{dapr_model.describe_secret(item.text)}: anyone who can read the Component "
            "(kubectl get components, the chart's values, CI logs) can read it. Move it to a "
            f"Kubernetes Secret and reference it: `- name: {item.name}` with "
            "`secretKeyRef: {name: <secret>, key: <key>}`",
            ("spec", "metadata", item.index, "value"),
        )


RULE = Rule(
    id="security-inline-secret",
    category="security",
    severity=Severity.ERROR,
    summary="a sensitive Component metadata field (password, token, key...) has a literal value",
    check=check,
    explanation=(
        "Dapr stores Component metadata in the Component object as plain text. A password or token "
        "written there is readable by everyone with read access to Components. Use secretKeyRef."
    ),
    kinds=frozenset({"Component"}),
)
