"""A metadata name the component still reads but has deprecated."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.catalog import FieldSpec
from tools.dapr.release_catalog import spec_for
from tools.dapr.releases import release_of
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_ = dm.component_type(resource)
    spec = spec_for(type_, dm.component_version(resource), release_of(bundle.options))
    if spec is None:
        return
    for item in dm.metadata_items(resource):
        field = spec.field(item.name)
        if field is None or not field.deprecated or item.name.lower() != field.name.lower():
            continue
        if field.exact_key and item.name != field.name:
            continue  # read by its exact spelling: dapr-metadata-case reports it as ignored
        path = ("spec", "metadata", item.index, "name")
        yield RULE.finding(resource, message(field, type_), path)


def message(field: FieldSpec, type_: str) -> str:
    """The finding for a deprecated field, dated when an earlier release did not deprecate it."""
    since = f" since Dapr {field.deprecated_since}" if field.deprecated_since else ""
    instead = f'; use "{field.replaced_by}" instead' if field.replaced_by else ""
    return (
        f'"{field.name}" is deprecated{since}{instead}. {type_} still reads it today, but a '
        "later release may drop it."
    )


RULE = Rule(
    id="dapr-deprecated-metadata",
    category="dapr",
    severity=Severity.WARNING,
    summary="Metadata name the component still reads but has deprecated",
    check=check,
    explanation="Deprecated names keep working (the code maps them onto the current field or "
    "reads them as before); they are a warning, never reported as ignored. Judged against the "
    "chosen release's metadata.yaml: a field an earlier release did not deprecate says since "
    "when, and on that earlier release it is not reported.",
    kinds=frozenset({"Component"}),
)
