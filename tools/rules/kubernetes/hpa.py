"""The spec of an `autoscaling/v2` HorizontalPodAutoscaler, as the API server's validation checks
it beyond the schema:

- no `spec` at all (the schema requires `maxReplicas` and `scaleTargetRef` only inside one;
  the API server validates the zero values: `maxReplicas` 0, no `kind`, `name` or API group);
- `minReplicas` below 1 (0 needs the alpha `HPAScaleToZero` gate, off by default in 1.34),
  `maxReplicas` below 1 or below `minReplicas`;
- a `scaleTargetRef` without `kind` or `name`, with a `kind` or `name` that is not a path
  segment (no `/`, `%`, `.` or `..`), or with an `apiVersion` that names no API group
  (`apps/v1` is right, `v1` or a missing `apiVersion` is refused, except for a
  ReplicationController);
- a metric whose `type` is not `Resource`, `ContainerResource`, `Pods`, `Object` or `External`,
  that lacks the source its type names (`type: Resource` needs `resource:`) or also sets
  another source;
- in a metric source: an empty metric or resource name, a metric name that is not a path
  segment, a `containerResource` whose `name` is not `cpu`, `memory` or `ephemeral-storage`
  (or a qualified name) or whose `container` is not a DNS label, an `object`
  `describedObject` as invalid as the `scaleTargetRef` checks above (its API group may be
  empty), no target value the source needs (`averageUtilization` or `averageValue` for
  resources, `averageValue` for `pods`, `value` or `averageValue` for `object`/`external`),
  or both where only one is allowed;
- a target `type` other than `Utilization`, `Value` or `AverageValue`, a `value` or
  `averageValue` that is not positive, an `averageUtilization` below 1;
- in `behavior.scaleUp`/`scaleDown`: `stabilizationWindowSeconds` outside 0-3600, a
  `selectPolicy` other than `Max`, `Min` or `Disabled`, an empty `policies` list (left out, the
  defaults fill it), a policy `type` other than `Pods` or `Percent`, a `value` or
  `periodSeconds` below 1, a `periodSeconds` above 1800.

## Why

The schema gives only the types. Ranges, the pairing of a metric type with its source, and the
target reference's API group are Go validation, run when the HPA is applied.

## What happens in the cluster

The apply fails, e.g. `spec.scaleTargetRef.apiVersion: Invalid value: "v1": apiVersion must
specify API group` or `spec.metrics[0].resource.target.averageUtilization: Invalid value: 0:
must be greater than 0`.

## How to fix

Point `scaleTargetRef` at `apiVersion: apps/v1`, `kind: Deployment` (or StatefulSet), `name:`
the workload; give each metric the source its type names and the target value it needs; keep
`minReplicas` at 1 or more and `maxReplicas` at or above it.

## Source

Kubernetes 1.34 `pkg/apis/autoscaling/validation/validation.go`:
`validateHorizontalPodAutoscalerSpec`, `ValidateCrossVersionObjectReference`,
`ValidateAPIVersion`, `validateMetrics`, `validateMetricSpec`, `validateObjectSource`,
`validateExternalSource`, `validatePodsSource`, `validateContainerResourceSource`,
`validateResourceSource`, `validateMetricTarget`, `validateMetricIdentifier`,
`validateBehavior`, `validateScalingRules`, `validateScalingPolicy`; the options in
`pkg/registry/autoscaling/horizontalpodautoscaler/strategy.go`
(`validationOptionsForHorizontalPodAutoscaler`); the defaults in
`pkg/apis/autoscaling/v2/defaults.go` (`minReplicas` 1, a CPU metric when `metrics` is empty,
behavior rules filled field by field).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import (
    dns1123_label_errors,
    path_segment_name_errors,
    qualified_name_errors,
)
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._quantity import Unknown, parse_quantity

Path = tuple[str | int, ...]
Problems = Iterator[tuple[str, Path]]

SOURCE_TYPES = ("ContainerResource", "External", "Object", "Pods", "Resource")  # sorted
# metric type -> its source field, in the order validateMetricSpec looks at the sources
SOURCES = {"Object": "object", "External": "external", "Pods": "pods", "Resource": "resource",
           "ContainerResource": "containerResource"}  # fmt: skip
TARGET_TYPES = ("Utilization", "Value", "AverageValue")
SELECT_POLICIES = ("Disabled", "Max", "Min")
POLICY_TYPES = ("Percent", "Pods")
CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
MAX_STABILIZATION = 3600
MAX_PERIOD = 1800
POPULATE = "must populate information for the given metric source"


def _int(node: dict[str, Any], name: str) -> int | None:
    value = node.get(name)
    return value if f.is_int(value) else None


def reference(ref: dict[str, Any], path: Path, empty_group: bool) -> Problems:
    """ValidateCrossVersionObjectReference with ValidateAPIVersion."""
    for name in ("kind", "name"):
        value = ref.get(name)
        where = (*path, name)
        if value == "":
            yield f.required(where), where  # left out: the schema's required field
        elif isinstance(value, str):
            for msg in path_segment_name_errors(value):
                yield f.invalid(where, value, msg), where
    version = ref.get("apiVersion", "")
    if not isinstance(version, str):
        return
    where = (*path, "apiVersion")
    if version in ("", "/") or version.count("/") == 0:
        group = ""
    elif version.count("/") == 1:
        group = version.split("/")[0]
    else:
        yield (
            f.invalid(where, version, f"unexpected GroupVersion string: {f.brief(version)}"),
            where,
        )
        return
    if not group and not empty_group:
        yield (
            f.invalid(where, version, "apiVersion must specify API group"),
            (where if "apiVersion" in ref else path),
        )


def _metric_name(source: dict[str, Any], path: Path) -> Problems:
    name = f.as_dict(source.get("metric")).get("name")
    where = (*path, "metric", "name")
    if name == "":
        yield f.required(where, "must specify a metric name"), where
    elif isinstance(name, str):
        for msg in path_segment_name_errors(name):
            yield f.invalid(where, name, msg), where


def _positive(value: Any) -> bool | None:
    try:
        number = parse_quantity(value)
    except Unknown:
        return None
    return None if number is None else number > 0


def target(node: dict[str, Any], path: Path) -> Problems:
    """validateMetricTarget."""
    kind = node.get("type")
    where = (*path, "type")
    if kind == "":
        yield f.required(where, "must specify a metric target type"), where
    elif isinstance(kind, str) and kind not in TARGET_TYPES:
        yield f.invalid(where, kind, "must be either Utilization, Value, or AverageValue"), where
    for name in ("value", "averageValue"):
        if name in node and _positive(node[name]) is False:
            where = (*path, name)
            yield f.invalid(where, node[name], "must be positive"), where
    utilization = _int(node, "averageUtilization")
    if utilization is not None and utilization < 1:
        where = (*path, "averageUtilization")
        yield f.invalid(where, utilization, "must be greater than 0"), where


def _has(node: dict[str, Any], name: str) -> bool:
    return node.get(name) is not None


def _container_resource_name(name: str, where: Path) -> Problems:
    """ValidateContainerResourceName: a standard name (IsStandardContainerResourceName: the
    standard ones or any hugepages-<size>), or a qualified name with a domain."""
    if "/" in name:
        for msg in qualified_name_errors(name):
            yield f.invalid(where, name, msg), where
    elif name not in CONTAINER_RESOURCES and not name.startswith("hugepages-"):
        yield f.invalid(where, name, "must be a standard resource for containers"), where


def source(kind: str, node: dict[str, Any], path: Path) -> Problems:
    """validateObjectSource ... validateResourceSource for the source at ``path``."""
    goal = f.as_dict(node.get("target"))
    goal_path = (*path, "target")
    if kind == "object":
        described = node.get("describedObject")
        if isinstance(described, dict):
            yield from reference(described, (*path, "describedObject"), empty_group=True)
    if kind in ("object", "external", "pods"):
        yield from _metric_name(node, path)
    if kind in ("resource", "containerResource"):
        name = node.get("name")
        where = (*path, "name")
        if name == "":
            yield f.required(where, "must specify a resource name"), where
        elif kind == "containerResource" and isinstance(name, str):
            yield from _container_resource_name(name, where)
    if kind == "containerResource":
        container = node.get("container")
        where = (*path, "container")
        if container == "":
            yield f.required(where, "must specify a container"), where
        elif isinstance(container, str):
            for msg in dns1123_label_errors(container):
                yield f.invalid(where, container, msg), where
    if "target" in node and not isinstance(node["target"], dict):
        return  # schema
    yield from target(goal, goal_path)
    value, average = _has(goal, "value"), _has(goal, "averageValue")
    utilization = _has(goal, "averageUtilization")
    if kind == "object" and not value and not average:
        detail = "must set either a target value or averageValue"
        yield f.required((*goal_path, "averageValue"), detail), goal_path
    elif kind == "external":
        if not value and not average:
            detail = "must set either a target value for metric or a per-pod target"
            yield f.required((*goal_path, "averageValue"), detail), goal_path
        if value and average:
            detail = "may not set both a target value for metric and a per-pod target"
            yield f.forbidden((*goal_path, "value"), detail), (*goal_path, "value")
    elif kind == "pods" and not average:
        detail = "must specify a positive target averageValue"
        yield f.required((*goal_path, "averageValue"), detail), goal_path
    elif kind in ("resource", "containerResource"):
        if not utilization and not average:
            detail = "must set either a target raw value or a target utilization"
            yield f.required((*goal_path, "averageUtilization"), detail), goal_path
        if utilization and average:
            detail = "may not set both a target raw value and a target utilization"
            yield f.forbidden((*goal_path, "averageValue"), detail), (*goal_path, "averageValue")


def metric(spec: dict[str, Any], path: Path) -> Problems:
    """validateMetricSpec."""
    kind = spec.get("type")
    where = (*path, "type")
    if kind == "":
        yield f.required(where, "must specify a metric source type"), where
    elif isinstance(kind, str) and kind not in SOURCES:
        yield f.not_supported(where, kind, SOURCE_TYPES), where
    present = [name for name in SOURCES.values() if _has(spec, name)]
    if present and isinstance(spec[present[0]], dict):
        yield from source(present[0], spec[present[0]], (*path, present[0]))
    expected = SOURCES.get(kind) if isinstance(kind, str) else None
    if expected is not None and not _has(spec, expected):
        yield f.required((*path, expected), POPULATE), path
    if len(present) > 1:
        for name in present:
            if name != expected:
                detail = "must populate the given metric source only"
                yield f.forbidden((*path, name), detail), (*path, name)


def scaling_rules(rules: dict[str, Any], path: Path) -> Problems:
    """validateScalingRules after the v2 defaults filled the unset fields."""
    window = _int(rules, "stabilizationWindowSeconds")
    where = (*path, "stabilizationWindowSeconds")
    if window is not None and window < 0:
        yield f.invalid(where, window, "must be greater than or equal to zero"), where
    if window is not None and window > MAX_STABILIZATION:
        yield f.invalid(where, window, f"must be less than or equal to {MAX_STABILIZATION}"), where
    select = rules.get("selectPolicy")
    if isinstance(select, str) and select not in SELECT_POLICIES:
        where = (*path, "selectPolicy")
        yield f.not_supported(where, select, SELECT_POLICIES), where
    policies = rules.get("policies")
    if not isinstance(policies, list):
        return  # left out: the defaults fill it; another type: the schema's
    if not policies:
        where = (*path, "policies")
        yield f.required(where, "must specify at least one Policy"), where
    for i, item in enumerate(policies):
        policy = f.as_dict(item)
        at = (*path, "policies", i)
        kind = policy.get("type")
        if isinstance(kind, str) and kind not in POLICY_TYPES:
            yield f.not_supported((*at, "type"), kind, POLICY_TYPES), (*at, "type")
        value = _int(policy, "value")
        if value is not None and value <= 0:
            yield f.invalid((*at, "value"), value, "must be greater than zero"), (*at, "value")
        period = _int(policy, "periodSeconds")
        where = (*at, "periodSeconds")
        if period is not None and period <= 0:
            yield f.invalid(where, period, "must be greater than zero"), where
        if period is not None and period > MAX_PERIOD:
            yield f.invalid(where, period, f"must be less than or equal to {MAX_PERIOD}"), where


def problems(spec: dict[str, Any]) -> Problems:
    min_replicas, max_replicas = _int(spec, "minReplicas"), _int(spec, "maxReplicas")
    if min_replicas is not None and min_replicas < 1:
        where = ("spec", "minReplicas")
        yield f.invalid(where, min_replicas, "must be greater than or equal to 1"), where
    where = ("spec", "maxReplicas")
    if max_replicas is not None and max_replicas < 1:
        yield f.invalid(where, max_replicas, "must be greater than 0"), where
    if max_replicas is not None and max_replicas < (
        min_replicas if min_replicas is not None else 1
    ):
        yield (
            f.invalid(where, max_replicas, "must be greater than or equal to `minReplicas`"),
            where,
        )
    ref = spec.get("scaleTargetRef")
    if isinstance(ref, dict):
        rc = ref.get("kind") == "ReplicationController"
        yield from reference(ref, ("spec", "scaleTargetRef"), empty_group=rc)
    for i, item in enumerate(f.as_list(spec.get("metrics"))):
        if isinstance(item, dict):
            yield from metric(item, ("spec", "metrics", i))
    behavior = f.as_dict(spec.get("behavior"))
    for name in ("scaleUp", "scaleDown"):
        rules = behavior.get(name)
        if isinstance(rules, dict):
            yield from scaling_rules(rules, ("spec", "behavior", name))


# What validateHorizontalPodAutoscalerSpec sees when `spec` is left out: Go's zero values.
ZERO_SPEC: dict[str, Any] = {"maxReplicas": 0, "scaleTargetRef": {"kind": "", "name": ""}}


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.api_version != "autoscaling/v2":
        return
    spec = resource.doc.get("spec")
    if spec is None:
        # The schema requires maxReplicas and scaleTargetRef only inside a spec; without one
        # the API server validates the zero values and refuses the object.
        messages = "; ".join(message for message, _ in problems(ZERO_SPEC))
        yield RULE.finding(
            resource,
            f"spec is missing; the API server refuses the zero values: {messages}. Give a "
            "spec with scaleTargetRef (apiVersion, kind, name) and maxReplicas",
        )
        return
    for message, where in problems(f.as_dict(spec)):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-hpa",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="HorizontalPodAutoscaler specs: replica bounds, target reference, metrics, behavior",
    check=check,
    kinds=frozenset({"HorizontalPodAutoscaler"}),
)
