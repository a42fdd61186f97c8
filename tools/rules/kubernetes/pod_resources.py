"""A container's `resources.requests` or `resources.limits`:

- a value that is not a Kubernetes quantity (`1 GB`, `500MB`, `1.5.0`): digits with an
  optional sign and decimal point, then `Ki`…`Ei`, `n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`
  or an exponent (`1e9`);
- a negative quantity;
- a `cpu`, `memory` or `ephemeral-storage` request above the limit of the same resource.

Quantities are compared exactly (`1000m` equals `1`, `1024Mi` equals `1Gi`). A quantity with a
huge exponent is not judged.

## Why

The schema accepts any string or number for a quantity.

## What happens in the cluster

The apply fails: `spec.containers[0].resources.requests: Invalid value: "200m": must be less
than or equal to cpu limit of 100m`, or, for text that is not a quantity, the request cannot
be decoded (`quantities must match the regular expression
'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`).

For a **StatefulSet** the API server does not run this check when the StatefulSet is applied
(`ValidatePodTemplateSpecForStatefulSet` in `pkg/apis/apps/validation/validation.go` skips the
pod spec); the same error comes back when the StatefulSet controller creates each pod, so the
StatefulSet is stored but never gets a running pod (`FailedCreate` events). It is reported as
an error all the same.

## How to fix

Write quantities as `100m`, `0.5`, `64Mi`, `1Gi`, and keep each request at or below its limit.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `validateResourceRequirements`,
`ValidateResourceQuantityValue`, `ValidateNonnegativeQuantity`; the quantity format of
k8s.io/apimachinery `pkg/api/resource/quantity.go` (`ParseQuantity`).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods
from tools.rules.kubernetes._quantity import PATTERN, Unknown, parse_quantity

Path = tuple[str | int, ...]
# Resources that may be overcommitted: a request below its limit is fine, above it is not.
COMPARED = ("cpu", "memory", "ephemeral-storage")


def _quantities(path: Path, block: Any) -> Iterator[tuple[str, Fraction | None, str | None, Path]]:
    """(resource, value or None when unknown, error message, path) for each entry."""
    for name, raw in f.as_dict(block).items():
        where = (*path, name)
        try:
            value = parse_quantity(raw)
        except Unknown:
            yield str(name), None, None, where
            continue
        if value is None:
            if raw is None:
                continue
            detail = f"quantities must match the regular expression '{PATTERN}'"
            yield str(name), None, f.invalid((*path, f.Key(str(name))), raw, detail), where
        elif value < 0:
            yield (
                str(name),
                value,
                f.invalid((*path, f.Key(str(name))), raw, "must be greater than or equal to 0"),
                where,
            )
        else:
            yield str(name), value, None, where


def _container(container: _pods.Container) -> Iterator[tuple[str, Path]]:
    resources = f.as_dict(container.body.get("resources"))
    base = (*container.path, "resources")
    limits: dict[str, Fraction] = {}
    for name, value, error, where in _quantities((*base, "limits"), resources.get("limits")):
        if error:
            yield error, where
        elif value is not None:
            limits[name] = value
    requests = resources.get("requests")
    for name, value, error, where in _quantities((*base, "requests"), requests):
        if error:
            yield error, where
        elif value is not None and name in COMPARED and name in limits and value > limits[name]:
            shown = f.as_dict(requests).get(name)
            limit = f.as_dict(resources.get("limits")).get(name)
            detail = f"must be less than or equal to {name} limit of {limit}"
            yield f.invalid((*base, "requests"), str(shown), detail), where


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    for message, where in _pods.each_container(resource, _container):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-resources",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="container resources: valid quantities, not negative, requests at most limits",
    check=check,
    kinds=_pods.KINDS,
)
