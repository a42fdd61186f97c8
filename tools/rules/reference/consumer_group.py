"""A pub/sub component sets a fixed `consumerGroup` (or `consumerID`), and two or more different
apps subscribe to the same topic through it. The subscribers come from declarative
Subscriptions (limited to the apps that load the component) and from `subscriptionScopes`.

## Why

Kafka gives each message to one member of a consumer group. When `backend` and `chat-api`
share `consumerGroup: todo-app-group`, they are the same group, and each event goes to only one
of them. By default Dapr uses the app ID as the group, so each app gets every message, and the
replicas of one app share the load.

## What happens at runtime

Each app sees only some of the events, depending on partition assignment, and no error is
raised.

## How to fix

Remove `consumerGroup` (the default is the app ID), or use a template that makes it per app:
`{appID}`, or `{namespace}` (which becomes `<namespace>.<appID>`). Keep a fixed group only when
the apps really are meant to compete for messages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.dapr.model import AppsOf
from tools.rules import Bundle, Rule

_GROUP_FIELDS = ("consumergroup", "consumerid")


@dataclass
class _Topic:
    """Who subscribes to one topic of one pub/sub name: apps named in scopes, and whether an
    unscoped Subscription (every app that loads the pub/sub) subscribes too."""

    apps: set[str] = field(default_factory=set)
    every: bool = False


def _topics(bundle: Bundle, pubsub: Resource) -> dict[str, dict[str, _Topic]]:
    """pub/sub name -> topic -> subscribers, for the group of ``pubsub``, built once per group:
    looking the group's Subscriptions up per pub/sub made the rule quadratic."""

    def build() -> dict[str, dict[str, _Topic]]:
        index: dict[str, dict[str, _Topic]] = defaultdict(lambda: defaultdict(_Topic))
        for sub in dapr_model.group_of(bundle, pubsub):
            if not dapr_model.is_dapr(sub, "Subscription"):
                continue
            topic = index[dapr_model.pubsub_name(sub)][dapr_model.subscription_topic(sub)]
            apps = AppsOf.of(sub)
            if apps.every:
                topic.every = True
            else:
                topic.apps.update(apps.apps)
        return index

    return bundle.memo(("consumer-group-topics", pubsub.profile, pubsub.namespace), build)


def _subscribed(bundle: Bundle, pubsub: Resource, loaded: AppsOf) -> dict[str, set[str]]:
    """topic -> app IDs whose Subscriptions reach this pub/sub (apps it is loaded by)."""
    topics: dict[str, set[str]] = {}
    for name, topic in _topics(bundle, pubsub).get(pubsub.name, {}).items():
        if loaded.every:
            topics[name] = set(topic.apps)  # an unscoped Subscription: which apps is unknown
        elif topic.every:
            topics[name] = set(loaded.apps)
        else:
            topics[name] = topic.apps & loaded.apps
    return topics


def _subscribers(bundle: Bundle, pubsub: Resource) -> dict[str, set[str]]:
    """topic -> app IDs known to subscribe to it through this pub/sub."""
    loaded = AppsOf.of(pubsub)
    topics: dict[str, set[str]] = defaultdict(set, _subscribed(bundle, pubsub, loaded))
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
    kinds=frozenset({"Component"}),
)
