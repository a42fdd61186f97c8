"""metadata.ownerReferences: each names its owner completely; at most one is the controller."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
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
