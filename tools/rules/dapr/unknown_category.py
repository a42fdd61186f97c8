"""A Component's `spec.type` does not start with a category daprd loads components for:
`bindings`, `configuration`, `conversation`, `crypto`, `lock`, `middleware`, `pubsub`,
`secretstores`, `state` (dapr 1.18; the list is imported into
`schemas/dapr-components/registry.json`).

## Why

The Component CRD accepts any string as `spec.type`, so `kubectl apply` and `helm install`
succeed. The mistake only shows when a sidecar that loads the component starts. Three names in
`pkg/components/category.go` are not component categories at all: `workflow` and
`workflowbackend` have no manager, and a `nameresolution` resolver is chosen in the
Configuration, never by a Component.

## What happens at runtime

`Processor.category` (`pkg/runtime/processor/components.go`) picks the manager whose category
followed by a dot is a prefix of `spec.type`, compared case-sensitively (`strings.HasPrefix`
over the keys of the `managers` map built in `pkg/runtime/processor/processor.go`, `New`), so
`Bindings.cron` matches nothing. With no match `processComponentAndDependents` returns
`incorrect type <type>`; unless `spec.ignoreErrors` is true, `processComponents` logs "daprd
will exit gracefully" and the sidecar exits, so every app in the component's `scopes` (every
app in the namespace when unscoped) has a crash-looping sidecar. `scheduler.kubernetes` is the
usual example: there is no `scheduler` category.

## How to fix

Use a real type in lower case (`pubsub.kafka`, `state.postgresql`, `bindings.cron`, ...). For
recurring work use a `bindings.cron` Component. For one-shot jobs and reminders, use the Jobs API
(`POST /v1.0/jobs/<name>`): it runs on the Scheduler control-plane service and needs no
Component.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
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
    registry = bundle.dapr.registry
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
    kinds=frozenset({"Component"}),
)
