"""A `Subscription` is scoped to apps that do not load the pub/sub component it names. That
happens when the component's `scopes` leave those apps out, or when `pubsubname` names a
component that is not a pub/sub.

## Why

A subscription is registered inside each sidecar listed in its `scopes`. That sidecar can only
subscribe through a pub/sub component it has loaded, and component `scopes` decide which
sidecars load it.

## What happens at runtime

Nothing: no error, no log line worth noticing, no messages. The subscribing app simply never
receives events. (The spec's `task-events-subscription`, scoped to `notification-service`, with
`kafka-pubsub` scoped to `backend` and `chat-api`, is this case.)

## How to fix

Add the subscriber apps to the pub/sub component's `scopes`, and limit what each app may do
with `publishingScopes` / `subscriptionScopes` if needed. Or scope the subscription to apps that
load the pub/sub. A subscription without scopes is not reported: the apps that load the pub/sub
receive its messages.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.dapr.model import AppsOf
from tools.rules import Bundle, Rule


def _apps(apps: AppsOf) -> str:
    return "every app" if apps.every else ", ".join(sorted(apps.apps))


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Subscription"):
        return
    name = dapr_model.pubsub_name(resource)
    if not name:
        return
    candidates = dapr_model.find_component(bundle, resource, name)
    if not candidates:
        return  # reference-unresolved reports it: the pub/sub may be defined elsewhere
    pubsubs = [c for c in candidates if dapr_model.component_category(c) == "pubsub"]
    if not pubsubs:
        types = ", ".join(sorted({dapr_model.component_type(c) or "?" for c in candidates}))
        yield RULE.finding(
            resource,
            f"pubsubname '{name}' names a component of type {types}, not a pub/sub: Dapr never "
            "delivers this subscription. Point pubsubname at a pubsub.* component",
            ("spec", "pubsubname"),
        )
        return
    subscribers = AppsOf.of(resource)
    if subscribers.every:
        return  # every app gets it; the ones that load the pub/sub receive messages
    worst: AppsOf | None = None
    for pubsub in pubsubs:
        missing = subscribers.missing_from(AppsOf.of(pubsub))
        if not missing:
            return
        worst = missing
    if worst is None:
        return
    loaded_by = AppsOf.of(pubsubs[0])
    yield RULE.finding(
        resource,
        f"subscription is scoped to {_apps(subscribers)}, but pub/sub '{name}' is loaded only by "
        f"{_apps(loaded_by)}: in {_apps(worst)} the sidecar has no '{name}' component, so this "
        "subscription silently never fires there. Add those apps to the component's scopes, or "
        "scope the subscription to apps that load it",
        ("scopes",),
    )


RULE = Rule(
    id="reference-subscription-pubsub",
    category="reference",
    severity=Severity.ERROR,
    summary="a Subscription is scoped to apps that do not load its pub/sub component",
    check=check,
    kinds=frozenset({"Subscription"}),
)
