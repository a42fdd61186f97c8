"""A registered component without a metadata.yaml: its metadata cannot be checked."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.registry import load_registry
from tools.dapr.release_catalog import spec_for
from tools.dapr.releases import release_of
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    release = release_of(bundle.options)
    reg = load_registry(release=release).get(type_)
    if reg is None or not list(dm.metadata_items(resource)):
        return
    resolved = reg.resolve(version.strip())
    if resolved is None or spec_for(type_, version, release) is not None:
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
    explanation="The type is valid (daprd registers it), but no metadata.yaml lists the "
    "fields it reads, so misspelt or unused metadata names cannot be reported.",
    kinds=frozenset({"Component"}),
)
