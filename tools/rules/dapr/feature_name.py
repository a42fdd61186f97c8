"""A `spec.features` name that is not exactly one of the Dapr 1.18 feature flags
(`ActorStateTTL`, `HotReload`, `WorkflowsClusteredDeployment`,
`WorkflowsRemoteActivityReminder`, `WorkflowHistorySigning`).

## Why

`(*Configuration).LoadFeatures` in `pkg/config/configuration.go` (dapr/dapr 1.18) records any
name; `IsFeatureEnabled` looks up the exact `Feature` constant. Beyond those lookups the list is
only reported: `EnabledFeatures` feeds the "Enabled features" log line (`FromConfig`,
`pkg/runtime/config.go`) and the metadata API (`pkg/api/universal/metadata.go`).

## What happens at runtime

`hotreload: false` leaves HotReload (on by default) on: the written setting silently does
nothing, hence an error. An unknown name (`Resiliencyy`, or a flag of an earlier release such
as `PubSub.Routing`, `Resiliency`, `SchedulerReminders`, `AppHealthCheck`, all in
`pkg/config/configuration.go` of releases 1.4 to 1.17) changes no behaviour; it only shows in
the enabled-features list, which Dapr's own end-to-end tests use with made-up names, hence a
warning.

## How to fix

Use the exact constant name, or remove the entry.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.releases import key
from tools.rules import Bundle, Rule

# The Feature constants of dapr/dapr 1.18 (pkg/config/configuration.go).
FEATURES = frozenset(
    {
        "ActorStateTTL",
        "HotReload",
        "WorkflowsClusteredDeployment",
        "WorkflowsRemoteActivityReminder",
        "WorkflowHistorySigning",
    }
)
# Feature constants of earlier releases (pkg/config/configuration.go of 1.4-1.17) that 1.18
# no longer has: the behaviour is now always on or removed, so the flag is read by nothing.
RETIRED = frozenset(
    {
        "Actor.Reentrancy",
        "Actor.TypeMetadata",
        "AppChannelAllowInsecureTLS",
        "AppHealthCheck",
        "PubSub.Routing",
        "Resiliency",
        "SchedulerReminders",
        "State.Encryption",
        "ServiceInvocation.NoDefaultContentType",
        "ServiceInvocationStreaming",
    }
)
# Releases differ (pkg/config/configuration.go of v1.16.19, v1.17.13, v1.18.3): a feature
# added in a later release, and one a later release retired.
SINCE = {"WorkflowsRemoteActivityReminder": "1.17", "WorkflowHistorySigning": "1.18"}
UNTIL = {"SchedulerReminders": "1.16"}


def features(release: str) -> frozenset[str]:
    """The Feature constants of daprd ``release``."""
    current = {f for f in FEATURES if key(release) >= key(SINCE.get(f, release))}
    current |= {f for f, last in UNTIL.items() if key(release) <= key(last)}
    return frozenset(current)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    release = bundle.dapr.version
    known = features(release)
    listed = dm.dig(resource.doc, "spec", "features")
    for index, feature in enumerate(listed if isinstance(listed, list) else []):
        if not isinstance(feature, dict):
            continue
        name = feature.get("name")
        if not isinstance(name, str) or name in known or name == "":
            continue
        path = ("spec", "features", index, "name")
        enabled = feature.get("enabled") is True
        if name in SINCE:
            yield RULE.finding(
                resource,
                f'feature "{name}" was added in Dapr {SINCE[name]}: daprd {release} lists it '
                "among the enabled features but no behaviour depends on it.",
                path,
                severity=Severity.WARNING,
            )
            continue
        if name in RETIRED or name in UNTIL:
            yield RULE.finding(
                resource,
                f'feature "{name}" no longer exists in Dapr {release}; the flag has no effect. '
                "Remove it.",
                path,
                severity=Severity.WARNING,
            )
            continue
        canonical = {f.lower(): f for f in known}.get(name.lower())
        if canonical:
            yield RULE.finding(
                resource,
                f'feature "{name}" does not match "{canonical}": feature names are '
                f"case-sensitive, so {'enabling' if enabled else 'disabling'} it silently "
                f'leaves {canonical} at its default. Write "{canonical}".',
                path,
            )
            continue
        yield RULE.finding(
            resource,
            f'feature "{name}" is not a Dapr {release} feature: daprd lists it among the enabled '
            "features (log line, metadata API) but no behaviour depends on it. Known features: "
            f"{', '.join(sorted(known))}.",
            path,
            severity=Severity.WARNING,
        )


RULE = Rule(
    id="dapr-feature-name",
    category="dapr",
    severity=Severity.ERROR,
    severity_note=" for a known name in another case; warning for an unknown or retired name",
    summary="Feature flag spelt unlike its case-sensitive name, or unknown to daprd",
    check=check,
    kinds=frozenset({"Configuration"}),
)
