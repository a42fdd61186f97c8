"""A Dapr custom resource (Component, Configuration, Resiliency, Subscription, HTTPEndpoint) does
not match the strict schema of its CRD: an undeclared field, a wrong type, a missing required
field, or an apiVersion Dapr does not serve for the kind.

## Why

Dapr's CRDs are structural schemas, so `kubectl apply` does not refuse a field they do not
declare: it removes it. `spec.logging.level` in a Configuration, `scopes` nested under `spec`,
or a field a newer Dapr release added, look accepted and do nothing. The schemas in
`schemas/dapr/` close every object the CRD declares, so such a field is reported where it was
written.

## What happens in the cluster

The API server prunes every field a structural schema does not declare before it stores the
object (`Prune` in apiextensions-apiserver `pkg/apiserver/schema/pruning/algorithm.go`), unless
the node is marked `x-kubernetes-preserve-unknown-fields`. The setting is silently lost; type,
enum and required-field violations are refused outright.

## Dapr releases

With `--dapr-version 1.16` or `1.17` (or a profile's `daprVersion`), a field the CRD of that
release does not declare yet is refused and says when it was added ("added in Dapr 1.17 — the
Dapr 1.16 Configuration CRD does not declare it, so the API server prunes it"). The field paths come
from comparing `charts/dapr/crds/*.yaml` of dapr/dapr v1.16.19, v1.17.13 and v1.18.3
(`crd_fields` in `schemas/releases.json`): `spec.tracing.otel.headers`,
`spec.tracing.otel.timeout` and `spec.workflow.stateRetentionPolicy` exist from 1.17; the
workflow concurrency limits (`spec.workflow.workflowConcurrencyLimits`,
`activityConcurrencyLimits`, `globalMaxConcurrent…Invocations`) from 1.18.

## How to fix

Correct the field the message names (it suggests the closest declared name and, for known
mistakes, where the setting really lives), or drop a field the cluster's Dapr release does not
have yet, or upgrade Dapr. Validate with the release the cluster runs: `--dapr-version X.Y`, the
`dapr-version` config key or the chart's `daprVersion` value.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr.release import DaprRelease
from tools.kubernetes.schema_messages import SchemaIssue, describe_path
from tools.kubernetes.schemas import crd_schema, crd_versions
from tools.rules import Bundle, Rule

DAPR_GROUP = "dapr.io"

_TOP_LEVEL = (
    "is a top-level field of the resource (a sibling of spec), not part of spec; move it out"
)

# Extra advice for mistakes seen in real manifests: (kind, parent path, field) -> hint.
# Parent paths use [] for any list index.
HINTS: dict[tuple[str, str, str], str] = {
    ("Configuration", "spec.logging", "level"): (
        "the API server prunes it; Dapr has no such field (set the sidecar log level with the pod "
        "annotation dapr.io/log-level; API call logging is spec.logging.apiLogging.enabled)"
    ),
    ("Configuration", "spec", "logLevel"): (
        "Dapr has no such field; set the sidecar log level with the pod annotation "
        "dapr.io/log-level"
    ),
    ("Component", "spec", "scopes"): f"scopes {_TOP_LEVEL}",
    ("Component", "spec", "auth"): f"auth {_TOP_LEVEL}",
    ("HTTPEndpoint", "spec", "scopes"): f"scopes {_TOP_LEVEL}",
    ("HTTPEndpoint", "spec", "auth"): f"auth {_TOP_LEVEL}",
    ("Subscription", "spec", "scopes"): f"scopes {_TOP_LEVEL}",
    ("Resiliency", "spec", "scopes"): f"scopes {_TOP_LEVEL}",
    ("Component", "spec.metadata[]", "valueFrom"): (
        "Dapr reads a secret with secretKeyRef: {name: <secret>, key: <key>}, not valueFrom"
    ),
    ("Component", "spec.metadata[]", "secretRef"): (
        "Dapr reads a secret with secretKeyRef: {name: <secret>, key: <key>}"
    ),
}

_VERSION_HINTS: dict[tuple[str, str, str], str] = {
    ("dapr.io/v2alpha1", "spec", "route"): (
        "in dapr.io/v2alpha1 the path is routes.default (with optional routes.rules); route is "
        "the dapr.io/v1alpha1 field"
    ),
    ("dapr.io/v1alpha1", "spec", "routes"): (
        "routes belongs to dapr.io/v2alpha1; switch the apiVersion or use route"
    ),
}

_PRUNED = "the API server drops unknown fields, so this setting would be silently lost"


def _pattern(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += "[]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def hint_for(resource: Resource, issue: SchemaIssue) -> str | None:
    if issue.keyword != "additionalProperties" or issue.field is None:
        return None
    parent = _pattern(issue.path[:-1])
    return (
        HINTS.get((resource.kind, parent, issue.field))
        or _VERSION_HINTS.get((resource.api_version, parent, issue.field))
        or _PRUNED
    )


def _check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    api_version, kind = resource.api_version, resource.kind
    if not api_version or not kind:
        return
    schema_dirs = bundle.context.schema_dirs
    compiled = crd_schema(api_version, kind, schema_dirs)
    if compiled is None:
        group = resource.group
        if group != DAPR_GROUP:
            return
        versions = crd_versions(group, kind, schema_dirs)
        if versions:
            yield RULE.finding(
                resource,
                f"apiVersion: {kind} is not served as {api_version}; Dapr serves it as "
                f"{' or '.join(versions)} (the API server refuses this resource)",
                ("apiVersion",),
            )
        return
    for issue in compiled.issues(resource.doc):
        message = issue.message
        hint = hint_for(resource, issue)
        if hint:
            message = f"{message} — {hint}"
        yield RULE.finding(resource, message, issue.path)
    if not bundle.dapr.is_newest and resource.group == DAPR_GROUP:
        yield from _newer_fields(resource, bundle.dapr)


def _present(
    node: Any, parts: Sequence[str], path: tuple[str | int, ...]
) -> Iterator[tuple[str | int, ...]]:
    """Every place in ``node`` a recorded CRD field path (``a.b[].c``) names."""
    if not parts:
        yield path
        return
    head, rest = parts[0], parts[1:]
    name = head.removesuffix("[]").removesuffix("{}")
    if not isinstance(node, dict) or name not in node:
        return
    child = node[name]
    if head.endswith("[]") and rest:
        for index, item in enumerate(child if isinstance(child, list) else ()):
            yield from _present(item, rest, (*path, name, index))
    elif head.endswith("{}") and rest:
        for entry, item in child.items() if isinstance(child, dict) else ():
            yield from _present(item, rest, (*path, name, str(entry)))
    else:
        yield from _present(child, rest, (*path, name))


def _newer_fields(resource: Resource, dapr: DaprRelease) -> Iterator[Finding]:
    """Fields the chosen release's CRD does not declare yet: its API server prunes them."""
    release = dapr.version
    changes = dapr.changes.crd_changes(resource.api_version or "", resource.kind or "")
    for dotted, change in changes.items():
        if change.present_in(release):
            continue
        when = change.describe(release)
        for path in _present(resource.doc, dotted.split("."), ()):
            yield RULE.finding(
                resource,
                f"{describe_path(path)}: {when} — the Dapr {release} {resource.kind} CRD does "
                f"not declare it, so the API server prunes it and the setting is silently "
                f"lost on a {release} cluster",
                path,
            )


RULE = Rule(
    id="schema-dapr",
    aliases=("dapr-schema",),
    category="schema",
    severity=Severity.ERROR,
    summary="Dapr custom resources match the strict schema of their CRD",
    check=_check,
)
