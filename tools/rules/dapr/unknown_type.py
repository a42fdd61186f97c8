"""A Component type or version daprd's component registry cannot create."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.registry import Registration, load_registry
from tools.dapr.releases import key, load_release_data, release_of
from tools.rules import Bundle, Rule


def _effect(resource: Resource) -> str:
    if dm.spec(resource).get("ignoreErrors") is True:
        return (
            "daprd logs the init failure and runs without this component "
            "(spec.ignoreErrors is true)"
        )
    return "the component fails to initialise and the sidecar exits"


def _where(reg: Registration) -> str:
    return ", ".join(f"cmd/daprd/components/{f}" for f in reg.files)


def _other_release(type_: str, release: str, effect: str) -> str | None:
    """Why a type another supported release registers is missing from ``release``, or None."""
    change = load_release_data().component(type_)
    if change is None or change.present_in(release):
        return None
    upgrade = "run a Dapr release that has it, or pick a component this release registers"
    more = "" if change.since is not None and key(release) < key(change.since) else " any more"
    return (
        f'"{type_}" was {change.describe(release)}: daprd {release} does not register '
        f'it{more} ("couldn\'t find" at init), so {effect}; {upgrade}.'
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    release = release_of(bundle.options)
    registry = load_registry(release=release)
    category = registry.category_of(type_)
    if category is None:
        return  # dapr-unknown-category
    reg = registry.get(type_)
    effect = _effect(resource)
    if reg is None:
        moved = _other_release(type_, release, effect)
        if moved is not None:
            yield RULE.finding(resource, moved, ("spec", "type"))
            return
        same_category = [t for t in registry.types() if t.startswith(category + ".")]
        close = difflib.get_close_matches(type_.lower(), same_category, n=1, cutoff=0.8)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        yield RULE.finding(
            resource,
            f'daprd {registry.source} registers no {category} component "{type_}": '
            f'creating it fails ("couldn\'t find") and {effect}.{hint} A pluggable component '
            "(served over a Unix socket by a container in the pod) is registered at start-up "
            "instead; suppress this finding for it.",
            ("spec", "type"),
        )
        return
    if registry.image_flavor not in reg.flavors:
        yield RULE.finding(
            resource,
            f'"{type_}" is registered only when daprd is built with the Go build constraint '
            f'"{reg.build}" ({_where(reg)}); the released daprd image is the '
            f"{registry.image_flavor} build, which does not contain it, so {effect}.",
            ("spec", "type"),
        )
        return
    resolved = reg.resolve(version.strip())
    if resolved is None:
        yield RULE.finding(
            resource,
            f'"{type_}" has no version "{version}" in daprd {registry.source} '
            f"(registered: {', '.join(reg.version_names())}): {effect}. Set spec.version to "
            "one of them.",
            ("spec", "version"),
        )
        return
    if resolved in reg.deprecated:
        shown = version or f"empty, which means {resolved}"
        yield RULE.finding(
            resource,
            f'"{type_}" version {shown} is deprecated: daprd logs a deprecation warning and '
            f"it will be removed; {reg.preferred} is the preferred version.",
            ("spec", "version"),
            severity=Severity.WARNING,
        )


RULE = Rule(
    id="dapr-unknown-type",
    category="dapr",
    severity=Severity.ERROR,
    summary="Component type or version daprd does not register (init fails)",
    check=check,
    explanation="The registry (schemas/dapr-components/registry.json, imported from "
    "dapr/dapr cmd/daprd/components; per release through schemas/releases.json) lists "
    "every type, alias and version the chosen release's daprd can create. Anything else fails "
    "to initialise, and a type added in a later release (or removed in an earlier one) says "
    "so; a deprecated version is a warning.",
    kinds=frozenset({"Component"}),
)
