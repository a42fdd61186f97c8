"""What the metadata rules share: which name format a kind uses, and whether it is built in.

The name format is the ``ValidateNameFunc`` each registry passes to ``ValidateObjectMeta``:
``NameIsDNSSubdomain`` for most kinds and every custom resource (apiextensions-apiserver
``pkg/registry/customresource/validator.go``), ``ValidateNamespaceName`` (an RFC 1123 label) for
Namespace, ``ValidateServiceName`` (an RFC 1035 label; Kubernetes 1.34's
``RelaxedServiceNameValidation`` gate is alpha and off) for Service, and the RBAC
``minimalNameRequirements`` (a path segment) for Role, ClusterRole and their bindings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from tools.core.resource import Resource
from tools.kubernetes import names as k8s_names
from tools.kubernetes.schemas import SchemaStoreError, crd_schema, kubernetes_schema
from tools.rules import Bundle

NameCheck = Callable[[str], list[str]]

RBAC_GROUP = "rbac.authorization.k8s.io"

# (group, kind) -> (format check, what it is called, Go function).
_NAME_FORMATS: dict[tuple[str, str], tuple[NameCheck, str, str]] = {
    ("", "Namespace"): (
        k8s_names.dns1123_label_errors,
        "an RFC 1123 label",
        "ValidateNamespaceName",
    ),
    ("", "Service"): (
        k8s_names.dns1035_label_errors,
        "an RFC 1035 label",
        "ValidateServiceName",
    ),
    **{
        (RBAC_GROUP, kind): (
            k8s_names.path_segment_name_errors,
            "a path segment",
            "minimalNameRequirements",
        )
        for kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
    },
}
_DEFAULT_FORMAT: tuple[NameCheck, str, str] = (
    k8s_names.dns1123_subdomain_errors,
    "a DNS subdomain",
    "NameIsDNSSubdomain",
)

# Kinds without a namespace: the API server clears metadata.namespace before validating them.
CLUSTER_SCOPED = frozenset(
    {
        ("", "Namespace"),
        ("", "Node"),
        ("", "PersistentVolume"),
        (RBAC_GROUP, "ClusterRole"),
        (RBAC_GROUP, "ClusterRoleBinding"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("storage.k8s.io", "StorageClass"),
        ("storage.k8s.io", "CSIDriver"),
        ("storage.k8s.io", "CSINode"),
        ("storage.k8s.io", "VolumeAttachment"),
        ("scheduling.k8s.io", "PriorityClass"),
        ("networking.k8s.io", "IngressClass"),
        ("node.k8s.io", "RuntimeClass"),
        ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
        ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
        ("apiregistration.k8s.io", "APIService"),
        ("certificates.k8s.io", "CertificateSigningRequest"),
    }
)


def name_format(resource: Resource) -> tuple[NameCheck, str, str]:
    """The check, its description and the Go function for ``resource``'s metadata.name."""
    return _NAME_FORMATS.get((resource.group, resource.kind), _DEFAULT_FORMAT)


def is_cluster_scoped(resource: Resource) -> bool:
    return (resource.group, resource.kind) in CLUSTER_SCOPED


def resource_origin(resource: Resource, bundle: Bundle) -> str | None:
    """``"custom"`` for a kind served by a CRD (every Dapr kind), ``"built-in"`` for one built
    into the API server, None when that cannot be told (no apiVersion or kind, or the schemas
    could not be read)."""
    if not resource.api_version or not resource.kind:
        return None
    try:
        if crd_schema(resource.api_version, resource.kind, bundle.context.schema_dirs):
            return "custom"
        built_in = kubernetes_schema(
            resource.api_version, resource.kind, bundle.context.kube_version
        )
    except SchemaStoreError:
        return None
    return "custom" if built_in is None else "built-in"


def is_custom_resource(resource: Resource, bundle: Bundle) -> bool:
    """A kind served by a CRD (every Dapr kind), not one built into the API server."""
    return resource_origin(resource, bundle) == "custom"


def string_map(value: Any) -> Iterator[tuple[str, Any]]:
    """The entries of a labels/annotations mapping whose key is a string (others: schema)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield key, item


def describe(messages: Sequence[str]) -> str:
    return "; ".join(messages)
