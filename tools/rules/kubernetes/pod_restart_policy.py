"""- A pod `restartPolicy` other than `Always`, `OnFailure`, `Never` (omitted means `Always`);
- in a Deployment, ReplicaSet, StatefulSet, DaemonSet or ReplicationController template,
  anything but `Always`;
- in a Job or CronJob template, a missing `restartPolicy` (`Required value: valid values:
  "OnFailure", "Never"`), `Always`, or `OnFailure` together with a `podFailurePolicy`;
- a `restartPolicy` on a regular container (`Forbidden: may not be set for non-init
  containers`), or a value other than `Always` on an init container (sidecar containers).

## Why

The schema knows the field is a string; the allowed values per kind are Go validation.

## What happens in the cluster

The apply fails, e.g. `spec.template.spec.restartPolicy: Unsupported value: "Never": supported
values: "Always"`.

## How to fix

Use `Always` for long-running workloads, `OnFailure` or `Never` for Jobs (`Never` with a
`podFailurePolicy`), and set container-level `restartPolicy: Always` only on init containers
meant to run as sidecars.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `validateRestartPolicy`,
`ValidatePodTemplateSpecForRC`, `validateContainers`, `validateInitContainers`,
`validateInitContainerRestartPolicy`; `pkg/apis/apps/validation/validation.go`:
`ValidatePodTemplateSpecForReplicaSet`, `ValidateStatefulSetSpec`, `ValidateDaemonSetSpec`;
`pkg/apis/batch/validation/validation.go`: the
restartPolicy part of the Job spec validation.
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


def _container_policies(pod: _pods.PodSpec) -> Iterator[tuple[str, Path]]:
    for container in _pods.containers(pod):
        value = container.body.get("restartPolicy")
        if value is None:
            continue
        path = (*container.path, "restartPolicy")
        if not container.init:
            yield f.forbidden(path, "may not be set for non-init containers"), path
        elif isinstance(value, str) and value != "Always":
            yield f.not_supported(path, value, ("Always",)), path


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    pod = _pods.pod_spec(resource)
    if pod is None:
        return
    for message, where in (*_pod_policy(resource, pod), *_container_policies(pod)):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-restart-policy",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="restartPolicy: a valid value for the pod and its kind; per container only on init",
    check=check,
    kinds=_pods.KINDS,
)
