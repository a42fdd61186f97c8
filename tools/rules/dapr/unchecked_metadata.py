"""daprd registers the component type, but no components-contrib `metadata.yaml` describes its
metadata, so the names and values of its `spec.metadata` items are not checked.

## Why

The metadata rules (`dapr-unknown-metadata`, `dapr-metadata-value`, ...) work from the
component catalog, which is built from components-contrib `metadata.yaml` files. Some
registered components have none: `middleware.http.uppercase` is written in daprd itself
(`cmd/daprd/components/middleware_http_uppercase.go`, the factory passed to
`RegisterComponent` reads `direction` from the metadata), and the Zeebe bindings' files do
not parse. The registry import (`schemas/dapr-components/registry.json`) records which
components-contrib package each registered factory comes from, or none.

## What happens at runtime

Nothing wrong by itself: the component loads. A misspelt metadata name would be ignored by
the component without a log line, and this tool cannot tell.

## How to fix

Compare the metadata names with the component's documentation. The finding is informational
and needs no change.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    reg = bundle.dapr.registry.get(type_)
    if reg is None or not list(dm.metadata_items(resource)):
        return
    resolved = reg.resolve(version.strip())
    if resolved is None or bundle.dapr.spec(type_, version) is not None:
        return
    package = reg.versions[resolved]
    origin = (
        f"its factory is in daprd itself (cmd/daprd/components/{', '.join(reg.files)})"
        if package is None
        else f"components-contrib {package} has no readable metadata.yaml"
    )
    yield RULE.finding(
        resource,
        f'daprd registers "{type_}", but {origin}, so the names and values of its metadata '
        "items are not checked here. Compare them with the component's documentation.",
        ("spec", "metadata"),
    )


RULE = Rule(
    id="dapr-unchecked-metadata",
    category="dapr",
    severity=Severity.INFO,
    summary="Registered component without a metadata description: metadata not checked",
    check=check,
    kinds=frozenset({"Component"}),
)
