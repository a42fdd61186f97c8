"""The `apps/v1` Deployment, StatefulSet and DaemonSet spec fields the API server refuses, after
the v1 defaults are filled in (the selector and the pod template have their own rules):

- **all three**: a negative `replicas` (not DaemonSet), `minReadySeconds` or
  `revisionHistoryLimit` (not checked for a StatefulSet); an `activeDeadlineSeconds` in the pod
  template (`Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported` — a Deployment's
  pods belong to a ReplicaSet);
- **Deployment**: `strategy.type` other than `RollingUpdate` or `Recreate`; a `rollingUpdate`
  with `Recreate`; a `maxUnavailable` / `maxSurge` that is neither a non-negative integer nor a
  percentage like `25%` (a string `"1"` is not a number here); both `0` (an omitted one is
  `25%`); `maxUnavailable` above `100%`; a negative `progressDeadlineSeconds`, or one not
  greater than `minReadySeconds` (an omitted one is `600`, so `minReadySeconds: 600` alone is
  refused);
- **DaemonSet**: `updateStrategy.type` other than `RollingUpdate` or `OnDelete`; a
  `maxUnavailable` / `maxSurge` that is not a non-negative integer or percentage, or above
  `100%`; both zero, or both non-zero (an omitted `maxUnavailable` is `1` and an omitted
  `maxSurge` is `0`, so `maxSurge: 1` alone is refused: `may not be set when maxUnavailable is
  non-zero`);
- **StatefulSet**: a `podManagementPolicy` other than `OrderedReady` or `Parallel`;
  `updateStrategy.type` other than `RollingUpdate` or `OnDelete`; a `rollingUpdate` with
  `OnDelete`; a negative `rollingUpdate.partition` or `ordinals.start`; a
  `persistentVolumeClaimRetentionPolicy` `whenDeleted` / `whenScaled` other than `Retain` or
  `Delete`; a `serviceName` that is not a DNS label (it may be omitted);
- **StatefulSet `volumeClaimTemplates`**: a missing name, or one that is not a DNS label (the
  claim becomes a pod volume of that name); no `accessModes`, an unknown access mode, or
  `ReadWriteOncePod` with another mode; no `resources.requests.storage`, or one that is not a
  quantity or not greater than zero; a `storageClassName` that is not a DNS subdomain; a
  `volumeMode` other than `Filesystem` or `Block`; an invalid claim `selector`.

`rollingUpdate.maxUnavailable` in a StatefulSet is a **warning**: it belongs to the alpha
feature gate `MaxUnavailableStatefulSet` (off by default in 1.34), and without it the API server
drops the field and pods are replaced one at a time.

## Why

The OpenAPI schema knows these fields' types, not their allowed values, the defaults the API
server fills in first, or how two fields relate.

## What happens in the cluster

The apply fails, e.g. `spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be
set when maxUnavailable is non-zero`, or
`spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is
required`.

## How to fix

Use the values listed above. For a DaemonSet surge set `maxUnavailable: 0` next to `maxSurge`;
for a Deployment keep one of the two non-zero; give `progressDeadlineSeconds` more than
`minReadySeconds`; give every claim template a lowercase name, at least one access mode and a
positive `storage` request.

## Source

Kubernetes 1.34 `pkg/apis/apps/validation/validation.go`: `ValidateDeploymentSpec`,
`ValidateDeploymentStrategy`, `ValidateRollingUpdateDeployment`,
`ValidatePodTemplateSpecForReplicaSet` (activeDeadlineSeconds), `ValidateStatefulSetSpec`,
`validateRollingUpdateStatefulSet`, `ValidatePersistentVolumeClaimRetentionPolicyType`,
`validateVolumeClaimTemplates`, `volumesToAddForTemplates`, `ValidateDaemonSetSpec`,
`ValidateDaemonSetUpdateStrategy`, `ValidateRollingUpdateDaemonSet`,
`ValidatePositiveIntOrPercent`, `IsNotMoreThan100Percent`, `getIntOrPercentValue`;
`pkg/apis/core/validation/validation.go`: `ValidatePersistentVolumeClaimSpec`, `ValidateVolumes`
(the claim volume's name); the defaults in `pkg/apis/apps/v1/defaults.go`
(`SetDefaults_Deployment`, `SetDefaults_DaemonSet`, `SetDefaults_StatefulSet`) and
`pkg/apis/core/v1/defaults.go` (`SetDefaults_PersistentVolumeClaimSpec`); the
`MaxUnavailableStatefulSet` gate in `pkg/features/kube_features.go` and
`dropStatefulSetDisabledFields` in `pkg/registry/apps/statefulset/strategy.go`. Not checked:
PVC `dataSource` / `dataSourceRef` and `volumeAttributesClassName`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import (
    dns1123_label_errors,
    regex_error,
)
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._claim_spec import claim_spec_problems

Path = tuple[str | int, ...]
# (message, JSON path of the field, severity or None for the rule's)
Problem = tuple[str, Path, Severity | None]
NEGATIVE = "must be greater than or equal to 0"
PERCENT = regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%",
    "1%", "93%",
)  # fmt: skip
RETENTION = ("Retain", "Delete")
# kind -> the word in "activeDeadlineSeconds in <word> is not Supported"
KINDS = {"Deployment": "ReplicaSet", "StatefulSet": "StatefulSet", "DaemonSet": "DaemonSet"}


def _error(message: str, path: Path) -> Problem:
    return message, path, None


def _shown(value: Any) -> str:
    """An object value in a message, shortened."""
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = str(value)
    return f.brief(text)


def _nonnegative(body: dict[str, Any], key: str, base: Path) -> Iterator[Problem]:
    value = body.get(key)
    if f.is_int(value) and value < 0:
        yield _error(f.invalid((*base, key), value, NEGATIVE), (*base, key))


def _atoi(text: str) -> int:
    """Go's ``strconv.Atoi`` as ``IntOrString.IntValue`` uses it: 0 when it does not parse."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return 0
    if len(digits) > 18:  # Go clamps on overflow; only zero or not matters to the callers
        return -1 if text[0] == "-" else 1
    return int(text)


