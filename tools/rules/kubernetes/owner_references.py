"""- **Error**: an entry of `metadata.ownerReferences` lacks its owner's `apiVersion` (a version
  part), `kind`, `name` or `uid`; names a v1 `Event` as owner; or more than one entry has
  `controller: true`.
- **Warning**: an entry equal in every field to an earlier one. The API server drops it before
  validating (so two identical `controller: true` entries are not refused) and answers with
  `Warning: .metadata.ownerReferences contains duplicate entries; API server dedups owner
  references in 1.20+, and may reject such requests as early as 1.24; ...`. Entries that share
  a `uid` but differ in any field (`blockOwnerDeletion`, `controller: false` against a left-out
  `controller`) are all kept and validated.

## Why

Owner references drive garbage collection: when the owner is deleted, its dependents go too.
The `uid` pins the owner instance, so it cannot be written ahead of time in a chart.

## What happens in the cluster

Error: the API server refuses the object (`metadata.ownerReferences.uid: Invalid value: "":
must not be empty`, or `Only one reference can have Controller set to true`). Warning: the
object is stored with the duplicate removed; `kubectl` prints the warning.

## How to fix

Leave owner references to the controllers that create dependents; in a chart, rely on the Helm
release instead. If one is needed, copy all four fields from the live owner, once.

## Source

- k8s.io/apimachinery `pkg/api/validation/objectmeta.go` `ValidateOwnerReferences` and
  `validateOwnerReference` (`BannedOwners`), called from `ValidateObjectMetaAccessor`.
- k8s.io/apiserver `pkg/endpoints/handlers/rest.go` `dedupOwnerReferencesAndAddWarning`,
  `dedupOwnerReferences` and `hasOwnerReference` (semantic equality of the whole entry;
  `DuplicateOwnerReferencesWarningFormat`), called from `create.go`, `update.go` and
  `patch.go` before the object is validated.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


# The fields of metav1.OwnerReference: strings, then the two *bool.
_STRINGS = ("apiVersion", "kind", "name", "uid")
_FLAGS = ("controller", "blockOwnerDeletion")
Key = tuple[str | bool | None, ...]


def _key(reference: dict[str, object]) -> Key | None:
    """The decoded entry, for hasOwnerReference's equality; None when a field has a type the
    API server would not decode (the schema's to report)."""
    values: list[str | bool | None] = []
    for name in _STRINGS:
        value = reference.get(name)
        if value is not None and not isinstance(value, str):
            return None
        values.append(value or "")
    for name in _FLAGS:
        value = reference.get(name)
        if value is not None and not isinstance(value, bool):
            return None
        values.append(value)
    return tuple(values)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    references = resource.metadata.get("ownerReferences")
    if not isinstance(references, list):
        return
    controller: str | None = None
    seen: dict[Key, int] = {}
    for index, reference in enumerate(references):
        if not isinstance(reference, dict):
            continue
        path = ("metadata", "ownerReferences", index)
        key = _key(reference)
        if key is not None:
            if key in seen:
                yield RULE.finding(
                    resource,
                    f"ownerReferences[{index}] repeats ownerReferences[{seen[key]}] exactly; the "
                    "API server drops the duplicate with a warning (.metadata.ownerReferences "
                    "contains duplicate entries) and may refuse it in a later release: remove it",
                    path,
                    severity=Severity.WARNING,
                )
                continue
            seen[key] = index
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
    severity_note="; warning for an entry repeated exactly (the API server drops it)",
    summary="ownerReferences name apiVersion, kind, name and uid; at most one controller",
    check=check,
)
