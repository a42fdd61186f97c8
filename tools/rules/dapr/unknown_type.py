"""The category is one daprd loads, but daprd's component registry has no such type, no such
version of it, or has it only in a build that the released `daprd` image does not contain.

## Why

`spec.type` and `spec.version` are free strings in the Component CRD, so `kubectl apply`
accepts a misspelt type (`pubsub.kafak`) or a version that does not exist
(`state.postgresql` `v3`). The registry this rule uses,
`schemas/dapr-components/registry.json`, is imported from dapr/dapr
`cmd/daprd/components/*.go` (`python -m tools schemas import-registry`): every name passed to
`RegisterComponent`, `RegisterInputBinding`/`RegisterOutputBinding` and
`RegisterComponentWithVersions`, so registered aliases such as `pubsub.azure.servicebus`
(the same factory as `pubsub.azure.servicebus.topics`), `state.postgres`, `pubsub.snssqs` and
components implemented in daprd itself such as `middleware.http.uppercase` are accepted.

## What happens at runtime

Each category's registry (`pkg/components/<category>/registry.go`, `Create` and its
`get…` helper) lower-cases the type and version and looks up `type/version`:

- a name registered without a version answers to an empty version, `v0` and `v1` only
  (`components.IsInitialVersion`);
- a name registered with `RegisterComponentWithVersions` (state stores such as
  `state.postgresql`) answers to exactly its registered versions, and an empty version means
  its `Default` (`v1` for PostgreSQL; `v2` for `state.yugabytedb`, which has no `v1`);
- a version listed as `Deprecated` (`state.etcd` `v1`) still loads, with a deprecation warning
  in the log (`components.CheckDeprecated`): this rule reports it as a warning.

When nothing matches, `Create` returns "couldn't find …", the processor
(`pkg/runtime/processor/components.go`, `processComponents`) logs "Error processing component,
daprd will exit gracefully" and the sidecar exits, unless `spec.ignoreErrors` is true, in which
case the app runs without the component. Files under a build constraint the release does not
set (`//go:build state_spiffeprobe`) are not compiled into the `allcomponents` image the
Makefile builds by default (`DAPR_SIDECAR_FLAVOR`), so the same failure happens.

## Dapr releases

With `--dapr-version 1.16` or `1.17` (or a profile's `daprVersion`) the registry is the one of
that release: `schemas/releases.json` records the types registered only from a later release
(`state.ravendb` from v1.17.0: `cmd/daprd/components/state_ravendb.go`; `configuration.kubernetes`
and `nameresolution.nameformat` from v1.18.0), the types removed since (`bindings.kitex`, last in
1.16) and the versions that changed (`state.sqlserver` `v2` from 1.17). A type another release
registers gets a message that names it: "added in Dapr 1.17: daprd 1.16 does not register it".

## How to fix

Correct the type or version (the message suggests the nearest registered type and lists the
registered versions). A pluggable component (a gRPC server on a Unix socket in the pod) is
registered at start-up and cannot be known here: suppress the finding on that resource with
`todo-dapr.io/ignore: "dapr-unknown-type=pluggable component"`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.registry import Registration
from tools.dapr.release import DaprRelease
from tools.dapr.releases import key
from tools.rules import Bundle, Rule


def _effect(resource: Resource) -> str:
    if dm.spec(resource).get("ignoreErrors") is True:
        return (
            "daprd logs the init failure and runs without this component "
            "(spec.ignoreErrors is true)"
        )
    return "the component fails to initialise and the sidecar exits"


def _where(reg: Registration) -> str:
    return ", ".join(f"cmd/daprd/components/{f}" for f in reg.files)


def _other_release(type_: str, dapr: DaprRelease, effect: str) -> str | None:
    """Why a type another supported release registers is missing from ``dapr``, or None."""
    release = dapr.version
    change = dapr.changes.component(type_)
    if change is None or change.present_in(release):
        return None
    upgrade = "run a Dapr release that has it, or pick a component this release registers"
    more = "" if change.since is not None and key(release) < key(change.since) else " any more"
    return (
        f'"{type_}" was {change.describe(release)}: daprd {release} does not register '
        f'it{more} ("couldn\'t find" at init), so {effect}; {upgrade}.'
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    registry = bundle.dapr.registry
    category = registry.category_of(type_)
    if category is None:
        return  # dapr-unknown-category
    reg = registry.get(type_)
    effect = _effect(resource)
    if reg is None:
        moved = _other_release(type_, bundle.dapr, effect)
        if moved is not None:
            yield RULE.finding(resource, moved, ("spec", "type"))
            return
        same_category = [t for t in registry.types() if t.startswith(category + ".")]
        close = difflib.get_close_matches(type_.lower(), same_category, n=1, cutoff=0.8)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        yield RULE.finding(
            resource,
            f'daprd {registry.source} registers no {category} component "{type_}": '
            f'creating it fails ("couldn\'t find") and {effect}.{hint} A pluggable component '
            "(served over a Unix socket by a container in the pod) is registered at start-up "
            "instead; suppress this finding for it.",
            ("spec", "type"),
        )
        return
    if registry.image_flavor not in reg.flavors:
        yield RULE.finding(
            resource,
            f'"{type_}" is registered only when daprd is built with the Go build constraint '
            f'"{reg.build}" ({_where(reg)}); the released daprd image is the '
            f"{registry.image_flavor} build, which does not contain it, so {effect}.",
            ("spec", "type"),
        )
        return
    resolved = reg.resolve(version.strip())
    if resolved is None:
        yield RULE.finding(
            resource,
            f'"{type_}" has no version "{version}" in daprd {registry.source} '
            f"(registered: {', '.join(reg.version_names())}): {effect}. Set spec.version to "
            "one of them.",
            ("spec", "version"),
        )
        return
    if resolved in reg.deprecated:
        shown = version or f"empty, which means {resolved}"
        yield RULE.finding(
            resource,
            f'"{type_}" version {shown} is deprecated: daprd logs a deprecation warning and '
            f"it will be removed; {reg.preferred} is the preferred version.",
            ("spec", "version"),
            severity=Severity.WARNING,
        )


RULE = Rule(
    id="dapr-unknown-type",
    category="dapr",
    severity=Severity.ERROR,
    severity_note="; warning for a deprecated version",
    summary="Component type or version daprd does not register (init fails)",
    check=check,
    kinds=frozenset({"Component"}),
)
