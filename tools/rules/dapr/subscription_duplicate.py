"""Two declarative Subscriptions on the same pub/sub topic for the same app."""

from __future__ import annotations

from collections.abc import Iterator

from tools import dapr_model as dm
from tools.dapr_model import AppsOf
from tools.findings import Finding, Severity
from tools.resources import Resource
from tools.rules import Bundle, Rule


def _shared(a: AppsOf, b: AppsOf) -> str | None:
    """The apps that load both, in words; None when none does."""
    if a.every and b.every:
        return "every app"
    if a.every or b.every:
        return ", ".join(sorted(b.apps if a.every else a.apps)) or None
    apps = a.apps & b.apps
    return ", ".join(sorted(apps)) if apps else None


def _subscriptions(bundle: Bundle, resource: Resource) -> list[Resource]:
    return [r for r in dm.group_of(bundle, resource) if dm.is_dapr(r, "Subscription")]


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Subscription"):
        return
    key = (dm.pubsub_name(resource), dm.subscription_topic(resource))
    if not all(key):
        return
    mine = AppsOf.of(resource)
    for other in _subscriptions(bundle, resource):
        if other is resource:
            break  # report each pair once, on the later resource
        if (dm.pubsub_name(other), dm.subscription_topic(other)) != key:
            continue
        if other.name == resource.name:
            continue  # the same object twice (another profile or a re-apply)
        shared = _shared(mine, AppsOf.of(other))
        if shared is None:
            continue
        yield RULE.finding(
            resource,
            f"Subscription '{other.name}' already subscribes {shared} to topic '{key[1]}' on "
            f"pub/sub '{key[0]}'. A sidecar keeps one subscription per pub/sub and topic: the "
            "first it loads (and an app's programmatic subscription replaces it); the routes, "
            "metadata and dead-letter topic of the other are silently ignored. Merge the two "
            "into one Subscription with several route rules.",
            ("spec", "topic"),
        )


RULE = Rule(
    id="dapr-subscription-duplicate",
    category="dapr",
    severity=Severity.ERROR,
    summary="Two Subscriptions on one pub/sub topic for the same app",
    check=check,
    explanation="daprd lists declarative subscriptions by pub/sub and topic and keeps only the "
    "first for each; the other one never routes anything.",
    kinds=frozenset({"Subscription"}),
)
