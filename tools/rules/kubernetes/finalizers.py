"""- **Error**: a finalizer that is not a qualified name (`bad finalizer`, `a/b/c`), or both
  `orphan` and `foregroundDeletion` set.
- **Warning**: on a custom resource (every Dapr kind), a finalizer without a `/` that is not one
  of the standard `orphan`, `foregroundDeletion`, `kubernetes`. The API server stores the object
  and answers with `Warning: metadata.finalizers: "cleanup": prefer a domain-qualified finalizer
  name to avoid accidental conflicts with other finalizer writers`.

## Why

A finalizer blocks deletion until the controller that owns it removes it. An unqualified name
may be claimed by two controllers, and one of them may remove the other's finalizer early.

## What happens in the cluster

Error: the API server refuses the object. Warning: it is stored; `kubectl` prints the warning.

## How to fix

Name finalizers `<your-domain>/<name>` (`todo.example.com/cleanup`).

## Source

- k8s.io/apimachinery `pkg/api/validation/objectmeta.go` `ValidateFinalizers` and
  `ValidateFinalizerName` (`IsQualifiedName`), called from `ValidateObjectMetaAccessor`.
- k8s.io/apiextensions-apiserver `pkg/registry/customresource/strategy.go`
  `customResourceStrategy.WarningsOnCreate` → `generateWarningsFromObj`, and
  `pkg/registry/customresource/validator.go` `validateKubeFinalizerName` (the standard finalizers
  and the two warning texts). Built-in kinds are not warned about here.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes import names as k8s_names
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._meta import describe, is_custom_resource

ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
# The finalizers apiextensions-apiserver accepts without a domain (validator.go).
STANDARD = frozenset({ORPHAN, FOREGROUND, "kubernetes"})


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    finalizers = resource.metadata.get("finalizers")
    if not isinstance(finalizers, list):
        return
    custom: bool | None = None
    for index, finalizer in enumerate(finalizers):
        if not isinstance(finalizer, str):
            continue
        path = ("metadata", "finalizers", index)
        errors = k8s_names.qualified_name_errors(finalizer)
        if errors:
            yield RULE.finding(
                resource,
                f"finalizer {k8s_names.shown(finalizer)} is refused by the API server: a "
                f"finalizer must be a qualified name ([prefix/]name): {describe(errors)}",
                path,
            )
            continue
        if "/" in finalizer or finalizer in STANDARD:
            continue
        if custom is None:
            custom = is_custom_resource(resource, bundle)
        if custom:
            hint = " including a path (/)" if "." in finalizer else ""
            yield RULE.finding(
                resource,
                f"finalizer {k8s_names.shown(finalizer)}: the API server accepts it with a "
                f"warning: prefer a domain-qualified finalizer name{hint} (e.g. "
                "example.com/cleanup) so that it cannot clash with another controller's",
                path,
                severity=Severity.WARNING,
            )
    if ORPHAN in finalizers and FOREGROUND in finalizers:
        yield RULE.finding(
            resource,
            f'finalizers "{ORPHAN}" and "{FOREGROUND}" cannot both be set; the API server '
            "refuses the object",
            ("metadata", "finalizers"),
        )


RULE = Rule(
    id="kubernetes-finalizers",
    category="kubernetes",
    severity=Severity.ERROR,
    severity_note="; warning for an unqualified finalizer on a custom resource",
    summary="finalizers are qualified names; an unqualified one on a custom resource warns",
    check=check,
)
