"""dapr-feature-name: ``spec.features`` names that daprd 1.18 does not know."""

from __future__ import annotations

from collections.abc import Iterator

from tools import dapr_model as dm
from tools.findings import Finding, Severity
from tools.resources import Resource
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
# Feature constants of 1.10-1.17 that 1.18 no longer has (the behaviour is now always on or
# removed), so the flag is read by nothing.
RETIRED = frozenset(
    {
        "AppChannelAllowInsecureTLS",
        "AppHealthCheck",
        "ServiceInvocationStreaming",
        "SchedulerReminders",
    }
)
_BY_LOWER = {name.lower(): name for name in FEATURES}


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    features = dm.dig(resource.doc, "spec", "features")
    for index, feature in enumerate(features if isinstance(features, list) else []):
        if not isinstance(feature, dict):
            continue
        name = feature.get("name")
        if not isinstance(name, str) or name in FEATURES or name == "":
            continue
        path = ("spec", "features", index, "name")
        enabled = feature.get("enabled") is True
        if name in RETIRED:
            yield RULE.finding(
                resource,
                f'feature "{name}" no longer exists in Dapr 1.18; the flag has no effect. '
                "Remove it.",
                path,
                severity=Severity.WARNING,
            )
            continue
        canonical = _BY_LOWER.get(name.lower())
        hint = (
            f'; feature names are case-sensitive, write "{canonical}"'
            if canonical
            else f"; known features: {', '.join(sorted(FEATURES))}"
        )
        yield RULE.finding(
            resource,
            f'feature "{name}" is not a Dapr 1.18 feature: daprd records the name but nothing '
            f"ever asks for it, so {'enabling' if enabled else 'disabling'} it has no effect"
            f"{hint}.",
            path,
            severity=Severity.ERROR if enabled or canonical else Severity.WARNING,
        )


RULE = Rule(
    id="dapr-feature-name",
    category="dapr",
    severity=Severity.ERROR,
    summary="Feature flag name daprd does not know (case-sensitive)",
    check=check,
    explanation="Configuration.LoadFeatures stores any name, and IsFeatureEnabled looks up "
    "the exact constant, so a misspelt or retired name is silently ignored.",
    kinds=frozenset({"Configuration"}),
)
