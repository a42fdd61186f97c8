"""A metadata name the component never reads: Dapr ignores it silently."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.catalog import did_you_mean
from tools.dapr.registry import load_registry
from tools.dapr.release_catalog import spec_for
from tools.dapr.releases import NEWEST, Change, load_release_data, release_of
from tools.rules import Bundle, Rule


def _package(type_: str, version: str) -> str | None:
    """The components-contrib package daprd creates ``type_``/``version`` from."""
    reg = load_registry().get(type_)
    resolved = reg.resolve(version.strip()) if reg is not None else None
    return reg.versions[resolved] if reg is not None and resolved is not None else None


def _not_in_release(name: str, change: Change, release: str, type_: str) -> str:
    return (
        f'{type_} metadata "{name}" was {change.describe(release)}: daprd {release} ignores it '
        "silently, so this setting has no effect on that release. Run a release that reads it, "
        "or remove it."
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    release = release_of(bundle.options)
    spec = spec_for(type_, version, release)
    if spec is None:
        return
    package = _package(type_, version) if release != NEWEST else None
    changes = load_release_data() if package is not None else None
    for item in dm.metadata_items(resource):
        change = changes.metadata_change(package, item.name) if changes and package else None
        if change is not None and change[1].present_in(release):
            if spec.field(item.name) is None:
                continue  # a name this older release still reads
        elif change is not None:
            yield RULE.finding(
                resource,
                _not_in_release(item.name, change[1], release, type_),
                ("spec", "metadata", item.index, "name"),
                severity=Severity.ERROR if spec.verified else Severity.WARNING,
            )
            continue
        if spec.open or spec.field(item.name) is not None:
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
    "invented name is dropped without a log line; so is a name the chosen Dapr release does "
    "not read yet (added in a later release) or any more. Error for component types checked "
    "against their code; warning for the rest.",
    kinds=frozenset({"Component"}),
)
