"""Metadata names given twice, or differing only in case."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    seen: dict[str, dm.MetadataItem] = {}
    for item in dm.metadata_items(resource):
        key = item.name.lower()
        first = seen.get(key)
        if first is None:
            seen[key] = item
            continue
        path = ("spec", "metadata", item.index, "name")
        if first.name == item.name:
            yield RULE.finding(
                resource,
                f'metadata "{item.name}" is given twice (items {first.index} and '
                f"{item.index}); only one of them takes effect. Keep one.",
                path,
                severity=Severity.WARNING,
            )
        else:
            yield RULE.finding(
                resource,
                f'metadata "{first.name}" and "{item.name}" differ only in case; daprd refuses '
                f'the component ("key {item.name} is duplicate in the metadata") and the '
                "sidecar exits. Keep one spelling.",
                path,
            )


RULE = Rule(
    id="dapr-duplicate-metadata",
    category="dapr",
    severity=Severity.ERROR,
    summary="Metadata names that differ only in case (component refused)",
    check=check,
    explanation="Metadata names are matched case-insensitively, and two keys that fold to the "
    "same name are an initialisation error.",
    kinds=frozenset({"Component"}),
)
