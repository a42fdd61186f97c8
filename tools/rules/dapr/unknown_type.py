"""A Component type or version the catalog does not know, in a known category."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from tools import dapr_model as dm
from tools.catalog import CATEGORIES, load_catalog, lookup_component
from tools.findings import Finding, Severity
from tools.resources import Resource
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    category = type_.partition(".")[0].lower()
    if "." not in type_ or category not in CATEGORIES:
        return  # dapr-unknown-category
    catalog = load_catalog()
    if lookup_component(catalog, type_, version) is not None:
        return
    versions = catalog.versions(type_)
    ignore = dm.spec(resource).get("ignoreErrors") is True
    effect = (
        "daprd logs the failure and runs without this component (spec.ignoreErrors is true)"
        if ignore
        else "daprd cannot create it and the sidecar exits"
    )
    if versions:
        yield RULE.finding(
            resource,
            f'"{type_}" has no version "{version}" ({", ".join(versions)} exist): {effect}. '
            f"Set spec.version to one of them.",
            ("spec", "version"),
        )
        return
    same_category = [t for t in catalog.types() if t.startswith(category + ".")]
    close = difflib.get_close_matches(type_.lower(), same_category, n=1, cutoff=0.8)
    hint = f' Did you mean "{close[0]}"?' if close else ""
    yield RULE.finding(
        resource,
        f'"{type_}" is not a {category} component of components-contrib '
        f"{catalog.source or '(catalog)'}: if the name is wrong, {effect}.{hint} "
        "A pluggable or newer component is fine; "
        "suppress this warning for it.",
        ("spec", "type"),
    )


RULE = Rule(
    id="dapr-unknown-type",
    category="dapr",
    severity=Severity.WARNING,
    summary="Component type or version unknown in a known category",
    check=check,
    explanation="The catalog lists every component type and version components-contrib ships. "
    "A type outside it is a typo, a pluggable component, or a newer Dapr release.",
    kinds=frozenset({"Component"}),
)
