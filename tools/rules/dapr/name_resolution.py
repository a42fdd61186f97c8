"""dapr-name-resolution: ``spec.nameResolution`` must name a resolver the chosen daprd registers."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.registry import load_registry
from tools.dapr.releases import key, load_release_data, release_of
from tools.rules import Bundle, Rule

# Registered in dapr/dapr cmd/daprd/components/nameresolution_*.go (the registry, per release),
# all without a version suffix (so only v0, v1 or an empty version find them); names are
# matched case-insensitively.
_PREFIX = "nameresolution."
_INITIAL_VERSIONS = frozenset({"", "v0", "v1"})


def resolvers(release: str) -> frozenset[str]:
    """The resolver names daprd ``release`` registers."""
    registry = load_registry(release=release)
    return frozenset(t.removeprefix(_PREFIX) for t in registry.types() if t.startswith(_PREFIX))


def _added_later(component: str, release: str) -> str:
    change = load_release_data().component(_PREFIX + component.lower())
    if change is not None and change.since is not None and key(release) < key(change.since):
        return f" ({change.describe(release)})"
    return ""


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    spec = dm.dig(resource.doc, "spec", "nameResolution")
    if not isinstance(spec, dict):
        return
    component, version = spec.get("component"), spec.get("version")
    consequence = (
        "daprd logs an error and runs without a name resolver, so every service invocation "
        "to another app fails"
    )
    release = release_of(bundle.options)
    known = resolvers(release)
    if isinstance(component, str) and component and component.lower() not in known:
        yield RULE.finding(
            resource,
            f'name resolver "{component}" does not exist in Dapr {release}'
            f"{_added_later(component, release)}: {consequence}. Use one "
            f"of {', '.join(sorted(known))} (or leave nameResolution out for kubernetes).",
            ("spec", "nameResolution", "component"),
        )
    elif isinstance(version, str) and version.lower() not in _INITIAL_VERSIONS:
        yield RULE.finding(
            resource,
            f'name resolver version "{version}" does not exist (resolvers are registered as '
            f'v1 only): {consequence}. Write "v1".',
            ("spec", "nameResolution", "version"),
        )


RULE = Rule(
    id="dapr-name-resolution",
    category="dapr",
    severity=Severity.ERROR,
    summary="nameResolution naming a resolver or version daprd does not register",
    check=check,
    explanation="initNameResolution creates the resolver from the registry; a failure is "
    "logged and the sidecar continues without one.",
    kinds=frozenset({"Configuration"}),
)
