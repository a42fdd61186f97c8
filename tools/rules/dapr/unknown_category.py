"""A Component whose ``spec.type`` has no category daprd loads: the sidecar exits at start-up."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.registry import load_registry
from tools.dapr.releases import release_of
from tools.rules import Bundle, Rule

_HINTS = {
    "scheduler": " For recurring work use a bindings.cron Component; one-shot jobs and reminders "
    "use the Jobs API, which needs no Component at all.",
    "nameresolution": " A name resolver is chosen in the Configuration "
    "(spec.nameResolution.component), not by a Component.",
}


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_ = dm.component_type(resource)
    if not type_:
        return  # a missing or non-string type is a schema error
    registry = load_registry(release=release_of(bundle.options))
    if registry.category_of(type_) is not None:
        return
    head = type_.partition(".")[0]
    categories = sorted(registry.categories)
    if head.lower() in registry.categories:
        why = f'the category must be written "{head.lower()}" (daprd compares it case-sensitively)'
    else:
        why = f"daprd {registry.source} loads only {', '.join(categories)}"
    apps = dm.scopes(resource)
    who = f"the sidecars of {', '.join(apps)}" if apps else "every sidecar in the namespace"
    yield RULE.finding(
        resource,
        f'spec.type "{type_}" does not start with a component category daprd loads ({why}), '
        f'so {who} log "incorrect type {type_}" and exit at start-up (unless '
        "spec.ignoreErrors is true, when the component is skipped). Kubernetes accepts the "
        "Component; the failure only shows in the daprd log. Use a category followed by the "
        "component name, e.g. pubsub.kafka." + _HINTS.get(head.lower(), ""),
        ("spec", "type"),
    )


RULE = Rule(
    id="dapr-unknown-category",
    category="dapr",
    severity=Severity.ERROR,
    summary="Component type has no category daprd loads (the sidecar exits)",
    check=check,
    explanation="daprd picks the component manager whose category is a case-sensitive prefix "
    "of spec.type followed by a dot; with none it is an init error, and with ignoreErrors "
    "unset the sidecar exits.",
    kinds=frozenset({"Component"}),
)
