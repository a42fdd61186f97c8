"""Two `spec.metadata` items have the same name, or names that differ only in case
(`clientID` and `clientId`).

## Why

Metadata names are matched case-insensitively, so both spellings address the same field.

## What happens at runtime

For a case-only difference daprd refuses the component with `key <name> is duplicate in the
metadata`, and the sidecar exits. For an exact repeat, only one of the values takes effect,
which one depends on the order: a reviewer cannot tell from the manifest.

## How to fix

Keep one item per field, in one spelling.
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
    severity_note=" (names differing only in case), warning (exact repeat)",
    summary="Metadata names that differ only in case (component refused)",
    check=check,
    kinds=frozenset({"Component"}),
)