def _percent(value: Any) -> int | None:
    """``getPercentValue``: the number of a valid percent string, else None."""
    if isinstance(value, str) and len(value) > 1 and value.endswith("%"):
        digits = value[:-1]
        if digits.isascii() and digits.isdigit():
            return int(digits) if len(digits) <= 18 else 2**63 - 1  # Go clamps on overflow
    return None


def _int_or_percent(value: Any, path: Path, *, at_most_100: bool) -> tuple[list[Problem], int]:
    """ValidatePositiveIntOrPercent (and IsNotMoreThan100Percent), and getIntOrPercentValue."""
    problems: list[Problem] = []
    if isinstance(value, str):
        number = _percent(value)
        if number is None:
            problems.append(_error(f.invalid(path, value, PERCENT), path))
            return problems, _atoi(value)
        if at_most_100 and number > 100:
            problems.append(_error(f.invalid(path, value, "must not be greater than 100%"), path))
        return problems, number
    if value < 0:
        problems.append(_error(f.invalid(path, value, NEGATIVE), path))
    return problems, value


def _int_or_string(value: Any) -> bool:
    return f.is_int(value) or isinstance(value, str)


def _deployment(spec: dict[str, Any]) -> Iterator[Problem]:
    base: Path = ("spec",)
    for key in ("replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"):
        yield from _nonnegative(spec, key, base)
    ready = spec.get("minReadySeconds")
    ready = 0 if ready is None else ready
    deadline = spec.get("progressDeadlineSeconds")
    value = 600 if deadline is None else deadline  # SetDefaults_Deployment
    if f.is_int(value) and f.is_int(ready) and value <= ready:
        where = (*base, "progressDeadlineSeconds")
        msg = "must be greater than minReadySeconds"
        if deadline is None:
            msg += " (omitted, it defaults to 600)"
        yield _error(
            f.invalid(where, value, msg),
            where if deadline is not None else (*base, "minReadySeconds"),
        )
    strategy = spec.get("strategy")
    if strategy is None:
        return  # defaulted to RollingUpdate with 25% and 25%
    if not isinstance(strategy, dict):
        return
    path = (*base, "strategy")
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is not None:
            msg = "may not be specified when strategy `type` is 'Recreate'"
            yield _error(f.forbidden((*path, "rollingUpdate"), msg), (*path, "rollingUpdate"))
    elif kind == "RollingUpdate":
        if rolling is not None and not isinstance(rolling, dict):
            return
        rolling = rolling or {}
        ru = (*path, "rollingUpdate")
        unavailable = rolling.get("maxUnavailable")
        surge = rolling.get("maxSurge")
        unavailable = "25%" if unavailable is None else unavailable
        surge = "25%" if surge is None else surge
        if not (_int_or_string(unavailable) and _int_or_string(surge)):
            return  # a wrong type: the schema's business
        bad_u, u = _int_or_percent(unavailable, (*ru, "maxUnavailable"), at_most_100=True)
        bad_s, s = _int_or_percent(surge, (*ru, "maxSurge"), at_most_100=False)
        yield from bad_u
        yield from bad_s
        if u == 0 and s == 0:
            where = (*ru, "maxUnavailable")
            msg = "may not be 0 when `maxSurge` is 0"
            yield _error(f.invalid(where, unavailable, msg), where)
    elif isinstance(kind, str):
        where = (*path, "type")
        yield _error(f.not_supported(where, kind, ("Recreate", "RollingUpdate")), where)


