"""A metadata name the component never reads: Dapr ignores it silently."""

from __future__ import annotations

from collections.abc import Iterator

from tools import dapr_model as dm
from tools.catalog import did_you_mean, spec_for
from tools.findings import Finding, Severity
from tools.resources import Resource
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    spec = spec_for(type_, version)
    if spec is None or spec.open:
        return
    for item in dm.metadata_items(resource):
        if spec.field(item.name) is not None:
            continue
        known = [s for f in spec.canonical_fields() for s in f.spellings]
        guess = did_you_mean(item.name, known)
        hint = f' Did you mean "{guess}"?' if guess else ""
        severity = Severity.ERROR if spec.verified else Severity.WARNING
        caveat = (
            ""
            if spec.verified
            else " (The upstream field list for this type may miss legacy names; check the "
            "component's documentation before removing it.)"
        )
        yield RULE.finding(
            resource,
            f'{type_} {spec.version} does not read metadata "{item.name}": Dapr ignores it '
            f"silently, so this setting has no effect.{hint} Fix the name or remove the "
            f"item.{caveat}",
            ("spec", "metadata", item.index, "name"),
            severity=severity,
        )


RULE = Rule(
    id="dapr-unknown-metadata",
    category="dapr",
    severity=Severity.ERROR,
    summary="Metadata name the component does not read (ignored silently)",
    check=check,
    explanation="daprd decodes metadata without rejecting unknown keys, so a misspelt or "
    "invented name is dropped without a log line. Error for component types checked against "
    "their code; warning for the rest.",
    kinds=frozenset({"Component"}),
)
