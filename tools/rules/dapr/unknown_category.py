"""A Component whose ``spec.type`` has no category daprd knows: the sidecar exits at start-up."""

from __future__ import annotations

from collections.abc import Iterator

from tools import dapr_model as dm
from tools.catalog import CATEGORIES
from tools.findings import Finding, Severity
from tools.resources import Resource
from tools.rules import Bundle, Rule

_HINTS = {
    "scheduler": " For recurring work use a bindings.cron Component; one-shot jobs and reminders "
    "use the Jobs API, which needs no Component at all.",
}


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_ = dm.component_type(resource)
    if not type_:
        return  # a missing or non-string type is a schema error
    category = type_.partition(".")[0].lower()
    if "." in type_ and category in CATEGORIES:
        return
    apps = dm.scopes(resource)
    who = f"the sidecars of {', '.join(apps)}" if apps else "every sidecar in the namespace"
    yield RULE.finding(
        resource,
        f'spec.type "{type_}" does not start with a Dapr component category, so '
        f'{who} log "incorrect type {type_}" and exit at start-up (Kubernetes accepts the '
        f"Component, the failure only shows in the daprd log). Use one of "
        f"{', '.join(sorted(CATEGORIES))} followed by the component name, e.g. pubsub.kafka."
        + _HINTS.get(category, ""),
        ("spec", "type"),
    )


RULE = Rule(
    id="dapr-unknown-category",
    category="dapr",
    severity=Severity.ERROR,
    summary="Component type has no known category (the sidecar exits)",
    check=check,
    explanation="daprd picks the component registry from the part of spec.type before the first "
    "dot. An unknown prefix is an init error, and with ignoreErrors unset the sidecar exits.",
    kinds=frozenset({"Component"}),
)