def _daemonset(spec: dict[str, Any]) -> Iterator[Problem]:
    base: Path = ("spec",)
    for key in ("minReadySeconds", "revisionHistoryLimit"):
        yield from _nonnegative(spec, key, base)
    strategy = spec.get("updateStrategy")
    if strategy is None:
        return  # defaulted to RollingUpdate with maxUnavailable 1, maxSurge 0
    if not isinstance(strategy, dict):
        return
    path = (*base, "updateStrategy")
    kind = strategy.get("type") or "RollingUpdate"
    if kind == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if rolling is not None and not isinstance(rolling, dict):
            return
        rolling = rolling or {}
        ru = (*path, "rollingUpdate")
        unavailable = rolling.get("maxUnavailable")
        surge = rolling.get("maxSurge")
        unavailable = 1 if unavailable is None else unavailable
        surge = 0 if surge is None else surge
        if not (_int_or_string(unavailable) and _int_or_string(surge)):
            return
        bad_u, u = _int_or_percent(unavailable, (*ru, "maxUnavailable"), at_most_100=True)
        bad_s, s = _int_or_percent(surge, (*ru, "maxSurge"), at_most_100=True)
        yield from bad_u
        yield from bad_s
        if u != 0 and s != 0:
            where = (*ru, "maxSurge")
            msg = "may not be set when maxUnavailable is non-zero"
            if rolling.get("maxUnavailable") is None:
                msg += " (maxUnavailable is omitted and defaults to 1; set it to 0)"
            yield _error(f.invalid(where, surge, msg), where)
        elif u == 0 and s == 0:
            where = (*ru, "maxUnavailable")
            yield _error(f.required(where, "cannot be 0 when maxSurge is 0"), where)
    elif kind != "OnDelete" and isinstance(kind, str):
        where = (*path, "type")
        yield _error(f.not_supported(where, kind, ("RollingUpdate", "OnDelete")), where)


def _statefulset(spec: dict[str, Any]) -> Iterator[Problem]:
    base: Path = ("spec",)
    policy = spec.get("podManagementPolicy")
    if isinstance(policy, str) and policy and policy not in ("OrderedReady", "Parallel"):
        where = (*base, "podManagementPolicy")
        yield _error(f.invalid(where, policy, "must be 'OrderedReady' or 'Parallel'"), where)
    yield from _statefulset_strategy(spec.get("updateStrategy"), (*base, "updateStrategy"))
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    for key in ("whenDeleted", "whenScaled"):
        value = f.as_dict(retention).get(key)
        if isinstance(value, str) and value and value not in RETENTION:
            where = (*base, "persistentVolumeClaimRetentionPolicy", key)
            yield _error(f.not_supported(where, value, RETENTION), where)
    for key in ("replicas", "minReadySeconds"):
        yield from _nonnegative(spec, key, base)
    yield from _nonnegative(f.as_dict(spec.get("ordinals")), "start", (*base, "ordinals"))
    service = spec.get("serviceName")
    if isinstance(service, str) and service:
        where = (*base, "serviceName")
        for msg in dns1123_label_errors(service):
            yield _error(f.invalid(where, service, msg), where)
    for i, claim in enumerate(f.as_list(spec.get("volumeClaimTemplates"))):
        if isinstance(claim, dict):
            yield from _claim_template(claim, (*base, "volumeClaimTemplates", i))


