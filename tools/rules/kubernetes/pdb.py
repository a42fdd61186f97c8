"""The spec of a `policy/v1` PodDisruptionBudget, as the API server's validation checks it
beyond the schema:

- `minAvailable` and `maxUnavailable` both set;
- either of them a negative number, a string that is not a percentage (`"50%"`; a quoted
  number such as `"2"` is a string, not a count), or a percentage above 100%;
- a `selector` that is not a valid label selector (the checks of
  [kubernetes-label-selector](kubernetes-label-selector.md));
- an `unhealthyPodEvictionPolicy` other than `IfHealthyBudget` or `AlwaysAllow`.

## Why

The schema types `minAvailable` and `maxUnavailable` as "integer or string", so any string
passes it; the percentage format, the range and the exclusive pair are Go validation.

## What happens in the cluster

The apply fails, e.g. `spec: Invalid value: ...: minAvailable and maxUnavailable cannot be
both set` or `spec.minAvailable: Invalid value: "2": a valid percent string must be a numeric
string followed by an ending '%'`.

## How to fix

Set one of the two fields, as a whole number (`2`) or a percentage (`"50%"`, at most
`"100%"`).

## Source

Kubernetes 1.34 `pkg/apis/policy/validation/validation.go`: `ValidatePodDisruptionBudget`,
`ValidatePodDisruptionBudgetSpec`; `pkg/apis/apps/validation/validation.go`:
`ValidatePositiveIntOrPercent`, `IsNotMoreThan100Percent`; k8s.io/apimachinery v0.34
`IsValidPercent` and `ValidateLabelSelector`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import regex_error
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._go import atoi
from tools.rules.kubernetes._selector import selector_messages

Path = tuple[str | int, ...]
POLICIES = ("AlwaysAllow", "IfHealthyBudget")  # sets.String.List(): sorted
NEGATIVE = "must be greater than or equal to 0"
_PERCENT_FMT = "[0-9]+%"
_PERCENT = re.compile(r"[0-9]+%")
_PERCENT_MSG = regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'",
    _PERCENT_FMT,
    "1%",
    "93%",
)


def int_or_percent(value: Any, path: Path) -> Iterator[tuple[str, Path]]:
    """ValidatePositiveIntOrPercent and IsNotMoreThan100Percent for one IntOrString value."""
    if isinstance(value, str):
        if not _PERCENT.fullmatch(value):
            yield f.invalid(path, value, _PERCENT_MSG), path
        elif (number := atoi(value[:-1])) is None or number > 100:
            # The digits matched, so an Atoi error is ErrRange: Go clamps to MaxInt64.
            yield f.invalid(path, value, "must not be greater than 100%"), path
    elif f.is_int(value) and value < 0:
        yield f.invalid(path, value, NEGATIVE), path


def problems(spec: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    min_available, max_unavailable = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_available is not None and max_unavailable is not None:
        yield (
            "spec: Invalid value: minAvailable and maxUnavailable cannot be both set",
            ("spec", "maxUnavailable"),
        )
    yield from int_or_percent(min_available, ("spec", "minAvailable"))
    yield from int_or_percent(max_unavailable, ("spec", "maxUnavailable"))
    selector = spec.get("selector")
    if isinstance(selector, dict):
        yield from selector_messages(("spec", "selector"), selector)
    policy = spec.get("unhealthyPodEvictionPolicy")
    if isinstance(policy, str) and policy not in POLICIES:
        where = ("spec", "unhealthyPodEvictionPolicy")
        yield f.not_supported(where, policy, POLICIES), where


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.api_version != "policy/v1":
        return
    for message, where in problems(f.as_dict(resource.doc.get("spec"))):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pdb",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="PodDisruptionBudget specs: one of minAvailable/maxUnavailable, a count or a percent",
    check=check,
    kinds=frozenset({"PodDisruptionBudget"}),
)
