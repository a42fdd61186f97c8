"""Two state stores marked ``actorStateStore`` loaded by the same app: daprd refuses the second."""

from __future__ import annotations

from collections.abc import Iterator

from tools import dapr_model as dm
from tools.findings import Finding, Severity
from tools.resources import Resource
from tools.rules import Bundle, Rule


def _is_actor_store(resource: Resource) -> bool:
    if not dm.is_dapr(resource, "Component") or dm.component_category(resource) != "state":
        return False
    item = dm.metadata_value(resource, "actorStateStore")
    return item is not None and item.secret_ref is None and item.text.strip().lower() in dm.TRUTHY


def _actor_stores(bundle: Bundle, resource: Resource) -> list[Resource]:
    key = bundle.scope_key(resource)
    return bundle.memo(
        ("dapr-actor-stores", key),
        lambda: [r for r in bundle.resources if bundle.scope_key(r) == key and _is_actor_store(r)],
    )


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
    mine = dm.AppsOf.of(resource)
    for earlier in _actor_stores(bundle, resource):
        if earlier is resource:
            return
        if earlier.name == resource.name:
            continue  # the same Component applied twice: the later one replaces the earlier
        shared = _shared(dm.AppsOf.of(earlier), mine)
        if shared is None:
            continue
        item = dm.metadata_value(resource, "actorStateStore")
        yield RULE.finding(
            resource,
            f'"{resource.name}" and "{earlier.name}" are both actor state stores for {shared}: '
            'daprd allows one per app and fails with "detected duplicate actor state store", '
            "so those sidecars exit. Keep actorStateStore on one store, or scope the two to "
            "different apps.",
            ("spec", "metadata", item.index, "value") if item else ("spec", "metadata"),
        )
        return


RULE = Rule(
    id="dapr-actor-state-store",
    category="dapr",
    severity=Severity.ERROR,
    summary="Two actor state stores loaded by one app",
    check=check,
    explanation="actorStateStore marks the single store that actors and workflows use; a "
    "second one loaded by the same sidecar is an initialisation error.",
    kinds=frozenset({"Component"}),
)
