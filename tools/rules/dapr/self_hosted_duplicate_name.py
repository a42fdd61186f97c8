"""With `--dapr-mode self-hosted`: two Dapr resources of the same apiVersion and kind (Component,
Subscription, HTTPEndpoint, Resiliency) have the same `metadata.name` in the files of one
resources path, even with different `scopes`.

## Why

`dapr run --resources-path DIR` reads every file of the folder. The disk loader
(`filterManifests` in `pkg/internal/loader/disk/disk.go`, dapr/dapr 1.16–1.18) walks the
manifests in order and checks each name against the ones it has already loaded *before* it looks
at the manifest's own `scopes`. So when an app loads the first `statestore`, a second
`statestore` scoped to another app still clashes in that app. On Kubernetes this cannot happen:
the second `kubectl apply` replaces the first.

## What happens at runtime

The loader returns `duplicate definition of Component name statestore with existing ...`;
`loadComponents` (`pkg/runtime/runtime.go`) passes the error on and daprd exits at start-up in
every app that loads the earlier definition (only an app that loads none of the earlier ones
starts).
When the two resources name different `metadata.namespace` values, it depends on the `NAMESPACE`
environment variable: unset, the namespaces are ignored and daprd exits; set, only the resources
of that namespace (or of none) are loaded. That case is a warning.

## How to fix

Give each resource its own name, or keep one file per app in separate resources paths. To give
two apps different settings for one name, use two folders (`--resources-path` per app).

## Source

dapr/dapr `pkg/internal/loader/disk/disk.go` `filterManifests` (the `names` map, the
`NAMESPACE` check), `pkg/internal/loader/disk/manifest.go` `decodeYaml` (only the exact
apiVersion and kind of each loader), `pkg/runtime/runtime.go` `loadComponents`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.kubernetes.names import shown
from tools.rules import Bundle, Rule

KINDS = frozenset({"Component", "Subscription", "HTTPEndpoint", "Resiliency"})

Key = tuple[str | None, str, str, str]


def _first_of(bundle: Bundle) -> dict[Key, list[Resource]]:
    """(profile, apiVersion, kind, name) -> the resources with that name, in file order."""
    seen: dict[Key, list[Resource]] = {}
    for resource in bundle.resources:
        if resource.kind in KINDS and dapr_model.is_dapr(resource) and resource.name:
            key = (resource.profile, resource.api_version, resource.kind, resource.name)
            seen.setdefault(key, []).append(resource)
    return seen


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource) or not resource.name:
        return
    key = (resource.profile, resource.api_version, resource.kind, resource.name)
    same = bundle.memo("self-hosted-names", lambda: _first_of(bundle)).get(key, [])
    if len(same) < 2 or same[0] is resource:
        return
    first = same[0]
    where = f"{first.file}:{first.line}"
    if first.namespace and resource.namespace and first.namespace != resource.namespace:
        yield RULE.finding(
            resource,
            f"{resource.kind} {shown(resource.name)} is also defined at {where} (namespace "
            f"{shown(first.namespace)}): if daprd runs without the NAMESPACE variable, the "
            "namespaces are ignored and it exits on the duplicate definition; with NAMESPACE "
            "set, only one of them is loaded. Rename one",
            ("metadata", "name"),
            severity=Severity.WARNING,
        )
        return
    yield RULE.finding(
        resource,
        f"{resource.kind} {shown(resource.name)} is also defined at {where}: daprd's resources "
        "path loader refuses this second definition before it looks at its scopes, so every "
        "app that loads the first one exits at start-up. Rename one, or put each app's files "
        "in its own resources path",
        ("metadata", "name"),
    )


RULE = Rule(
    id="dapr-self-hosted-duplicate-name",
    category="dapr",
    severity=Severity.ERROR,
    summary="two resources of one kind share a name in a self-hosted resources path",
    check=check,
    kinds=KINDS,
    modes="self-hosted",
    severity_note="; warning when their metadata.namespace values differ",
)
