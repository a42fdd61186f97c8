"""A Resiliency names an `inbound` `circuitBreaker` for a pub/sub component, or defines a default
inbound breaker (`DefaultPubsubComponentInboundCircuitBreakerPolicy`,
`DefaultComponentInboundCircuitBreakerPolicy`, `DefaultComponentCircuitBreakerPolicy` or
`DefaultCircuitBreakerPolicy`) that a pub/sub without a target of its own falls back to
(`getDefaultCircuitBreakerPolicy` and `ComponentPolicy.getPolicyLevels` in
`pkg/resiliency/resiliency.go`); and a Subscription on that pub/sub, for an app the Resiliency
applies to, has a `deadLetterTopic`.

## Why

Dapr keeps one circuit-breaker instance per component name, whichever direction asked for it
first: `ComponentInboundPolicy` and `ComponentOutboundPolicy` in
`pkg/resiliency/resiliency.go` (dapr/dapr v1.18.3) both call `circuitBreakerInstances.Get`
with the component name alone. The subscription handler runs deliveries under the inbound
policy (`ComponentInboundPolicy` in `pkg/runtime/subscription/subscription.go`) and, when
delivery fails, publishes the message to the dead-letter topic (`sendToDeadLetter`, same file)
through the publisher, which applies the outbound policy
(`pkg/runtime/pubsub/publisher/publisher.go`).

## What happens at runtime

While the breaker is open, every delivery fails at once without reaching the app:

- with no outbound breaker, each message goes straight to the dead-letter topic, healthy ones
  included;
- with an outbound breaker too, the dead-letter publish meets the same open breaker and fails,
  so the handler returns an error to the broker. For `pubsub.kafka` the consumer then retries
  with its `backOff*` settings (`ConsumeClaim` in `common/component/kafka/consumer.go`,
  components-contrib v1.18.4); once `backOffMaxRetries` (or, for the exponential policy,
  `backOffMaxElapsedTime`, 15 minutes by default) is used up it logs "Too many failed attempts"
  and moves on without marking the message, and the next success commits past it: the message
  is lost. That case is reported as an error. The same happens with `consumeRetryEnabled: false`.

## How to fix

Remove the `circuitBreaker` from the pub/sub's `inbound` target. Keep outbound breakers off the
pub/sub while its subscriptions use dead-letter topics, or let the Kafka consumer retry until
the message is delivered or dead-lettered (`backOffMaxRetries: "-1"` and, with the exponential
policy, `backOffMaxElapsedTime: "0"`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.durations import parse_metadata_duration
from tools.rules import Bundle, Rule


def _breaker(direction: Any) -> str:
    if isinstance(direction, dict):
        name = direction.get("circuitBreaker")
        if isinstance(name, str):
            return name
    return ""


@dataclass
class _DeadLetters:
    """One pub/sub name's Subscriptions with a dead-letter topic, by the apps that load them."""

    all: list[Resource] = field(default_factory=list)
    every: list[Resource] = field(default_factory=list)  # unscoped: every app loads them
    by_app: dict[str, list[Resource]] = field(default_factory=dict)


@dataclass
class _Index:
    """A group's Subscriptions with a dead-letter topic, by pub/sub name; and the names of the
    group's pub/sub Components that have some, in all and by the apps that load them."""

    by_name: dict[str, _DeadLetters] = field(default_factory=dict)
    pubsubs: set[str] = field(default_factory=set)
    pubsubs_for_every_app: set[str] = field(default_factory=set)
    pubsubs_by_app: dict[str, set[str]] = field(default_factory=dict)

    def add(self, subscription: Resource, is_pubsub: bool) -> None:
        name = dm.pubsub_name(subscription)
        found = self.by_name.setdefault(name, _DeadLetters())
        found.all.append(subscription)
        apps = dm.loading_apps(subscription)
        if apps is None:
            found.every.append(subscription)
        for app in apps or ():
            found.by_app.setdefault(app, []).append(subscription)
        if is_pubsub:
            self.pubsubs.add(name)
            if apps is None:
                self.pubsubs_for_every_app.add(name)
            for app in apps or ():
                self.pubsubs_by_app.setdefault(app, set()).add(name)


def _index(bundle: Bundle, resource: Resource) -> _Index:
    """Built once per group: scanning the group for every target of every Resiliency made the
    rule quadratic."""

    def build() -> _Index:
        group = dm.group_of(bundle, resource)
        pubsubs = {
            other.name
            for other in group
            if dm.is_dapr(other, "Component")
            and dm.component_category(other) == "pubsub"
            and other.name
        }
        index = _Index()
        for other in group:
            if dm.is_dapr(other, "Subscription"):
                topic = dm.dig(other.doc, "spec", "deadLetterTopic")
                if isinstance(topic, str) and topic:
                    index.add(other, dm.pubsub_name(other) in pubsubs)
        return index

    return bundle.memo(("dead-letter-subscriptions", resource.profile, resource.namespace), build)


def _dead_letter_subscriptions(bundle: Bundle, resource: Resource, pubsub: str) -> list[Resource]:
    """Subscriptions of ``pubsub`` with a dead-letter topic that some app loads together with
    ``resource`` (an unscoped resource applies to every app)."""
    found = _index(bundle, resource).by_name.get(pubsub)
    if found is None:
        return []
    apps = dm.loading_apps(resource)
    if apps is None:
        return found.all
    hits = {id(s): s for s in found.every}
    if len(apps) < len(found.by_app):
        shared = [found.by_app.get(app, []) for app in apps]
    else:
        shared = [subs for app, subs in found.by_app.items() if app in apps]
    for subs in shared:
        hits.update((id(s), s) for s in subs)
    return list(hits.values())


