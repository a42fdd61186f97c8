"""reference-consumer-group: one fixed consumer group shared by different apps on one topic."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from tools import dapr_model
from tools.dapr_model import AppsOf
from tools.findings import Finding, Severity
from tools.resources import Resource
from tools.rules import Bundle, Rule

_GROUP_FIELDS = ("consumergroup", "consumerid")


def _subscribers(bundle: Bundle, pubsub: Resource) -> dict[str, set[str]]:
    """topic -> app IDs known to subscribe to it through this pub/sub."""
    loaded = AppsOf.of(pubsub)
    topics: dict[str, set[str]] = defaultdict(set)
    for sub in dapr_model.group_of(bundle, pubsub):
        if (
            not dapr_model.is_dapr(sub, "Subscription")
            or dapr_model.pubsub_name(sub) != pubsub.name
        ):
            continue
        topic = dapr_model.subscription_topic(sub)
        apps = AppsOf.of(sub)
        if apps.every:
            if loaded.every:
                continue  # which apps these are is unknown
            chosen = set(loaded.apps)
        else:
            chosen = set(apps.apps) if loaded.every else set(apps.apps & loaded.apps)
        topics[topic].update(chosen)
    for item in dapr_model.metadata_items(pubsub):
        if item.name.lower() == "subscriptionscopes":
            for app, granted in dapr_model.parse_topic_scopes(item.text).items():
                if loaded.every or app in loaded.apps:
                    for topic in granted:
                        topics[topic].add(app)
    return topics


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Component"):
        return
    if dapr_model.component_category(resource) != "pubsub":
        return
    items = {i.name.lower(): i for i in dapr_model.metadata_items(resource)}
    item = next((items[f] for f in _GROUP_FIELDS if f in items), None)
    if item is None or item.secret_ref is not None or not item.text.strip():
        return
    if "{" in item.text:
        return  # {appID}, {podName}, {namespace} and {uuid} make it per app or per pod
    shared = {t: apps for t, apps in _subscribers(bundle, resource).items() if len(apps) > 1}
    if not shared:
        return
    detail = "; ".join(f"'{t}': {', '.join(sorted(a))}" for t, a in sorted(shared.items()))
    yield RULE.finding(
        resource,
        f"{item.name} '{item.text}' is fixed, and different apps subscribe to the same topic "
        f"({detail}). Apps in one consumer group split the messages: each message reaches only "
        f"one of them. Remove {item.name} (the default is the app ID) or use '{{appID}}'",
        ("spec", "metadata", item.index, "value"),
    )


RULE = Rule(
    id="reference-consumer-group",
    category="reference",
    severity=Severity.WARNING,
    summary="a fixed consumer group is shared by different apps subscribing to the same topic",
    check=check,
    explanation=(
        "Kafka delivers each message to one member of a consumer group. A group shared by "
        "different apps makes them compete for messages instead of each receiving all of them."
    ),
    kinds=frozenset({"Component"}),
)
