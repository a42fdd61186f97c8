"""Checked in a Pod's `spec` and in the pod template of Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, Job, CronJob and PodTemplate:

- `containers` is an empty list;
- a container `name` is empty or not a DNS-1123 label (at most 63 of `a-z`, `0-9`, `-`,
  starting and ending alphanumeric), or repeats the name of another container (init
  containers may not reuse a regular container's name either);
- `image` is missing or empty; in a Pod (not a template) it also may not start or end with
  whitespace;
- a port's `containerPort` is 0 or outside 1–65535, its `hostPort` (when not 0) outside 1–65535,
  its `protocol` not `TCP`/`UDP`/`SCTP`, its `name` not an IANA service name (at most 15 of
  `a-z`, `0-9`, `-`, at least one letter, no `--`, no leading/trailing `-`) or used twice in the
  same container; with `hostNetwork: true`, a regular container's non-zero `hostPort` that
  differs from its `containerPort` (a zero `hostPort` is defaulted to `containerPort`);
- `imagePullPolicy` other than `Always`, `IfNotPresent`, `Never`, or
  `terminationMessagePolicy` other than `File`, `FallbackToLogsOnError` (omitted values are
  defaulted before validation and are fine).
- `ephemeralContainers` that is not empty: a Pod cannot be created with them (`Forbidden:
  cannot be set on create`; they are added later to a running Pod through its
  `ephemeralcontainers` subresource, as `kubectl debug` does), and a pod template may not have
  them at all (`Forbidden: ephemeral containers not allowed in pod template`).

## Why

The schema gives types only; names, ranges and uniqueness are Go validation, and for
workloads the error appears only when the Deployment, Job … itself is applied.

## What happens in the cluster

The apply of the Pod or workload fails, e.g. `spec.containers[1].name: Duplicate value:
"check"` or `spec.template.spec.containers[0].image: Required value`.

## How to fix

Give every container a unique lowercase name and an image; use unquoted port numbers in
range, unique lowercase port names and the exact policy spellings above. Remove
`ephemeralContainers` from manifests; attach a debug container to a running Pod with
`kubectl debug` instead.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `ValidatePodSpec`,
`validateContainers`, `validateInitContainers`, `validateContainerCommon`,
`validateContainerPorts`, `validatePullPolicy`, `validateContainerOnlyForPod`,
`validatePodHostNetworkDeps`, `ValidatePodCreate` and `ValidatePodTemplateSpec` (the
`ephemeralContainers` part);
`IsDNS1123Label`, `IsValidPortNum`, `IsValidPortName` in k8s.io/apimachinery v0.34.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import dns1123_label_errors
from tools.kubernetes.network import PROTOCOLS, port_name_errors, port_number_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods

Path = tuple[str | int, ...]
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")


def _ports(container: _pods.Container, host_network: bool) -> Iterator[tuple[str, Path]]:
    names: set[str] = set()
    for i, port in enumerate(f.as_list(container.body.get("ports"))):
        if not isinstance(port, dict):
            continue
        path = (*container.path, "ports", i)
        name = port.get("name")
        if isinstance(name, str) and name:
            problems = port_name_errors(name)
            for msg in problems:
                yield f.invalid((*path, "name"), name, msg), (*path, "name")
            if not problems:
                if name in names:
                    yield f.duplicate((*path, "name"), name), (*path, "name")
                names.add(name)
        number = port.get("containerPort")
        if number == 0 and f.is_int(number):
            yield f.required((*path, "containerPort")), (*path, "containerPort")
        elif f.is_int(number):
            for msg in port_number_errors(number):
                yield f.invalid((*path, "containerPort"), number, msg), (*path, "containerPort")
        host = port.get("hostPort")
        if f.is_int(host) and host != 0:
            for msg in port_number_errors(host):
                yield f.invalid((*path, "hostPort"), host, msg), (*path, "hostPort")
            # A zero hostPort is defaulted to containerPort under hostNetwork.
            if host_network and not container.init and f.is_int(number) and host != number:
                msg = "must match `containerPort` when `hostNetwork` is true"
                yield f.invalid((*path, "hostPort"), host, msg), (*path, "hostPort")
        protocol = port.get("protocol")
        if isinstance(protocol, str) and protocol and protocol not in PROTOCOLS:
            yield f.not_supported((*path, "protocol"), protocol, PROTOCOLS), (*path, "protocol")


def _container(pod: _pods.PodSpec, container: _pods.Container) -> Iterator[tuple[str, Path]]:
    is_pod = pod.is_pod
    body, path = container.body, container.path
    name = body.get("name")
    if name == "":
        yield f.required((*path, "name")), (*path, "name")
    elif isinstance(name, str):
        for msg in dns1123_label_errors(name):
            yield f.invalid((*path, "name"), name, msg), (*path, "name")
    image = body.get("image")
    if image is None or image == "":
        yield f.required((*path, "image")), path
    elif isinstance(image, str) and is_pod and image != image.strip():
        msg = "must not have leading or trailing whitespace"
        yield f.invalid((*path, "image"), image, msg), (*path, "image")
    for key, allowed in (
        ("imagePullPolicy", PULL_POLICIES),
        ("terminationMessagePolicy", TERMINATION_MESSAGE_POLICIES),
    ):
        value = body.get(key)  # empty or absent: defaulted before validation
        if isinstance(value, str) and value and value not in allowed:
            yield f.not_supported((*path, key), value, allowed), (*path, key)
    yield from _ports(container, pod.spec.get("hostNetwork") is True)


def _names(pod: _pods.PodSpec) -> Iterator[tuple[str, Path]]:
    """Regular names are unique among themselves; init names also against regular ones."""
    regular: set[object] = set()
    for c in _pods.containers(pod):
        if not c.init:
            name = c.body.get("name")
            if isinstance(name, str):
                if name in regular:
                    yield f.duplicate((*c.path, "name"), name), (*c.path, "name")
                regular.add(name)
    seen = set(regular)
    for c in _pods.containers(pod):
        name = c.body.get("name")
        if c.init and isinstance(name, str):
            if name in seen:
                yield f.duplicate((*c.path, "name"), name), (*c.path, "name")
            elif name:
                seen.add(name)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    pod = _pods.pod_spec(resource)
    if pod is None:
        return
    if pod.spec.get("containers") == []:
        where = (*pod.path, "containers")
        yield RULE.finding(resource, f.required(where), where)
    ephemeral = pod.spec.get("ephemeralContainers")
    if isinstance(ephemeral, list) and ephemeral:
        where = (*pod.path, "ephemeralContainers")
        detail = (
            "cannot be set on create"
            if pod.is_pod
            else "ephemeral containers not allowed in pod template"
        )
        yield RULE.finding(resource, f.forbidden(where, detail), where)
    for container in _pods.containers(pod):
        for message, where in _container(pod, container):
            yield RULE.finding(resource, message, where)
    for message, where in _names(pod):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-containers",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="containers: unique DNS-label names, an image, valid ports and policies",
    check=check,
    kinds=_pods.KINDS,
)
