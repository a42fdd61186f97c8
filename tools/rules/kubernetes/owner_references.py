"""An entry of `metadata.ownerReferences` lacks its owner's `apiVersion` (a version part), `kind`,
`name` or `uid`; names a v1 `Event` as owner; or more than one entry has `controller: true`.

## Why

Owner references drive garbage collection: when the owner is deleted, its dependents go too.
The `uid` pins the owner instance, so it cannot be written ahead of time in a chart.

## What happens in the cluster

The API server refuses the object (`metadata.ownerReferences.uid: Invalid value: "": must not
be empty`, or `Only one reference can have Controller set to true`).

## How to fix

Leave owner references to the controllers that create dependents; in a chart, rely on the Helm
release instead. If one is needed, copy all four fields from the live owner.

## Source

k8s.io/apimachinery `pkg/api/validation/objectmeta.go` `ValidateOwnerReferences` and
`validateOwnerReference` (`BannedOwners`), called from `ValidateObjectMetaAccessor`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    references = resource.metadata.get("ownerReferences")
    if not isinstance(references, list):
        return
    controller: str | None = None
    for index, reference in enumerate(references):
        if not isinstance(reference, dict):
            continue
        path = ("metadata", "ownerReferences", index)
        api_version = _text(reference.get("apiVersion"))
        kind = _text(reference.get("kind"))
        version = api_version.rpartition("/")[2]
        missing = [
            field
            for field, value in (
                ("apiVersion (its version part)", version),
                ("kind", kind),
                ("name", _text(reference.get("name"))),
                ("uid", _text(reference.get("uid"))),
            )
            if not value
        ]
        if missing:
            yield RULE.finding(
                resource,
                f"ownerReferences[{index}]: {', '.join(missing)} must not be empty; the API "
                "server refuses the object (the uid is the owner's, read from the cluster)",
                path,
            )
        if api_version == "v1" and kind == "Event":
            yield RULE.finding(
                resource, f"ownerReferences[{index}]: an Event cannot be an owner", path
            )
        if reference.get("controller") is True:
            current = f"{kind}/{_text(reference.get('name'))}"
            if controller is not None:
                yield RULE.finding(
                    resource,
                    f"ownerReferences[{index}]: only one reference may have controller: true "
                    f"({controller} already has it, {current} too)",
                    path,
                )
            else:
                controller = current


RULE = Rule(
    id="kubernetes-owner-references",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="ownerReferences name apiVersion, kind, name and uid; at most one controller",
    check=check,
)