def _statefulset_strategy(strategy: Any, path: Path) -> Iterator[Problem]:
    if not isinstance(strategy, dict):
        return  # omitted: RollingUpdate with partition 0
    kind = strategy.get("type") or "RollingUpdate"
    rolling = strategy.get("rollingUpdate")
    where = (*path, "rollingUpdate")
    if kind == "OnDelete":
        if rolling is not None:
            msg = "only allowed for updateStrategy 'RollingUpdate'"
            yield _error(
                f"{f.describe_path(where)}: Invalid value: {_shown(rolling)}: {msg}", where
            )
    elif kind == "RollingUpdate":
        if not isinstance(rolling, dict):
            return
        yield from _nonnegative(rolling, "partition", where)
        if rolling.get("maxUnavailable") is not None:
            at = (*where, "maxUnavailable")
            yield (
                f"{f.describe_path(at)}: ignored: the API server drops it unless the alpha "
                "feature gate MaxUnavailableStatefulSet is enabled (off by default in 1.34); "
                "pods are then updated one at a time",
                at,
                Severity.WARNING,
            )
    elif isinstance(kind, str):
        at = (*path, "type")
        yield _error(f.invalid(at, kind, "must be 'RollingUpdate' or 'OnDelete'"), at)


def _claim_template(claim: dict[str, Any], path: Path) -> Iterator[Problem]:
    """ValidatePersistentVolumeClaimSpec on the template's spec, and the claim's name as the
    pod volume volumesToAddForTemplates makes of it (ValidateVolumes)."""
    metadata = claim.get("metadata")
    name = f.as_dict(metadata).get("name")
    where = (*path, "metadata", "name")
    as_volume = "the StatefulSet adds the claim to its pods as a volume of this name"
    if name is None or name == "":
        yield _error(f.required(where, as_volume), where if name == "" else path)
    elif isinstance(name, str):
        for msg in dns1123_label_errors(name):
            yield _error(f.invalid(where, name, f"{msg} ({as_volume})"), where)
    spec = claim.get("spec")
    if spec is not None and not isinstance(spec, dict):
        return
    spec = spec or {}
    base = (*path, "spec")
    for msg, at in claim_spec_problems(spec, base):
        yield _error(msg, at)


def _template(resource: Resource, spec: dict[str, Any]) -> Iterator[Problem]:
    pod = f.as_dict(f.as_dict(spec.get("template")).get("spec"))
    if pod.get("activeDeadlineSeconds") is not None:
        at: Path = ("spec", "template", "spec", "activeDeadlineSeconds")
        msg = f"activeDeadlineSeconds in {KINDS[resource.kind]} is not Supported"
        yield _error(f.forbidden(at, msg), at)


CHECKS = {"Deployment": _deployment, "StatefulSet": _statefulset, "DaemonSet": _daemonset}


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.api_version != "apps/v1" or resource.kind not in CHECKS:
        return
    spec = resource.doc.get("spec")
    if not isinstance(spec, dict):
        return
    for message, path, severity in (*CHECKS[resource.kind](spec), *_template(resource, spec)):
        yield RULE.finding(resource, message, path, severity)


RULE = Rule(
    id="kubernetes-workload-spec",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="Deployment, StatefulSet, DaemonSet spec: strategies, counts, claim templates",
    check=check,
    kinds=frozenset(KINDS),
    severity_note="warning for a StatefulSet rollingUpdate.maxUnavailable (alpha, dropped)",
)
