"""- A pod `restartPolicy` other than `Always`, `OnFailure`, `Never` (omitted means `Always`);
- in a Deployment, ReplicaSet, StatefulSet, DaemonSet or ReplicationController template,
  anything but `Always`;
- in a Job or CronJob template, a missing `restartPolicy` (`Required value: valid values:
  "OnFailure", "Never"`), `Always`, or `OnFailure` together with a `podFailurePolicy`;
- as a **warning**, a `restartPolicy` on a regular container or a value other than `Always` on
  an init container: with the default feature gates of 1.34 the API server silently drops both
  before validation (the `ContainerRestartRules` gate is alpha and off), so the object is
  accepted but the container runs with the pod's restart behaviour (an init container then is
  an ordinary init container, not a sidecar).

## Why

The schema knows the field is a string; the allowed values per kind are Go validation.

## What happens in the cluster

The apply fails, e.g. `spec.template.spec.restartPolicy: Unsupported value: "Never": supported
values: "Always"`.
A dropped container-level `restartPolicy` raises no error at all: the stored object simply
lacks it (`kubectl get -o yaml` shows it gone).

## How to fix

Use `Always` for long-running workloads, `OnFailure` or `Never` for Jobs (`Never` with a
`podFailurePolicy`), and set container-level `restartPolicy: Always` only on init containers
meant to run as sidecars; remove any other container-level `restartPolicy` (it is dropped).

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `validateRestartPolicy`,
`ValidatePodTemplateSpecForRC`, `validateContainers`, `validateInitContainers`,
`validateInitContainerRestartPolicy`; `pkg/apis/apps/validation/validation.go`:
`ValidatePodTemplateSpecForReplicaSet`, `ValidateStatefulSetSpec`, `ValidateDaemonSetSpec`;
`pkg/apis/batch/validation/validation.go`: the
restartPolicy part of the Job spec validation; `pkg/api/pod/util.go`: `dropDisabledFields` and
`dropContainerRestartRules` (run by `DropDisabledPodFields` / `DropDisabledTemplateFields` in
every pod and workload strategy's PrepareForCreate), and the `ContainerRestartRules` gate in
`pkg/features/kube_features.go` (alpha, off by default in 1.34).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods

Path = tuple[str | int, ...]
POLICIES = ("Always", "OnFailure", "Never")
JOB_POLICIES = ("OnFailure", "Never")
# Kinds whose controllers only run pods that restart (ValidatePodTemplateSpecForReplicaSet,
# ValidatePodTemplateSpecForRC, ValidateStatefulSetSpec, ValidateDaemonSetSpec).
ALWAYS_KINDS = frozenset(
    {"Deployment", "ReplicaSet", "ReplicationController", "StatefulSet", "DaemonSet"}
)
JOB_KINDS = frozenset({"Job", "CronJob"})


def _pod_policy(resource: Resource, pod: _pods.PodSpec) -> Iterator[tuple[str, Path]]:
    path = (*pod.path, "restartPolicy")
    value = pod.spec.get("restartPolicy")
    if resource.kind in JOB_KINDS:
        if value is None or value == "":
            detail = 'valid values: "OnFailure", "Never"'
            yield f.required(path, detail), (pod.path if value is None else path)
        elif isinstance(value, str) and value not in JOB_POLICIES:
            yield f.not_supported(path, value, JOB_POLICIES), path
        elif value == "OnFailure" and _job_spec(resource).get("podFailurePolicy") is not None:
            msg = 'only "Never" is supported when podFailurePolicy is specified'
            yield f.invalid(path, value, msg), path
        return
    if not isinstance(value, str) or not value:
        return  # defaulted to Always
    if value not in POLICIES:
        yield f.not_supported(path, value, POLICIES), path
    elif resource.kind in ALWAYS_KINDS and value != "Always":
        yield f.not_supported(path, value, ("Always",)), path


def _job_spec(resource: Resource) -> dict[str, object]:
    spec = f.as_dict(resource.doc.get("spec"))
    if resource.kind == "CronJob":
        spec = f.as_dict(f.as_dict(spec.get("jobTemplate")).get("spec"))
    return spec


DROPPED = (
    "ignored: the API server drops it before validation unless the alpha feature gate "
    "ContainerRestartRules is enabled (off by default in 1.34)"
)


def _container_policies(pod: _pods.PodSpec) -> Iterator[tuple[str, Path]]:
    """dropContainerRestartRules: with the gate off, a regular container's restartPolicy and an
    init container's restartPolicy other than Always are removed, so validation never sees
    them (the "may not be set for non-init containers" and "supported values: Always" errors
    are unreachable on create)."""
    for container in _pods.containers(pod):
        value = container.body.get("restartPolicy")
        if value is None or (container.init and value == "Always"):
            continue
        path = (*container.path, "restartPolicy")
        if not container.init:
            effect = "the container restarts as the pod's restartPolicy says"
        elif isinstance(value, str):
            effect = "it stays an ordinary init container (only Always makes a sidecar)"
        else:
            continue  # not a string: the schema rules report it
        yield f"{f.describe_path(path)}: {DROPPED}; {effect}", path


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    pod = _pods.pod_spec(resource)
    if pod is None:
        return
    for message, where in _pod_policy(resource, pod):
        yield RULE.finding(resource, message, where)
    for message, where in _container_policies(pod):
        yield RULE.finding(resource, message, where, Severity.WARNING)


RULE = Rule(
    id="kubernetes-pod-restart-policy",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="restartPolicy: a valid value for the pod and its kind; per container only on init",
    check=check,
    kinds=_pods.KINDS,
    severity_note="warning for a container-level restartPolicy the API server drops",
)
