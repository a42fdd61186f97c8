"""A container with no memory limit, or with no CPU request, in a Pod or any pod template; init
containers included. On a Dapr pod (`dapr.io/enabled: "true"`), the `daprd` container the
sidecar injector adds is checked too, through the annotations it is built from:
`dapr.io/sidecar-memory-limit`, `dapr.io/sidecar-cpu-request` (and `dapr.io/sidecar-cpu-limit`,
`dapr.io/sidecar-memory-request`). A sidecar annotation that is not a quantity, is negative, or
requests more than its limit is an error.

A CPU limit without a CPU request counts as a request: the API server copies each limit into a
missing request of a Pod (pkg/apis/core/v1/defaults.go, `SetDefaults_Pod`), for init
containers too and for the pods a controller creates from a template. Pod-level
`spec.resources` (the PodLevelResources feature) bounds every container, so it counts for all.

## Why

The QoS class (pkg/apis/core/v1/helper/qos/qos.go, `GetPodQOS`) is computed over the regular
and the init containers alike: a pod none of whose containers asks for CPU or memory is
BestEffort, and only a pod whose every container has equal CPU and memory requests and limits
is Guaranteed, so init containers are checked like the others. The kubelet sets the kernel's
OOM score from the class (pkg/kubelet/qos/policy.go, `GetContainerOOMScoreAdjust`): 1000 for
BestEffort, lower the more memory a Burstable container requests. Under memory pressure it
evicts first the pods whose usage is above their requests (pkg/kubelet/eviction/helpers.go,
`rankMemoryPressure`).

The injector builds daprd's `resources` from the four annotations alone
(pkg/injector/patcher/sidecar_container.go, `getResourceRequirements`, Dapr 1.16 to 1.18); with
none of them daprd has no requests and no limits. If one of them does not parse, the injector
logs a warning and gives daprd no resources at all, whatever the other three say.

## What happens at runtime

Without a memory limit a container can use the node's memory until the kernel's OOM killer or
the kubelet's eviction steps in, and the victim may be another pod. Without a CPU request the
scheduler reserves no CPU for it, and under contention it gets the smallest CPU share. A
BestEffort pod is the first one killed and evicted. A negative sidecar quantity, or a sidecar
request above its limit, makes the API server refuse the Pod, so no pod of the workload runs.

## How to fix

```yaml
metadata:
  annotations:
    dapr.io/sidecar-cpu-request: "50m"
    dapr.io/sidecar-memory-request: "64Mi"
    dapr.io/sidecar-cpu-limit: "500m"
    dapr.io/sidecar-memory-limit: "256Mi"
spec:
  containers:
    - name: app
      resources:
        requests: {cpu: 100m, memory: 128Mi}
        limits: {memory: 256Mi}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._field import as_dict, brief
from tools.rules.kubernetes._pods import KINDS, Path, containers
from tools.rules.kubernetes._quantity import Unknown, parse_quantity
from tools.rules.security._dapr_sidecar import injects_sidecar
from tools.rules.security._pod_security import PodView, pod_view

CPU_REQUEST = "dapr.io/sidecar-cpu-request"
CPU_LIMIT = "dapr.io/sidecar-cpu-limit"
MEMORY_REQUEST = "dapr.io/sidecar-memory-request"
MEMORY_LIMIT = "dapr.io/sidecar-memory-limit"
SIDECAR_ANNOTATIONS = (CPU_REQUEST, CPU_LIMIT, MEMORY_REQUEST, MEMORY_LIMIT)

_NO_MEMORY_LIMIT = "no memory limit"
_NO_CPU_REQUEST = "no CPU request"
_CONSEQUENCE = {
    _NO_MEMORY_LIMIT: (
        "it can take the node's memory from every other pod until the OOM killer or the "
        "kubelet's eviction steps in"
    ),
    _NO_CPU_REQUEST: (
        "the scheduler reserves no CPU for it and, under contention, it gets the smallest CPU share"
    ),
}
_FIELD = {_NO_MEMORY_LIMIT: "resources.limits.memory", _NO_CPU_REQUEST: "resources.requests.cpu"}
_BEST_EFFORT = (
    "No container of the pod requests CPU or memory, so the pod is BestEffort: the first to be "
    "OOM-killed and evicted under memory pressure"
)


@dataclass(frozen=True)
class _Amount:
    """What one resources entry says: set at all (even if it does not parse: the kubernetes
    rules report that), and its value when it parses (None otherwise)."""

    present: bool
    value: Fraction | None


def _amount(block: Any, name: str) -> _Amount:
    raw = as_dict(block).get(name)
    if raw is None:
        return _Amount(False, None)
    try:
        value = parse_quantity(raw)
    except Unknown:
        return _Amount(True, None)
    # A zero quantity counts for nothing in GetPodQOS, nor as a cgroup limit.
    return _Amount(value != 0, value)


def _missing(resources: Any, pod_level: Any) -> list[str]:
    limits, requests = as_dict(resources).get("limits"), as_dict(resources).get("requests")
    pod_limits, pod_requests = as_dict(pod_level).get("limits"), as_dict(pod_level).get("requests")
    missing = []
    if not (_amount(limits, "memory").present or _amount(pod_limits, "memory").present):
        missing.append(_NO_MEMORY_LIMIT)
    if not any(
        _amount(block, "cpu").present for block in (requests, limits, pod_requests, pod_limits)
    ):
        missing.append(_NO_CPU_REQUEST)
    return missing


def _asks_for_something(resources: Any) -> bool:
    """Whether a container has a positive CPU or memory request or limit (GetPodQOS)."""
    return any(
        _amount(as_dict(resources).get(kind), name).present
        for kind in ("requests", "limits")
        for name in ("cpu", "memory")
    )


@dataclass(frozen=True)
class _Sidecar:
    """daprd's resources as the injector will write them, and what is wrong with the
    annotations."""

    resources: dict[str, dict[str, Any]]
    errors: list[tuple[str, Path]]


def _sidecar(view: PodView) -> _Sidecar:
    annotations = view.annotations
    base: Path = (*view.metadata_path, "annotations")
    parsed: dict[str, Fraction | None] = {}
    errors: list[tuple[str, Path]] = []
    for key in SIDECAR_ANNOTATIONS:
        raw = annotations.get(key)
        if not isinstance(raw, str) or raw == "":
            continue  # unset; "" is unset for the injector too
        try:
            # resource.ParseQuantity does not trim: " 64Mi" fails in the injector.
            value = parse_quantity(raw) if raw == raw.strip() else None
        except Unknown:
            parsed[key] = None
            continue
        if value is None:
            errors.append(
                (
                    f"annotation {key} '{brief(raw, 40)}' is not a Kubernetes quantity (64Mi, "
                    "500m, 0.5): the sidecar injector logs a warning and gives daprd no "
                    "requests and no limits at all, whatever the other dapr.io/sidecar-* "
                    "annotations say",
                    (*base, key),
                )
            )
        elif value < 0:
            errors.append(
                (
                    f"annotation {key} '{brief(raw, 40)}' is negative: the injector copies it "
                    "into daprd's resources and the API server refuses the Pod (must be "
                    "greater than or equal to 0), so no pod of this workload runs",
                    (*base, key),
                )
            )
        else:
            parsed[key] = value
    for request, limit, name in (
        (CPU_REQUEST, CPU_LIMIT, "cpu"),
        (MEMORY_REQUEST, MEMORY_LIMIT, "memory"),
    ):
        low, high = parsed.get(request), parsed.get(limit)
        if low is not None and high is not None and low > high:
            errors.append(
                (
                    f"annotation {request} is above {limit}: daprd's {name} request would "
                    "exceed its limit, and the API server refuses the Pod, so no pod of this "
                    "workload runs",
                    (*base, request),
                )
            )
    resources: dict[str, dict[str, Any]] = {"requests": {}, "limits": {}}
    for key, (kind, name) in zip(
        SIDECAR_ANNOTATIONS,
        (("requests", "cpu"), ("limits", "cpu"), ("requests", "memory"), ("limits", "memory")),
        strict=True,
    ):
        if key in parsed:
            resources[kind][name] = annotations[key]
    return _Sidecar(resources, errors)


def _message(label: str, missing: list[str], best_effort: bool) -> str:
    text = f"{label} has {' and '.join(missing)}: " + "; ".join(_CONSEQUENCE[m] for m in missing)
    return text + (f". {_BEST_EFFORT}" if best_effort else "")


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    view = pod_view(resource)
    if view is None:
        return
    pod_level = view.spec.get("resources")
    listed = list(containers(view.pod))
    sidecar = _sidecar(view) if injects_sidecar(view) else None
    best_effort = not _asks_for_something(pod_level) and not any(
        _asks_for_something(c.body.get("resources")) for c in listed
    )
    if sidecar is not None:
        best_effort = best_effort and not _asks_for_something(sidecar.resources)
    for container in listed:
        missing = _missing(container.body.get("resources"), pod_level)
        if not missing:
            continue
        name = container.body.get("name")
        kind = "init container" if container.init else "container"
        label = f"{kind} '{brief(name, 63)}'" if isinstance(name, str) else kind
        yield RULE.finding(
            resource,
            _message(label, missing, best_effort)
            + ". Set "
            + " and ".join(_FIELD[m] for m in missing),
            (*container.path, "resources"),
        )
    if sidecar is None:
        return
    for message, path in sidecar.errors:
        yield RULE.finding(resource, message, path, severity=Severity.ERROR)
    if sidecar.errors:
        return
    missing = _missing(sidecar.resources, pod_level)
    if missing:
        wanted = [MEMORY_LIMIT] if _NO_MEMORY_LIMIT in missing else []
        wanted += [CPU_REQUEST] if _NO_CPU_REQUEST in missing else []
        where: Path = (*view.metadata_path, "annotations")
        yield RULE.finding(
            resource,
            _message("the injected daprd sidecar", missing, best_effort)
            + ". The injector sets daprd's resources only from annotations: add "
            + " and ".join(wanted),
            where,
        )


RULE = Rule(
    id="security-container-resources",
    category="security",
    severity=Severity.WARNING,
    summary="container or daprd sidecar without a memory limit or a CPU request",
    check=check,
    kinds=KINDS,
    severity_note=(
        "error when a dapr.io/sidecar-* resource annotation is not a quantity (the injector "
        "drops all of daprd's resources), is negative, or requests more than its limit (the "
        "API server refuses the Pod)"
    ),
    modes="kubernetes",
)
