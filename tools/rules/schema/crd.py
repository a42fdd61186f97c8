"""crd-schema: other custom resources checked against the schemas of ``--schema-dir``.

A kind that neither the Dapr schemas nor the Kubernetes schemas of ``--kube-version`` cover is
looked up in the ``--schema-dir`` directories (CRDs-catalog or kubeconform layout, see
``tools/kubernetes/schema_dirs.py``); when a schema names it, the resource is validated against it.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.kubernetes.schema_dirs import compile_schema_file, dirs_of, find_schema_file
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
    if crd_schema(resource.api_version, resource.kind) is not None:
        return True
    try:
        built_in = kubernetes_schema(resource.api_version, resource.kind, bundle.kube_version)
    except KubeVersionError:
        return True  # kubernetes-schema reports the version problem
    return built_in is not None


def _check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    dirs = dirs_of(bundle.options)
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
    id="crd-schema",
    category="schema",
    severity=Severity.ERROR,
    summary="other custom resources match the schema --schema-dir has for their kind",
    check=_check,
    explanation=(
        "Custom resources that are neither Dapr's nor built-in Kubernetes kinds are checked "
        "against the JSON Schemas in the --schema-dir directories (datreeio CRDs-catalog layout "
        "<group>/<kind>_<version>.json, or kubeconform's <kind>-<group>-<version>.json)."
    ),
)
