"""- A volume `name` that is empty, not a DNS-1123 label, or used twice;
- a volume with more than one source (`emptyDir` and `secret`, …): `Forbidden: may not
  specify more than 1 volume type`. A volume with no source at all is defaulted to `emptyDir`
  and not reported;
- an `ephemeral` volume without a `volumeClaimTemplate`, or whose claim template `spec` is not
  a valid PersistentVolumeClaim spec: no `accessModes` (`Required value: at least 1 access
  mode is required`), an unknown access mode, `ReadWriteOncePod` with another mode, no
  `resources.requests.storage` (`resources[storage]: Required value`) or one that is not
  above zero, an invalid `selector`, a `storageClassName` that is not a DNS subdomain, a
  `volumeMode` other than `Block`, `Filesystem`; in a Pod, a claim name (`<pod>-<volume>`,
  the PVC the pod gets) longer than 253 characters;
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
source, and mount each path once per container. Give an ephemeral volume's claim template
at least one access mode (`ReadWriteOnce`) and a storage request (`resources: {requests:
{storage: 1Gi}}`).

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `ValidateVolumes`,
`validateVolumeSource` (the "more than 1 volume type" part and the ephemeral claim name),
`validateEphemeralVolumeSource`, `ValidatePersistentVolumeClaimSpec` and
`ValidateVolumeMounts`;
`pkg/apis/apps/validation/validation.go`: `ValidateStatefulSetSpec` and
`volumesToAddForTemplates` (the claim template volumes).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import dns1123_label_errors, name_is_dns_subdomain_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods
from tools.rules.kubernetes._claim_spec import claim_spec_problems

Path = tuple[str | int, ...]
# The volume sources of core/v1 VolumeSource, in the order validateVolumeSource counts them.
SOURCES = (
    "emptyDir", "hostPath", "gitRepo", "gcePersistentDisk", "awsElasticBlockStore", "secret",
    "nfs", "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "cinder", "cephfs",
    "quobyte", "downwardAPI", "fc", "flexVolume", "configMap", "azureFile", "vsphereVolume",
    "photonPersistentDisk", "portworxVolume", "azureDisk", "storageos", "projected", "scaleIO",
    "csi", "ephemeral", "image",
)  # fmt: skip
Problem = tuple[str, Path]


def _ephemeral(
    source: Any, path: Path, pod_name: str | None, volume_name: Any
) -> Iterator[Problem]:
    """validateEphemeralVolumeSource, and the name of the claim made for a Pod's volume."""
    if not isinstance(source, dict):
        return  # the schema's business
    base = (*path, "ephemeral", "volumeClaimTemplate")
    template = source.get("volumeClaimTemplate")
    if template is None:
        yield f.required(base), (*path, "ephemeral")
    elif isinstance(template, dict):
        spec = template.get("spec")
        if spec is None or isinstance(spec, dict):
            yield from claim_spec_problems(spec or {}, (*base, "spec"))
    if pod_name and isinstance(volume_name, str) and volume_name:
        claim = f"{pod_name}-{volume_name}"
        for msg in name_is_dns_subdomain_errors(claim):
            at = (*path, "name")
            yield f.invalid(at, volume_name, f"PVC name {json.dumps(f.brief(claim))}: {msg}"), at


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
    pod: _pods.PodSpec, claims: frozenset[str] = frozenset(), pod_name: str | None = None
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
        if sources[:1] == ["ephemeral"]:  # only the first source is validated
            own += _ephemeral(volume["ephemeral"], path, pod_name, volume.get("name"))
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
    name = f.as_dict(resource.doc.get("metadata")).get("name") if pod.is_pod else None
    pod_name = name if isinstance(name, str) else None
    volumes, problems = _volumes(pod, claim_template_names(resource), pod_name)
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
