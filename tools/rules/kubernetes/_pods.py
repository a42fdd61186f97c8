"""Where pod specs live: a Pod, and the pod templates of workload kinds (ValidatePodSpec runs on
each, with a few checks only for Pods themselves)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tools.core.resource import Resource
from tools.rules.kubernetes._field import as_dict, as_list

Path = tuple[str | int, ...]

# (apiVersion, kind) -> path of the pod spec
TEMPLATE_PATHS: dict[tuple[str, str], Path] = {
    ("v1", "Pod"): ("spec",),
    ("v1", "PodTemplate"): ("template", "spec"),
    ("v1", "ReplicationController"): ("spec", "template", "spec"),
    ("apps/v1", "Deployment"): ("spec", "template", "spec"),
    ("apps/v1", "StatefulSet"): ("spec", "template", "spec"),
    ("apps/v1", "DaemonSet"): ("spec", "template", "spec"),
    ("apps/v1", "ReplicaSet"): ("spec", "template", "spec"),
    ("batch/v1", "Job"): ("spec", "template", "spec"),
    ("batch/v1", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
}
KINDS = frozenset(kind for _, kind in TEMPLATE_PATHS)
CONTAINER_LISTS = ("initContainers", "containers")


@dataclass(frozen=True)
class PodSpec:
    spec: dict[str, Any]
    path: Path
    is_pod: bool  # a Pod object, not a template: a few checks apply only then


@dataclass(frozen=True)
class Container:
    body: dict[str, Any]
    path: Path
    init: bool


def pod_spec(resource: Resource) -> PodSpec | None:
    path = TEMPLATE_PATHS.get((resource.api_version, resource.kind))
    if path is None:
        return None
    node: Any = resource.doc
    for part in path:
        node = as_dict(node).get(part) if isinstance(part, str) else None
    if not isinstance(node, dict):
        return None
    return PodSpec(node, path, resource.kind == "Pod")


def containers(pod: PodSpec) -> Iterator[Container]:
    """Init containers, then regular containers (as ValidatePodSpec visits them)."""
    for key in CONTAINER_LISTS:
        for i, body in enumerate(as_list(pod.spec.get(key))):
            if isinstance(body, dict):
                yield Container(body, (*pod.path, key, i), key == "initContainers")


def each_container(
    resource: Resource, problems: Callable[[Container], Iterable[tuple[str, Path]]]
) -> Iterator[tuple[str, Path]]:
    """The (message, path) problems ``problems`` finds in every container of a pod spec."""
    pod = pod_spec(resource)
    if pod is None:
        return
    for container in containers(pod):
        yield from problems(container)
