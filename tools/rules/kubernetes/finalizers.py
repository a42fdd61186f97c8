"""- **Error**: a finalizer that is not a qualified name (`bad finalizer`, `a/b/c`), or both
  `orphan` and `foregroundDeletion` set.
- **Error**: on most built-in kinds (ConfigMap, Deployment, Service, ...), a finalizer without a
  `/` that is not one of the standard `orphan`, `foregroundDeletion`, `kubernetes`. The API server
  refuses the object: `metadata.finalizers[0]: Invalid value: "cleanup": name is neither a
  standard finalizer name nor is it fully qualified`.
- **Warning**: the same finalizer on a custom resource (every Dapr kind). The API server stores
  the object and answers with `Warning: metadata.finalizers: "cleanup": prefer a
  domain-qualified finalizer name to avoid accidental conflicts with other finalizer writers`.

The built-in kinds whose validation does not go through the core `ValidateObjectMeta` accept such
a finalizer silently: the `v1` Event, Binding, PodDisruptionBudget, Lease, LeaseCandidate,
RuntimeClass, the admissionregistration kinds, CustomResourceDefinition, APIService and the
authentication/authorization reviews.

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
- k8s.io/kubernetes `pkg/apis/core/validation/validation.go` `ValidateObjectMeta` →
  `validateKubeFinalizerName` (`helper.IsStandardFinalizerName`), used by the validation of the
  built-in kinds; `pkg/apis/core/validation/events.go` `ValidateEventCreate` skips it for `v1`
  Events; `pkg/apis/policy`, `coordination`, `node` and `admissionregistration` validation, and
  apiextensions-apiserver and kube-aggregator, call apimachinery's `ValidateObjectMeta` instead.
- k8s.io/apiextensions-apiserver `pkg/registry/customresource/strategy.go`
  `customResourceStrategy.WarningsOnCreate` → `generateWarningsFromObj`, and
  `pkg/registry/customresource/validator.go` `validateKubeFinalizerName` (the standard finalizers
  and the two warning texts).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes import names as k8s_names
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._meta import describe, resource_origin

ORPHAN = "orphan"
FOREGROUND = "foregroundDeletion"
# The finalizers apiextensions-apiserver accepts without a domain (validator.go).
STANDARD = frozenset({ORPHAN, FOREGROUND, "kubernetes"})

ADMISSION_GROUP = "admissionregistration.k8s.io"
# Built-in kinds whose validation skips core ValidateObjectMeta's validateKubeFinalizerName:
# (group, kind) for every version.
_NO_KUBE_CHECK = frozenset(
    {
        ("", "Binding"),  # ValidatePodBinding validates no metadata
        ("policy", "PodDisruptionBudget"),  # ValidatePodDisruptionBudget: spec only
        ("coordination.k8s.io", "Lease"),  # apimachinery ValidateObjectMeta
        ("coordination.k8s.io", "LeaseCandidate"),
        ("node.k8s.io", "RuntimeClass"),
        ("apiextensions.k8s.io", "CustomResourceDefinition"),
        ("apiregistration.k8s.io", "APIService"),
        *(
            (ADMISSION_GROUP, kind)
            for kind in (
                "ValidatingWebhookConfiguration",
                "MutatingWebhookConfiguration",
                "ValidatingAdmissionPolicy",
                "ValidatingAdmissionPolicyBinding",
                "MutatingAdmissionPolicy",
                "MutatingAdmissionPolicyBinding",
            )
        ),
    }
)
# Groups of request-only kinds (reviews): their metadata is not validated this way.
_NO_KUBE_CHECK_GROUPS = frozenset({"authentication.k8s.io", "authorization.k8s.io"})
# ValidateEventCreate returns before ValidateObjectMeta for these request versions.
_LEGACY_EVENT_VERSIONS = frozenset({"v1", "events.k8s.io/v1beta1"})


def _kube_check_applies(resource: Resource) -> bool:
    """Whether the built-in kind's validation runs core ``validateKubeFinalizerName``."""
    if resource.group in _NO_KUBE_CHECK_GROUPS:
        return False
    if (resource.group, resource.kind) in _NO_KUBE_CHECK:
        return False
    return not (resource.kind == "Event" and resource.api_version in _LEGACY_EVENT_VERSIONS)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    finalizers = resource.metadata.get("finalizers")
    if not isinstance(finalizers, list):
        return
    origin: str | None = None
    origin_known = False
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
        if not origin_known:
            origin, origin_known = resource_origin(resource, bundle), True
        if origin == "custom":
            hint = " including a path (/)" if "." in finalizer else ""
            yield RULE.finding(
                resource,
                f"finalizer {k8s_names.shown(finalizer)}: the API server accepts it with a "
                f"warning: prefer a domain-qualified finalizer name{hint} (e.g. "
                "example.com/cleanup) so that it cannot clash with another controller's",
                path,
                severity=Severity.WARNING,
            )
        elif origin == "built-in" and _kube_check_applies(resource):
            yield RULE.finding(
                resource,
                f"finalizer {k8s_names.shown(finalizer)} is refused by the API server on a "
                f"built-in {resource.kind}: name is neither a standard finalizer name nor is "
                "it fully qualified (the standard ones are orphan, foregroundDeletion and "
                "kubernetes); name it <your-domain>/<name>, e.g. example.com/cleanup",
                path,
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
    summary=(
        "finalizers are qualified names; an unqualified one is refused on built-in kinds and "
        "warns on a custom resource"
    ),
    check=check,
)
