"""`spec.nameResolution.component` is not a name resolver Dapr 1.18 registers (`kubernetes`,
`mdns`, `consul` / `hashicorp.consul`, `sqlite`, `nameformat`, `aws.cloudmap`; any case), or
its `version` is not `v1` (or `v0`).

## Why

`(*DaprRuntime).initNameResolution` in `pkg/runtime/runtime.go` (dapr/dapr 1.18) creates the
resolver with `Registry.Create` (`pkg/components/nameresolution/registry.go`), which lower-cases
the name and finds versionless registrations only for an initial version
(`components.IsInitialVersion`). The registrations are in
`cmd/daprd/components/nameresolution_*.go`; all but `kubernetes` and `mdns` exist only in the
full (`allcomponents`) build.

## What happens at runtime

`initRuntime` logs "couldn't find name resolver ..." and carries on without a resolver, so
every service invocation to another app fails.

## How to fix

On Kubernetes leave `nameResolution` out (the `kubernetes` resolver is the default), or name a
registered resolver with `version: v1`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.release import DaprRelease
from tools.dapr.releases import key
from tools.rules import Bundle, Rule

# Registered in dapr/dapr cmd/daprd/components/nameresolution_*.go (the registry, per release),
# all without a version suffix (so only v0, v1 or an empty version find them); names are
# matched case-insensitively.
_PREFIX = "nameresolution."
_INITIAL_VERSIONS = frozenset({"", "v0", "v1"})


def resolvers(dapr: DaprRelease) -> frozenset[str]:
    """The resolver names daprd ``dapr`` registers."""
    registry = dapr.registry
    return frozenset(t.removeprefix(_PREFIX) for t in registry.types() if t.startswith(_PREFIX))


def _added_later(component: str, dapr: DaprRelease) -> str:
    release = dapr.version
    change = dapr.changes.component(_PREFIX + component.lower())
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
    release = bundle.dapr.version
    known = resolvers(bundle.dapr)
    if isinstance(component, str) and component and component.lower() not in known:
        yield RULE.finding(
            resource,
            f'name resolver "{component}" does not exist in Dapr {release}'
            f"{_added_later(component, bundle.dapr)}: {consequence}. Use one "
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
    kinds=frozenset({"Configuration"}),
)
