"""Two state stores with `actorStateStore: "true"` are loaded by the same app: in the same
rendered profile and namespace, with overlapping `scopes` (no scopes means every app).

## Why

`actorStateStore` marks the one store actors and workflows use. It does not enable
transactions (those are always available). Copying it onto a second store is a common mistake.

## What happens at runtime

The sidecar fails with `detected duplicate actor state store` and exits. The finding is on the
second store of the pair.

## How to fix

Keep `actorStateStore` on one store, or scope the two stores to different apps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule


def _is_actor_store(resource: Resource) -> bool:
    if not dm.is_dapr(resource, "Component") or dm.component_category(resource) != "state":
        return False
    item = dm.metadata_value(resource, "actorStateStore")
    return item is not None and item.secret_ref is None and item.text.strip().lower() in dm.TRUTHY


@dataclass
class _Earliest:
    """The first store seen, and the first with another name than that one: whatever name a
    later store has, one of the two is the first one before it with a different name."""

    first: tuple[int, Resource] | None = None
    second: tuple[int, Resource] | None = None

    def add(self, position: int, store: Resource) -> None:
        if self.first is None:
            self.first = (position, store)
        elif self.second is None and store.name != self.first[1].name:
            self.second = (position, store)

    def named_otherwise(self, name: str) -> tuple[int, Resource] | None:
        if self.first is not None and self.first[1].name != name:
            return self.first
        return self.second


def _first_clashes(stores: list[Resource]) -> dict[int, Resource]:
    """For each store, the first earlier one with another name loaded by one of its apps.

    One pass in document order, remembering the earliest stores per app, so the cost stays
    linear in the number of stores and scope entries (comparing each store with every earlier
    one was quadratic). A scope list is never empty (no scopes means every app), so an unscoped
    store shares an app with every store.
    """
    anyone, every = _Earliest(), _Earliest()
    by_app: dict[str, _Earliest] = {}
    found: dict[int, Resource] = {}
    for position, store in enumerate(stores):
        apps = dm.AppsOf.of(store)
        if apps.every:
            candidates = [anyone.named_otherwise(store.name)]
        else:
            candidates = [every.named_otherwise(store.name)]
            candidates += [by_app[a].named_otherwise(store.name) for a in apps.apps if a in by_app]
        earliest = min((c for c in candidates if c is not None), key=itemgetter(0), default=None)
        if earliest is not None:
            found[id(store)] = earliest[1]
        anyone.add(position, store)
        if apps.every:
            every.add(position, store)
        for app in apps.apps:
            by_app.setdefault(app, _Earliest()).add(position, store)
    return found


def _clashes(bundle: Bundle) -> dict[int, Resource]:
    """Each actor store's first clashing earlier store in its profile and namespace."""

    def build() -> dict[int, Resource]:
        groups: dict[tuple[str | None, str | None], list[Resource]] = {}
        for r in bundle.resources:
            if _is_actor_store(r):
                groups.setdefault(bundle.scope_key(r), []).append(r)
        return {k: v for stores in groups.values() for k, v in _first_clashes(stores).items()}

    return bundle.memo("dapr-actor-store-clashes", build)


def _shared(a: dm.AppsOf, b: dm.AppsOf) -> str | None:
    """Who loads both, in words; None when nobody does."""
    if a.every and b.every:
        return "every app in the namespace"
    if a.every or b.every:
        apps = b.apps if a.every else a.apps
        return ", ".join(sorted(apps)) if apps else None
    both = a.apps & b.apps
    return ", ".join(sorted(both)) if both else None


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not _is_actor_store(resource):
        return
    earlier = _clashes(bundle).get(id(resource))
    if earlier is None:
        return
    shared = _shared(dm.AppsOf.of(earlier), dm.AppsOf.of(resource))
    item = dm.metadata_value(resource, "actorStateStore")
    yield RULE.finding(
        resource,
        f'"{resource.name}" and "{earlier.name}" are both actor state stores for {shared}: '
        'daprd allows one per app and fails with "detected duplicate actor state store", '
        "so those sidecars exit. Keep actorStateStore on one store, or scope the two to "
        "different apps.",
        ("spec", "metadata", item.index, "value") if item else ("spec", "metadata"),
    )


RULE = Rule(
    id="dapr-actor-state-store",
    category="dapr",
    severity=Severity.ERROR,
    summary="Two actor state stores loaded by one app",
    check=check,
    kinds=frozenset({"Component"}),
)
