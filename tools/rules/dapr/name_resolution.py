"""dapr-name-resolution: ``spec.nameResolution`` must name a resolver daprd 1.18 registers."""

from __future__ import annotations

from collections.abc import Iterator

from tools import dapr_model as dm
from tools.findings import Finding, Severity
from tools.resources import Resource
from tools.rules import Bundle, Rule

# Registered in dapr/dapr 1.18 cmd/daprd/components/nameresolution_*.go, all without a version
# suffix (so only v0, v1 or an empty version find them); names are matched case-insensitively.
RESOLVERS = frozenset(
    {"aws.cloudmap", "hashicorp.consul", "consul", "kubernetes", "mdns", "nameformat", "sqlite"}
)
_INITIAL_VERSIONS = frozenset({"", "v0", "v1"})


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
    if isinstance(component, str) and component and component.lower() not in RESOLVERS:
        yield RULE.finding(
            resource,
            f'name resolver "{component}" does not exist in Dapr 1.18: {consequence}. Use one '
            f"of {', '.join(sorted(RESOLVERS))} (or leave nameResolution out for kubernetes).",
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
