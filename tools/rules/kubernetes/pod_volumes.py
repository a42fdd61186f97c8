"""- A volume `name` that is empty, not a DNS-1123 label, or used twice;
- a volume with more than one source (`emptyDir` and `secret`, …): `Forbidden: may not
  specify more than 1 volume type`. A volume with no source at all is defaulted to `emptyDir`
  and not reported;
- a `volumeMounts` entry whose `name` is not a volume of the pod (a volume with one of the
  errors above does not count as defined), whose `mountPath` is empty or repeats another mount
  of the same container, or that sets both `subPath` and `subPathExpr`.

## Why

The schema cannot relate a mount to the pod's volumes or tell mount paths apart.

## What happens in the cluster

The apply fails, e.g. `spec.containers[0].volumeMounts[0].name: Not found: "data"`.

For a **StatefulSet**, `ValidateStatefulSetSpec` validates the pod template with one
`persistentVolumeClaim` volume added per `volumeClaimTemplates` entry (named after the claim
template, replacing a template volume of the same name), as the StatefulSet controller adds
them to each pod: a mount may name a claim template, and a template volume shadowed by a claim
template is not checked. A claim template whose name is not a DNS label gives no usable volume
(its own error is reported by [kubernetes-workload-spec](kubernetes-workload-spec.md)).

## How to fix

Declare every mounted volume under `volumes` with a lowercase name, give each volume one
source, and mount each path once per container.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `ValidateVolumes`,
`validateVolumeSource` (the "more than 1 volume type" part) and `ValidateVolumeMounts`;
`pkg/apis/apps/validation/validation.go`: `ValidateStatefulSetSpec` and
`volumesToAddForTemplates` (the claim template volumes).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import dns1123_label_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods

Path = tuple[str | int, ...]
# The volume sources of core/v1 VolumeSource, in the order validateVolumeSource counts them.
SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret",
    "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs",
    "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO",
    "csi", "ephemeral", "image",
)  # fmt: skip


def claim_template_names(resource: Resource) -> frozenset[str]:
    """The names of a StatefulSet's volumeClaimTemplates (volumesToAddForTemplates); a missing
    name is the empty one, as Go reads it."""
    if resource.kind != "StatefulSet" or resource.api_version != "apps/v1":
        return frozenset()
    names: set[str] = set()
    for claim in f.as_list(f.as_dict(resource.doc.get("spec")).get("volumeClaimTemplates")):
        if isinstance(claim, dict):
            name = f.as_dict(claim.get("metadata")).get("name")
            names.add(name if isinstance(name, str) else "")
    return frozenset(names)


def _volumes(
    pod: _pods.PodSpec, claims: frozenset[str] = frozenset()
) -> tuple[set[str], list[tuple[str, Path]]]:
    """ValidateVolumes: the names mounts may use (volumes without errors), and the errors.

    ``claims``: a StatefulSet's claim template names; each is a volume of the pod, and a
    template volume of the same name is replaced by it (ValidateStatefulSetSpec)."""
    valid: set[str] = {c for c in claims if c and not dns1123_label_errors(c)}
    seen: set[str] = set()
    problems: list[tuple[str, Path]] = []
    for i, volume in enumerate(f.as_list(pod.spec.get("volumes"))):
        if not isinstance(volume, dict):
            continue
        given = volume.get("name")
        if claims and (given is None or isinstance(given, str)) and (given or "") in claims:
            continue  # replaced by the claim template's volume (a missing name reads as "")
        path = (*pod.path, "volumes", i)
        own: list[tuple[str, Path]] = []
        sources = [s for s in SOURCES if volume.get(s) is not None]
        for extra in sources[1:]:
            own.append(
                (
                    f.forbidden((*path, extra), "may not specify more than 1 volume type"),
                    (*path, extra),
                )
            )
        name = volume.get("name")
        if not isinstance(name, str):
            continue  # absent or not a string: the schema reports it
        if not name:
            own.append((f.required((*path, "name")), (*path, "name")))
        else:
            own += [
                (f.invalid((*path, "name"), name, m), (*path, "name"))
                for m in dns1123_label_errors(name)
            ]
        if name in seen:
            own.append((f.duplicate((*path, "name"), name), (*path, "name")))
        if own:
            problems += own
        else:
            seen.add(name)
            valid.add(name)
    return valid, problems


def _mounts(container: _pods.Container, volumes: set[str]) -> Iterator[tuple[str, Path]]:
    paths: set[str] = set()
    for i, mount in enumerate(f.as_list(container.body.get("volumeMounts"))):
        if not isinstance(mount, dict):
            continue
        path = (*container.path, "volumeMounts", i)
        name = mount.get("name")
        if isinstance(name, str):
            if not name:
                yield f.required((*path, "name")), (*path, "name")
            if name not in volumes:
                yield f.not_found((*path, "name"), name), (*path, "name")
        mount_path = mount.get("mountPath")
        if isinstance(mount_path, str):
            if not mount_path:
                yield f.required((*path, "mountPath")), (*path, "mountPath")
            if mount_path in paths:
                yield (
                    f.invalid((*path, "mountPath"), mount_path, "must be unique"),
                    (*path, "mountPath"),
                )
            paths.add(mount_path)
        sub_path, expr = mount.get("subPath"), mount.get("subPathExpr")
        if isinstance(expr, str) and expr and isinstance(sub_path, str) and sub_path:
            msg = "subPathExpr and subPath are mutually exclusive"
            yield f.invalid((*path, "subPathExpr"), expr, msg), (*path, "subPathExpr")


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    pod = _pods.pod_spec(resource)
    if pod is None:
        return
    volumes, problems = _volumes(pod, claim_template_names(resource))
    for message, where in problems:
        yield RULE.finding(resource, message, where)
    for container in _pods.containers(pod):
        for message, where in _mounts(container, volumes):
            yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-volumes",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="volumes: unique DNS-label names, one source each; mounts name a volume, unique paths",
    check=check,
    kinds=_pods.KINDS,
)
