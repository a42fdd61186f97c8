"""Security settings of a pod spec the API server refuses (in a Pod and in the pod template of
Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and
PodTemplate):

- a container's `securityContext.procMount: Unmasked` while the pod shares the host's user
  namespace (`hostUsers` omitted or `true`): `Invalid value: "Unmasked": `hostUsers` must be
  false to use `Unmasked``;
- a container's AppArmor profile (its own `securityContext.appArmorProfile`, or else the pod's)
  that disagrees with the deprecated annotation
  `container.apparmor.security.beta.kubernetes.io/<container>`: type `Unconfined` needs the
  annotation `unconfined`, `RuntimeDefault` needs `runtime/default`, `Localhost` needs
  `localhost/<the same localhostProfile>` (`Forbidden: apparmor type in annotation and field
  must match`, or `apparmor profile in annotation and field must match`). Not checked for a
  pod with `os.name: windows`.

For a Pod (not a template) the API server first copies an annotation to a container without
its own profile when the annotation is a valid profile (`unconfined`, `runtime/default`,
`localhost/<name>`) that differs from the pod's; such an annotation always agrees. An
annotation that is not a valid profile (for example the empty value) is compared with the
pod's profile, and disagrees with it.

## Why

The schema gives types only; the user-namespace requirement and the annotation/field
agreement are Go validation.

## What happens in the cluster

The apply fails, e.g. `spec.containers[0].securityContext.procMount: Invalid value:
"Unmasked": `hostUsers` must be false to use `Unmasked`` or
`spec.initContainers[0].securityContext.appArmorProfile.type: Forbidden: apparmor type in
annotation and field must match`.

## How to fix

Set `hostUsers: false` in the pod spec to use `procMount: Unmasked`, or drop `procMount`.
Remove the deprecated AppArmor annotations and keep only the `appArmorProfile` fields, or make
each annotation say the same profile as the field.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `ValidateSecurityContext` (the
`procMount` part; `hostUsers` as `ValidatePodSpec` computes it), `ValidatePodCreate` and
`ValidatePodTemplateSpec` calling `validateAppArmorAnnotationsAndFieldsMatchOnCreate`,
`ValidateAppArmorProfileField`; `pkg/registry/core/pod/strategy.go`: `PrepareForCreate` and
`applyAppArmorVersionSkew`; `pkg/api/pod/util.go`: `ApparmorFieldForAnnotation`; the
`ProcMountType` and `UserNamespacesSupport` gates in `pkg/features/kube_features.go` (both on
by default in 1.34).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods

Path = tuple[str | int, ...]
PREFIX = "container.apparmor.security.beta.kubernetes.io/"
LOCALHOST = "localhost/"
# AppArmor profile type -> the annotation value that says the same
ANNOTATION_OF = {"Unconfined": "unconfined", "RuntimeDefault": "runtime/default"}
MAX_LOCALHOST_PROFILE = 4095


def _all_containers(pod: _pods.PodSpec) -> Iterator[tuple[dict[str, Any], Path]]:
    """Init, regular and ephemeral containers, in the order VisitContainersWithPath uses."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for i, body in enumerate(f.as_list(pod.spec.get(key))):
            if isinstance(body, dict):
                yield body, (*pod.path, key, i)


def _proc_mount(pod: _pods.PodSpec) -> Iterator[tuple[str, Path]]:
    host_users = pod.spec.get("hostUsers")
    if host_users is False or not (host_users is None or host_users is True):
        return  # false: allowed; not a boolean: the schema rules report it
    for body, path in _all_containers(pod):
        context = f.as_dict(body.get("securityContext"))
        if context.get("procMount") == "Unmasked":
            at = (*path, "securityContext", "procMount")
            yield f.invalid(at, "Unmasked", "`hostUsers` must be false to use `Unmasked`"), at


def _annotations(resource: Resource, pod: _pods.PodSpec) -> dict[str, Any]:
    node: Any = resource.doc
    for part in (*pod.path[:-1], "metadata", "annotations"):
        node = f.as_dict(node).get(str(part))
    return f.as_dict(node)


def _valid_from_annotation(annotation: str) -> dict[str, Any] | None:
    """ApparmorFieldForAnnotation, kept only when ValidateAppArmorProfileField accepts it."""
    if annotation in ("unconfined", "runtime/default"):
        kind = "Unconfined" if annotation == "unconfined" else "RuntimeDefault"
        return {"type": kind}
    name = annotation[len(LOCALHOST) :]
    if not annotation.startswith(LOCALHOST) or not name:
        return None
    if name.strip() != name or len(name.encode()) > MAX_LOCALHOST_PROFILE:
        return None
    return {"type": "Localhost", "localhostProfile": name}


def _mismatch(profile: dict[str, Any], annotation: str) -> str | None:
    """The field (`type` or `localhostProfile`) whose value the annotation contradicts."""
    kind = profile.get("type")
    if not isinstance(kind, str):
        return None  # the schema's business
    if kind in ANNOTATION_OF:
        return None if annotation == ANNOTATION_OF[kind] else "type"
    if kind == "Localhost":
        if not annotation.startswith(LOCALHOST):
            return "type"
        if profile.get("localhostProfile") != annotation[len(LOCALHOST) :]:
            return "localhostProfile"
    return None


def _apparmor(resource: Resource, pod: _pods.PodSpec) -> Iterator[tuple[str, Path]]:
    if f.as_dict(pod.spec.get("os")).get("name") == "windows":
        return
    annotations = _annotations(resource, pod)
    pod_profile = f.as_dict(pod.spec.get("securityContext")).get("appArmorProfile")
    for body, path in _all_containers(pod):
        name = body.get("name")
        annotation = annotations.get(PREFIX + name) if isinstance(name, str) else None
        if not isinstance(annotation, str):
            continue
        own = f.as_dict(body.get("securityContext")).get("appArmorProfile")
        if own is None and pod.is_pod and _valid_from_annotation(annotation) is not None:
            continue  # applyAppArmorVersionSkew: the field follows the annotation
        profile = own if own is not None else pod_profile
        if not isinstance(profile, dict):
            continue  # none, or not an object (the schema's business)
        field = _mismatch(profile, annotation)
        if field is not None:
            at = (*path, "securityContext", "appArmorProfile", field)
            what = "type" if field == "type" else "profile"
            yield f.forbidden(at, f"apparmor {what} in annotation and field must match"), at


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    pod = _pods.pod_spec(resource)
    if pod is None:
        return
    for message, where in (*_proc_mount(pod), *_apparmor(resource, pod)):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-security-context",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="procMount Unmasked needs hostUsers: false; AppArmor annotations match the fields",
    check=check,
    kinds=_pods.KINDS,
)
