"""A built-in Kubernetes kind (NetworkPolicy, Secret, ConfigMap, ServiceAccount, Pod, Deployment,
Role, …) does not match the OpenAPI schema of the Kubernetes version given with
`--kube-version` (default 1.34): an unknown field, a wrong type, a missing required field.

## Why

The schemas come from kubernetes-validate's bundled OpenAPI schemas, compiled strict (objects
closed to unknown fields). The kind and apiVersion are looked up in an index of the bundled
files; nothing from the manifest is joined into a path. Checks that the OpenAPI schema cannot
express (names, CIDRs, ports, Secret types, requests and limits) are the `kubernetes` category.

## What happens in the cluster

A wrong type or a missing required field is refused by the API server. An unknown field is
refused under strict field validation (`kubectl apply --validate=strict`, the default of recent
kubectl) and silently dropped otherwise.

## How to fix

Correct the field the message names; check the field names for the Kubernetes version the
cluster runs (`--kube-version`).

## Source

k8s.io/apimachinery `pkg/util/managedfields` / `pkg/runtime` decoding with field validation
(`Strict` refuses unknown fields, `Warn`/`Ignore` drop them), and the OpenAPI definitions each
release publishes.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.schemas import KubeVersionError, crd_schema, kubernetes_schema
from tools.rules import Bundle, Rule
from tools.rules.schema._identity import has_identity

_UNKNOWN_FIELD = (
    "the API server refuses unknown fields under strict field validation and drops them otherwise"
)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not has_identity(resource):
        return
    if crd_schema(resource.api_version, resource.kind, bundle.context.schema_dirs):
        return
    try:
        compiled = kubernetes_schema(
            resource.api_version, resource.kind, bundle.context.kube_version
        )
    except KubeVersionError as exc:
        yield RULE.finding(resource, str(exc))
        return
    if compiled is None:
        return
    for issue in compiled.issues(resource.doc):
        message = issue.message
        if issue.keyword == "additionalProperties" and issue.field is not None:
            message = f"{message} — {_UNKNOWN_FIELD}"
        yield RULE.finding(resource, message, issue.path)


RULE = Rule(
    id="schema-kubernetes",
    category="schema",
    severity=Severity.ERROR,
    summary="built-in Kubernetes kinds match the strict schema of --kube-version",
    check=check,
    aliases=("kubernetes-schema",),
)
