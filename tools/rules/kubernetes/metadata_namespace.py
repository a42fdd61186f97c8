"""metadata.namespace is a valid Namespace name (an RFC 1123 label)."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.kubernetes import names as k8s_names
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._meta import describe, is_cluster_scoped


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    namespace = resource.metadata.get("namespace")
    if not isinstance(namespace, str) or not namespace or is_cluster_scoped(resource):
        return
    errors = k8s_names.dns1123_label_errors(namespace)
    if errors:
        yield RULE.finding(
            resource,
            f"metadata.namespace {k8s_names.shown(namespace)} is refused by the API server: a "
            f"namespace must be an RFC 1123 label (ValidateNamespaceName): {describe(errors)}",
            ("metadata", "namespace"),
        )


RULE = Rule(
    id="kubernetes-namespace",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="metadata.namespace is a lowercase RFC 1123 label of at most 63 characters",
    check=check,
)
