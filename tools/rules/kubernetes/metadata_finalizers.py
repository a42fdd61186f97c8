"""metadata.finalizers: qualified names; on a custom resource, the API server's warnings."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
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
    summary="finalizers are qualified names; an unqualified one on a custom resource warns",
    check=check,
)