def _dead_letter_pubsubs(bundle: Bundle, resource: Resource) -> list[str]:
    """The group's pub/sub Components, by name and sorted, with a dead-letter Subscription that
    some app loads together with ``resource``: the only ones its default breakers can matter
    for, found through its apps rather than by trying every pub/sub."""
    index = _index(bundle, resource)
    apps = dm.loading_apps(resource)
    if apps is None:
        return sorted(index.pubsubs)
    names = set(index.pubsubs_for_every_app)
    for app in apps:
        names.update(index.pubsubs_by_app.get(app, ()))
    return sorted(names)


def _kafka_retries_bounded(component: Resource) -> bool:
    """Whether the Kafka consumer ever gives up on a failing message (and moves past it).

    dapr/kit retry.Config: policy constant by default, maxRetries -1 (no limit) by default;
    the exponential policy also stops after maxElapsedTime (15 minutes unless set; 0 = never).
    consumeRetryEnabled false means no retry at all.
    """

    def text(name: str, default: str) -> str:
        item = dm.metadata_value(component, name)
        return item.text.strip() if item is not None else default

    if text("consumeRetryEnabled", "true").lower() == "false":
        return True
    try:
        if int(text("backOffMaxRetries", "-1")) >= 0:
            return True
    except ValueError:
        return False
    if text("backOffPolicy", "constant").lower() == "exponential":
        elapsed = parse_metadata_duration(text("backOffMaxElapsedTime", "15m"))
        return elapsed is None or elapsed != 0
    return False


# Default circuit breakers a component without its own target gets, most specific first
# (getDefaultCircuitBreakerPolicy / ComponentPolicy.getPolicyLevels in pkg/resiliency).
def _defaults(direction: str) -> tuple[str, ...]:
    levels = (f"PubsubComponent{direction}", f"Component{direction}", "Component", "")
    return tuple(f"Default{level}CircuitBreakerPolicy" for level in levels)


def _default_breaker(resource: Resource, direction: str) -> str:
    breakers = dm.dig(resource.doc, "spec", "policies", "circuitBreakers")
    if not isinstance(breakers, dict):
        return ""
    return next((name for name in _defaults(direction) if name in breakers), "")


def _pubsubs(bundle: Bundle, resource: Resource, name: str) -> list[Resource]:
    found = dm.find_component(bundle, resource, name)
    return [c for c in found if dm.component_category(c) == "pubsub"]


def _finding(
    resource: Resource,
    bundle: Bundle,
    name: str,
    breakers: tuple[str, str],
    path: tuple[str, ...],
) -> Finding | None:
    """A finding for pub/sub ``name`` with breakers (inbound, outbound), or None."""
    inbound, outbound = breakers
    pubsubs = _pubsubs(bundle, resource, name)
    if not inbound or not pubsubs:
        return None
    subscriptions = _dead_letter_subscriptions(bundle, resource, name)
    if not subscriptions:
        return None
    names = ", ".join(sorted(s.name or "?" for s in subscriptions))
    bounded = any(
        dm.component_type(c) == "pubsub.kafka" and _kafka_retries_bounded(c) for c in pubsubs
    )
    if outbound and bounded:
        return RULE.finding(
            resource,
            f"pub/sub '{name}' has an inbound circuit breaker ('{inbound}') and an outbound one "
            f"('{outbound}'), and subscriptions with dead-letter topics ({names}). Dapr keeps "
            "one breaker per component for both directions, and publishes dead letters through "
            "the outbound policy: once the breaker opens, deliveries and dead-letter publishes "
            "both fail, the Kafka consumer's bounded retries run out and it moves past the "
            "message, which is lost. Remove the inbound circuitBreaker (and the outbound one "
            "while dead-letter topics are used), or set backOffMaxRetries: -1",
            path,
            severity=Severity.ERROR,
        )
    return RULE.finding(
        resource,
        f"pub/sub '{name}' has an inbound circuit breaker ('{inbound}') and subscriptions with "
        f"dead-letter topics ({names}): while the breaker is open, every message is refused "
        "without being delivered and goes straight to the dead-letter topic, or, when the "
        "breaker is shared with outbound publishes, cannot be dead-lettered either and depends "
        "on the broker's redelivery. Remove the inbound circuitBreaker",
        path,
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Resiliency"):
        return
    targets = dm.dig(resource.doc, "spec", "targets", "components")
    targets = targets if isinstance(targets, dict) else {}
    for name, target in targets.items():
        if not isinstance(name, str) or not isinstance(target, dict):
            continue
        breakers = (_breaker(target.get("inbound")), _breaker(target.get("outbound")))
        path = ("spec", "targets", "components", name, "inbound", "circuitBreaker")
        finding = _finding(resource, bundle, name, breakers, path)
        if finding is not None:
            yield finding
    # A component with a target of its own never falls back to the defaults.
    inbound = _default_breaker(resource, "Inbound")
    if not inbound:
        return
    breakers = (inbound, _default_breaker(resource, "Outbound"))
    default_path = ("spec", "policies", "circuitBreakers", inbound)
    for name in _dead_letter_pubsubs(bundle, resource):
        if name not in targets:
            finding = _finding(resource, bundle, name, breakers, default_path)
            if finding is not None:
                yield finding


RULE = Rule(
    id="dapr-resiliency-deadletter-breaker",
    category="dapr",
    severity=Severity.WARNING,
    severity_note=(
        "; error when the breaker is shared with outbound publishes and the Kafka consumer's "
        "retries are bounded"
    ),
    summary="Inbound circuit breaker on a pub/sub whose subscriptions have dead-letter topics",
    check=check,
    kinds=frozenset({"Resiliency"}),
)
