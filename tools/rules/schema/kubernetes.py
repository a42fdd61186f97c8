"""Kubernetes objects: apiVersion/kind present, built-in kinds valid against strict schemas.

``kubernetes-object`` flags a document that is not a Kubernetes object at all (no apiVersion or
kind, no name). ``kubernetes-schema`` checks built-in kinds (NetworkPolicy, Secret, Deployment,
...) against kubernetes-validate's strict schemas for ``--kube-version``. ``schema-not-checked``
says, without failing, that a kind has no schema (a CRD that was not imported).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.kubernetes import names as k8s_names
from tools.kubernetes.schema_dirs import dirs_of, find_schema_file
from tools.kubernetes.schemas import KubeVersionError, crd_schema, crd_versions, kubernetes_schema
from tools.rules import Bundle, Rule

_CORE_VERSION = re.compile(r"^v\d+(?:(?:alpha|beta)\d+)?$")
_GROUP_VERSION = re.compile(r"^[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?/v\d+(?:(?:alpha|beta)\d+)?$")
_UNKNOWN_FIELD = (
    "the API server refuses unknown fields under strict field validation and drops them otherwise"
)


def _check_object(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    doc = resource.doc
    for field in ("apiVersion", "kind"):
        value = doc.get(field)
        if field not in doc:
            yield OBJECT_RULE.finding(
                resource,
                f'missing "{field}": every Kubernetes object needs apiVersion and kind '
                "(e.g. apiVersion: dapr.io/v1alpha1, kind: Component)",
            )
        elif not isinstance(value, str) or not value.strip():
            yield OBJECT_RULE.finding(resource, f"{field}: must be a non-empty string", (field,))
    api_version = doc.get("apiVersion")
    if isinstance(api_version, str) and api_version.strip():
        problem = api_version_problem(api_version)
        if problem:
            yield OBJECT_RULE.finding(resource, f"apiVersion: {problem}", ("apiVersion",))
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.strip():
        problem = kind_problem(kind)
        if problem:
            yield OBJECT_RULE.finding(resource, f"kind: {problem}", ("kind",))
    if isinstance(kind, str) and kind.endswith("List") and "items" in doc:
        return
    metadata = doc.get("metadata")
    if metadata is None:
        yield OBJECT_RULE.finding(resource, "missing metadata: the object needs metadata.name")
    elif isinstance(metadata, dict):
        name = metadata.get("name")
        if not metadata.get("generateName") and (not isinstance(name, str) or not name):
            yield OBJECT_RULE.finding(
                resource,
                "metadata: missing name (every object needs metadata.name)",
                ("metadata",),
            )


def api_version_problem(api_version: str) -> str | None:
    """Why ``api_version`` cannot name any API group version, or None when it can.

    A group is a DNS subdomain (at most 253 characters) and a version a DNS label (at most 63,
    the CRD rule in apiextensions-apiserver ``validation.go``); the length is checked before any
    pattern runs, so a hostile value costs nothing.
    """
    group, _, version = api_version.rpartition("/")
    if len(group) > k8s_names.DNS1123_SUBDOMAIN_MAX or len(version) > k8s_names.DNS1035_LABEL_MAX:
        return (
            f"{k8s_names.shown(api_version)} is too long to name an API group version "
            "(group at most 253 characters, version at most 63)"
        )
    if _CORE_VERSION.match(api_version) or _GROUP_VERSION.match(api_version):
        return None
    return (
        f"{k8s_names.shown(api_version)} is not of the form <group>/<version> (e.g. "
        "dapr.io/v1alpha1) or a core version (v1)"
    )


def kind_problem(kind: str) -> str | None:
    """Why ``kind`` cannot name any kind (a CRD kind is a DNS-1035 label once lower-cased)."""
    if not k8s_names.dns1035_label_errors(kind.lower()):
        return None
    return (
        f"{k8s_names.shown(kind)} cannot name a Kubernetes kind: a kind is at most 63 letters, "
        "digits or '-', starting with a letter (e.g. Component, NetworkPolicy)"
    )


def _has_identity(resource: Resource) -> bool:
    """apiVersion and kind are present and well formed: only then are schemas looked up."""
    api_version, kind = resource.api_version, resource.kind
    return bool(
        api_version
        and kind
        and api_version_problem(api_version) is None
        and kind_problem(kind) is None
    )


def _check_schema(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not _has_identity(resource):
        return
    if crd_schema(resource.api_version, resource.kind, bundle.options.get("schema_dir")):
        return
    try:
        compiled = kubernetes_schema(resource.api_version, resource.kind, bundle.kube_version)
    except KubeVersionError as exc:
        yield SCHEMA_RULE.finding(resource, str(exc))
        return
    if compiled is None:
        return
    for issue in compiled.issues(resource.doc):
        message = issue.message
        if issue.keyword == "additionalProperties" and issue.field is not None:
            message = f"{message} — {_UNKNOWN_FIELD}"
        yield SCHEMA_RULE.finding(resource, message, issue.path)


def _check_coverage(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not _has_identity(resource):
        return
    schema_dir = bundle.options.get("schema_dir")
    if crd_schema(resource.api_version, resource.kind, schema_dir):
        return
    if resource.group == "dapr.io" and crd_versions(resource.group, resource.kind, schema_dir):
        return  # dapr-schema reports the wrong apiVersion
    try:
        if kubernetes_schema(resource.api_version, resource.kind, bundle.kube_version):
            return
    except KubeVersionError:
        return  # kubernetes-schema reports the version problem
    if find_schema_file(dirs_of(bundle.options), resource.api_version, resource.kind):
        return  # crd-schema checks it
    yield COVERAGE_RULE.finding(
        resource,
        f"no schema for {resource.kind} {resource.api_version}; not checked (point --schema-dir "
        "at a CRDs-catalog or kubeconform schema folder that has it)",
        severity=Severity.INFO,
    )


OBJECT_RULE = Rule(
    id="kubernetes-object",
    category="schema",
    severity=Severity.ERROR,
    summary="each document is a Kubernetes object with apiVersion, kind and metadata.name",
    check=_check_object,
)

SCHEMA_RULE = Rule(
    id="kubernetes-schema",
    category="schema",
    severity=Severity.ERROR,
    summary="built-in Kubernetes kinds match the strict schema of --kube-version",
    check=_check_schema,
    explanation=(
        "NetworkPolicy, Secret, ConfigMap, Deployment and the other built-in kinds are checked "
        "against kubernetes-validate's strict schemas (no unknown fields) for the Kubernetes "
        "version given with --kube-version (default 1.34)."
    ),
)

COVERAGE_RULE = Rule(
    id="schema-not-checked",
    category="schema",
    severity=Severity.INFO,
    summary="a kind with no known schema is reported as not checked",
    check=_check_coverage,
)

RULES = (OBJECT_RULE, SCHEMA_RULE, COVERAGE_RULE)
