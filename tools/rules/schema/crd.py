"""A custom resource that is neither a Dapr kind nor a built-in Kubernetes kind does not match the
JSON Schema that a `--schema-dir` directory (or `schema-dir` in the config file) holds for its
kind and apiVersion.

## Why

The chart's users deploy other custom resources beside Dapr's (cert-manager Certificates,
Prometheus ServiceMonitors, External Secrets). Their CRDs are structural schemas: a field the
schema does not declare is not refused by default, it is removed. A misspelt field therefore
looks accepted and does nothing. Checking the manifest against the CRD's schema before it is
applied catches the typo where it was written.

## What happens in the cluster

The API server prunes every field of a custom resource that its structural schema does not
declare (unless the schema marks the object `x-kubernetes-preserve-unknown-fields`), so the
setting is silently lost. A client that asks for server-side field validation gets a warning
(`Warn`) or a refusal (`Strict`) naming the field; nothing stops the pruning otherwise. Type and
enum violations are refused outright.

## How to fix

Correct the field the message names (it suggests the closest declared name), or, when the
schema is out of date, refresh it from the CRD your cluster runs. Schemas are read in two
layouts: the datreeio CRDs-catalog layout `<group>/<kind>_<version>.json`, and kubeconform's
`<kind>-<first label of the group>-<version>.json`. A kind found in no directory is reported by
`schema-not-checked` instead.

## Source

`k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning/algorithm.go`, function `prune`
(called by `Prune`): a map key that is not in the schema's `properties` and has no
`additionalProperties` schema is deleted from the object.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.schema_dirs import compile_schema_file, find_schema_file, indexed
from tools.kubernetes.schemas import (
    KubeVersionError,
    SchemaStoreError,
    crd_schema,
    kubernetes_schema,
)
from tools.rules import Bundle, Rule

_PRUNED = (
    "the API server drops fields a structural CRD schema does not declare, so this setting "
    "would be silently lost"
)


def _built_in(resource: Resource, bundle: Bundle) -> bool:
    if crd_schema(resource.api_version, resource.kind, bundle.context.schema_dirs) is not None:
        return True
    try:
        built_in = kubernetes_schema(
            resource.api_version, resource.kind, bundle.context.kube_version
        )
    except KubeVersionError:
        return True  # schema-kubernetes reports the version problem
    return built_in is not None


def _check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    dirs = indexed(bundle.context.schema_dirs)
    if not dirs or not resource.api_version or not resource.kind:
        return
    if _built_in(resource, bundle):
        return
    file = find_schema_file(dirs, resource.api_version, resource.kind)
    if file is None:
        return
    try:
        compiled = compile_schema_file(file, resource.api_version, resource.kind)
    except SchemaStoreError as exc:
        yield RULE.finding(resource, f"{exc}; {resource.kind} was not checked")
        return
    for issue in compiled.issues(resource.doc):
        message = issue.message
        if issue.keyword == "additionalProperties" and issue.field is not None:
            message = f"{message} — {_PRUNED}"
        yield RULE.finding(resource, f"{message} (schema {file.name})", issue.path)


RULE = Rule(
    id="schema-crd",
    aliases=("crd-schema",),
    category="schema",
    severity=Severity.ERROR,
    summary="other custom resources match the schema --schema-dir has for their kind",
    check=_check,
)
