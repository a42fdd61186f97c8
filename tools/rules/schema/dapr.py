"""dapr-schema: Dapr custom resources checked against strict schemas of the Dapr CRDs.

The API server silently prunes fields a CRD does not declare, so a misspelled or invented field
(``spec.logging.level`` in a Configuration) is lost without a word. This rule refuses every field
the CRD does not declare, and checks types, required fields and allowed values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr.releases import NEWEST, load_release_data, release_of
from tools.kubernetes.schemas import SchemaIssue, crd_schema, crd_versions, describe_path
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
    schema_dir: Any = bundle.options.get("schema_dir")
    compiled = crd_schema(api_version, kind, schema_dir)
    if compiled is None:
        group = resource.group
        if group != DAPR_GROUP:
            return
        versions = crd_versions(group, kind, schema_dir)
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
    release = release_of(bundle.options)
    if release != NEWEST and resource.group == DAPR_GROUP:
        yield from _newer_fields(resource, release)


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


def _newer_fields(resource: Resource, release: str) -> Iterator[Finding]:
    """Fields the chosen release's CRD does not declare yet: its API server prunes them."""
    changes = load_release_data().crd_changes(resource.api_version or "", resource.kind or "")
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
    id="dapr-schema",
    category="schema",
    severity=Severity.ERROR,
    summary="Dapr custom resources match the strict schema of their CRD",
    check=_check,
    explanation=(
        "Dapr's CRDs are structural: the API server prunes any field they do not declare, so a "
        "typo or an invented field is silently lost. Every Dapr resource is checked against a "
        "strict schema of its CRD (Dapr 1.18 by default; with --dapr-version 1.16 or 1.17 a field "
        "that release's CRD does not declare yet is refused and says when it was added; point "
        "TODO_DAPR_SCHEMA_DIR at schemas imported with `python -m tools schemas import-crd` to "
        "match a custom build)."
    ),
)
