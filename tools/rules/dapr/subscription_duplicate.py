"""Two declarative Subscriptions for the same pub/sub and topic, loaded by the same app (same
profile and namespace, overlapping `scopes`; no scopes means every app).

## Why

A sidecar lists its declarative subscriptions by pub/sub and topic and keeps only the first
one it loaded for each pair (file order on disk; the operator's order on Kubernetes). A
programmatic subscription from the app for the same pair replaces it.

## What happens at runtime

The other Subscription is silently ignored: its routes, metadata and dead-letter topic never
apply. Dapr's own integration tests (`tests/integration/suite/daprd/subscriptions/declarative`)
assert exactly this: the first subscription's route receives the event.

## How to fix

Merge the two into one Subscription with several `routes.rules`, or scope them to different
apps. The finding is on the later of the two.

## Source

dapr/dapr v1.18.3 `pkg/runtime/compstore/subscriptions.go`
(`ListSubscriptionsAppByPubSub`, `ListTypedSubscriptions`),
`pkg/runtime/processor/subscriber/subscriber.go` (`StartAppSubscriptions`, `reloadPubSubApp`),
`pkg/internal/loader/disk/subscriptions.go` (`Load`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.model import AppsOf
from tools.rules import Bundle, Rule


@dataclass(frozen=True)
class Shadowed:
    """An earlier Subscription that takes the topic from this one, and for which apps."""

    earlier: Resource
    apps: str


def _key(resource: Resource) -> tuple[str, str]:
    return dm.pubsub_name(resource), dm.subscription_topic(resource)


def _shadowed(bundle: Bundle, resource: Resource) -> dict[int, Shadowed]:
    """For each Subscription of the group that an earlier one shadows, the earliest such one.

    One pass over the group in document order, remembering per (pub/sub, topic) the first
    Subscription seen for each app and the first unscoped one, so the cost stays linear in the
    number of subscriptions and scope entries.
    """

    def build() -> dict[int, Shadowed]:
        first_any: dict[tuple[str, str], Resource] = {}
        first_every: dict[tuple[str, str], Resource] = {}
        first_for_app: dict[tuple[str, str, str], Resource] = {}
        seen_names: dict[tuple[str, str], set[str]] = {}
        order: dict[int, int] = {}
        result: dict[int, Shadowed] = {}
        for position, sub in enumerate(dm.group_of(bundle, resource)):
            key = _key(sub)
            if not dm.is_dapr(sub, "Subscription") or not all(key):
                continue
            order[id(sub)] = position
            names = seen_names.setdefault(key, set())
            if sub.name in names:
                continue  # the same object twice (another profile or a re-apply)
            names.add(sub.name)
            apps = AppsOf.of(sub)
            if apps.every:
                if key in first_any:
                    earlier_apps = AppsOf.of(first_any[key])
                    shared = (
                        "every app" if earlier_apps.every else ", ".join(sorted(earlier_apps.apps))
                    )
                    result[id(sub)] = Shadowed(first_any[key], shared)
                first_every.setdefault(key, sub)
            else:
                hits = []
                for app in sorted(apps.apps):
                    earlier = first_for_app.get((*key, app)) or first_every.get(key)
                    if earlier is not None:
                        hits.append((order[id(earlier)], app, earlier))
                    first_for_app.setdefault((*key, app), sub)
                if hits:
                    earliest = min(hits, key=lambda hit: hit[0])[2]
                    shared = ", ".join(app for _, app, e in hits if e is earliest)
                    result[id(sub)] = Shadowed(earliest, shared)
            first_any.setdefault(key, sub)
        return result

    return bundle.memo(("subscription-shadowed", resource.profile, resource.namespace), build)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Subscription"):
        return
    found = _shadowed(bundle, resource).get(id(resource))
    if found is None:
        return
    pubsub, topic = _key(resource)
    yield RULE.finding(
        resource,
        f"Subscription '{found.earlier.name}' already subscribes {found.apps} to topic "
        f"'{topic}' on pub/sub '{pubsub}'. A sidecar keeps one subscription per pub/sub and "
        "topic: the first it loads (and an app's programmatic subscription replaces it); the "
        "routes, metadata and dead-letter topic of the other are silently ignored. Merge the "
        "two into one Subscription with several route rules.",
        ("spec", "topic"),
    )


RULE = Rule(
    id="dapr-subscription-duplicate",
    category="dapr",
    severity=Severity.ERROR,
    summary="Two Subscriptions on one pub/sub topic for the same app",
    check=check,
    kinds=frozenset({"Subscription"}),
)
