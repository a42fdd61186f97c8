"""kubernetes-pod-containers: container names, images, ports and policies (validateContainers)."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
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
    explanation=(
        "Mirrors validateContainers, validateInitContainers, validateContainerCommon and "
        "validateContainerPorts for Pods and the pod templates of workload kinds."
    ),
    kinds=_pods.KINDS,
)
