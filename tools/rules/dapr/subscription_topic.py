"""A Subscription's topic (or its dead-letter topic) that the pub/sub component does not let the
subscribing apps use.

## Why

Each sidecar reads four metadata items of a pub/sub component (names matched
case-insensitively, spaces removed): `allowedTopics` and `protectedTopics` (comma lists),
`subscriptionScopes` and `publishingScopes` (`app1=t1,t2;app2=`). A topic is allowed to an
app when it is in `allowedTopics` (if that is set) and, if the app is listed in the scopes
item, in the app's list; a protected topic needs such a listing. An app listed with nothing
after `=` may use no topic. daprd publishes dead letters as the subscribing app, through the
same check with `publishingScopes`. The rule judges the apps that load both the
Subscription and the component; when neither is scoped it reports only what refuses every
app.

## What happens at runtime

- Topic refused: daprd logs `Failed to start subscription ... is not allowed` and keeps
  retrying in the background; the app never receives the topic's messages.
- An unscoped Subscription that the component keeps from some of the apps (warning): that
  may be the intent, but those sidecars log the failure and retry forever; scoping the
  Subscription says the same without the noise.
- Dead-letter topic refused: the dead-letter publish fails, so a failing message is retried
  instead of set aside.

## How to fix

Add the topic to `allowedTopics`, and to the app's `subscriptionScopes` (or
`publishingScopes` for a dead-letter topic), or correct the topic name.

## Source

dapr/dapr v1.18.3 `pkg/runtime/pubsub/adapter.go` (`IsOperationAllowed`), `pkg/scopes/scopes.go`
(`GetScopedTopics`, `GetAllowedTopics`, `GetProtectedTopics`),
`pkg/runtime/processor/pubsub/pubsub.go` (the `PubsubItem` fields),
`pkg/runtime/processor/subscriber/subscriber.go` (`StartAppSubscriptions`,
`retrySubscription`), `pkg/runtime/subscription/subscription.go` (`New`, `sendToDeadLetter`),
`pkg/runtime/pubsub/publisher/publisher.go` (`Publish`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.model import AppsOf
from tools.rules import Bundle, Rule
from tools.secrets.text import is_placeholder


@dataclass(frozen=True)
class TopicPolicy:
    """What daprd reads from a pub/sub component (pkg/scopes): topic lists, and per-app
    topic scopes. An app absent from a scopes map has no granular scope; an app listed with
    nothing after '=' is limited to no topic at all."""

    allowed: tuple[str, ...]
    protected: tuple[str, ...]
    subscribe: dict[str, list[str]]
    publish: dict[str, list[str]]

    @staticmethod
    def of(component: Resource) -> TopicPolicy | None:
        wanted = ("allowedTopics", "protectedTopics", "subscriptionScopes", "publishingScopes")
        items: dict[str, dm.MetadataItem] = {}
        for entry in dm.metadata_items(component):  # first match wins, names in any case
            items.setdefault(entry.name.lower(), entry)
        texts = {}
        for name in wanted:
            item = items.get(name.lower())
            if item is not None and (item.secret_ref is not None or is_placeholder(item.text)):
                return None  # the value is not in the manifest
            texts[name] = item.text if item is not None else ""
        return TopicPolicy(
            allowed=tuple(dm.parse_topic_list(texts["allowedTopics"])),
            protected=tuple(dm.parse_topic_list(texts["protectedTopics"])),
            subscribe=dm.parse_topic_scopes(texts["subscriptionScopes"]),
            publish=dm.parse_topic_scopes(texts["publishingScopes"]),
        )

    def refusal(self, topic: str, app: str | None, publish: bool) -> str | None:
        """Why daprd refuses ``topic`` to ``app`` (None: an app not listed anywhere), following
        pkg/runtime/pubsub IsOperationAllowed; None when it allows it."""
        if self.allowed and topic not in self.allowed:
            return "it is not in allowedTopics"
        scopes = self.publish if publish else self.subscribe
        field = "publishingScopes" if publish else "subscriptionScopes"
        listed = app is not None and app in scopes
        if listed and topic not in scopes[app or ""]:
            return f"{field} does not list it for {app}"
        if topic in self.protected and not listed:
            return f"it is in protectedTopics and {field} does not grant it to {app or 'the app'}"
        return None


def _apps(subscription: Resource, pubsub: Resource) -> list[str | None]:
    """The app IDs to judge: those that load both; [None] when they are not known."""
    subscribers, loaders = AppsOf.of(subscription), AppsOf.of(pubsub)
    if subscribers.every and loaders.every:
        return [None]
    if subscribers.every or loaders.every:
        known = loaders.apps if subscribers.every else subscribers.apps
    else:
        known = subscribers.apps & loaders.apps
    return list(sorted(known))


def _refusals(
    policy: TopicPolicy, topic: str, apps: list[str | None], publish: bool
) -> list[tuple[str | None, str]]:
    found = [(app, why) for app in apps if (why := policy.refusal(topic, app, publish))]
    if apps == [None] and found:
        # Unknown apps: report only what refuses every app.
        anyone = set(policy.publish if publish else policy.subscribe)
        if any(policy.refusal(topic, app, publish) is None for app in anyone):
            return []
    return found


def _describe(refusals: list[tuple[str | None, str]]) -> str:
    """``app1, app2: why; app3: why``; a reason that holds for any app is given once."""
    by_reason: dict[str, list[str]] = {}
    for app, why in refusals:
        by_reason.setdefault(why, []).append(app or "")
    parts = []
    for why, apps in by_reason.items():
        named = [a for a in apps if a]
        parts.append(f"{', '.join(named)}: {why}" if named and "allowedTopics" not in why else why)
    return "; ".join(parts)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Subscription"):
        return
    topic, name = dm.subscription_topic(resource), dm.pubsub_name(resource)
    if not topic or not name:
        return
    for pubsub in dm.find_component(bundle, resource, name):
        if dm.component_category(pubsub) != "pubsub":
            continue  # reference-subscription-pubsub reports it
        policy = bundle.memo(("topic-policy", id(pubsub)), partial(TopicPolicy.of, pubsub))
        if policy is None:
            continue
        apps = _apps(resource, pubsub)
        refused = _refusals(policy, topic, apps, publish=False)
        if refused and len(refused) < len(apps) and AppsOf.of(resource).every:
            # An unscoped subscription reaches every app; the component's scopes may mean to
            # keep some of them out, which works but makes those sidecars retry forever.
            yield RULE.finding(
                resource,
                f"pub/sub '{name}' keeps some apps from topic '{topic}' ({_describe(refused)}), "
                "but this Subscription has no scopes, so their sidecars try anyway: daprd logs "
                "'Failed to start subscription ... is not allowed' and retries forever. Scope "
                "the Subscription to the apps meant to receive the topic.",
                ("spec", "topic"),
                Severity.WARNING,
            )
            continue
        if refused:
            yield RULE.finding(
                resource,
                f"pub/sub '{name}' does not let this subscription's apps subscribe to topic "
                f"'{topic}' ({_describe(refused)}). daprd logs 'Failed to start subscription "
                "... is not allowed' and keeps retrying; those apps never receive the "
                "topic's messages. Add the topic to the component's lists, or fix the topic.",
                ("spec", "topic"),
            )
            continue
        dead = dm.spec(resource).get("deadLetterTopic")
        if isinstance(dead, str) and dead:
            refused = _refusals(policy, dead, apps, publish=True)
            if refused:
                yield RULE.finding(
                    resource,
                    f"dead-letter topic '{dead}' may not be published to on pub/sub '{name}' "
                    f"({_describe(refused)}). daprd publishes dead letters as the subscribing "
                    "app, so that publish fails and the message is retried instead of set "
                    "aside. Allow the app to publish it.",
                    ("spec", "deadLetterTopic"),
                )


RULE = Rule(
    id="dapr-subscription-topic",
    category="dapr",
    severity=Severity.ERROR,
    severity_note="; warning when an unscoped Subscription is kept from only some apps",
    summary="Subscription topic (or dead-letter topic) its pub/sub does not allow the app",
    check=check,
    kinds=frozenset({"Subscription"}),
)
