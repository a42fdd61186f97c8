"""The spec of a `batch/v1` Job, and the Job spec inside a CronJob's `jobTemplate`, as the API
server's Job validation checks it beyond the schema and the pod template:

- `parallelism`, `completions`, `activeDeadlineSeconds`, `backoffLimit`,
  `ttlSecondsAfterFinished`, `backoffLimitPerIndex` or `maxFailedIndexes` below 0;
- a `completionMode` other than `NonIndexed` or `Indexed`; an `Indexed` Job without
  `completions` (a Job that sets neither `completions` nor `parallelism` gets `completions: 1`
  by default — a CronJob's `jobTemplate` is not defaulted that way), with `parallelism` above
  100000, or with `maxFailedIndexes` above `completions` or 100000 (and the tighter limits
  when `completions` is above 100000 with `backoffLimitPerIndex`);
- `backoffLimitPerIndex` or `maxFailedIndexes` without `Indexed` mode, `maxFailedIndexes`
  without `backoffLimitPerIndex`; a `managedBy` that is not a domain-prefixed path of at most
  63 characters;
- a `podFailurePolicy` with more than 20 rules, an unknown `action` (`FailIndex` needs
  `backoffLimitPerIndex`), a rule with both or neither of `onExitCodes` and
  `onPodConditions`, an `onExitCodes` with an unknown `operator`, no values, more than 255,
  duplicate or unordered values, `0` under `In`, or a `containerName` that is no container of
  the template; an `onPodConditions` pattern whose `type` is not a qualified name or whose
  `status` is not `True`, `False` or `Unknown`;
- a `successPolicy` without `Indexed` mode, without rules, with more than 20, or with a rule
  whose `succeededIndexes` does not parse (`"0-3,7"`, increasing, below `completions`) or whose
  `succeededCount` is negative or above `completions` or the number of indexes named;
- a `podReplacementPolicy` other than `Failed` or `TerminatingOrFailed` (only `Failed` with a
  `podFailurePolicy`);
- for a Job: `manualSelector: true` without a `selector`, or a `selector` that is invalid or
  does not select the template's labels; without `manualSelector`, a `selector` that does not
  select the labels the API server generates (`` `selector` not auto-generated ``): the Job's
  name and its uid, a fresh value assigned on create, so a selector asking for a particular
  `controller-uid` is refused too; template labels `batch.kubernetes.io/job-name`/`job-name`
  other than the Job's name, or `batch.kubernetes.io/controller-uid`/`controller-uid` set at
  all; an `Indexed` Job whose name plus `-<completions-1>` is not a DNS label (its pods'
  hostnames);
- for a CronJob's `jobTemplate`: a `selector` at all, or `manualSelector: true`.

The template's `restartPolicy` (`OnFailure` or `Never`, `Never` with a `podFailurePolicy`) is
reported by [kubernetes-pod-restart-policy](kubernetes-pod-restart-policy.md), the pod
template by the other pod rules.

## Why

The schema gives only the types. The value ranges, the pairing of fields and the selector
that the Job controller relies on are Go validation, run when the Job or CronJob is applied.

## What happens in the cluster

The apply fails, e.g. `spec.completions: Required value: when completion mode is Indexed` or
`spec.selector: Invalid value: ...: `selector` not auto-generated`. For a CronJob the error
comes when the CronJob itself is applied, not at its first run.

## How to fix

Keep counts and durations at 0 or above; give an `Indexed` Job its `completions`; use
`backoffLimitPerIndex`, `maxFailedIndexes` and `successPolicy` only with `Indexed`; leave
`selector` out and let the API server generate it (set `manualSelector: true` only when you
mean to manage the pod labels yourself, and never in a CronJob).

## Source

Kubernetes 1.34 `pkg/apis/batch/validation/validation.go`: `ValidateJob`, `ValidateJobSpec`,
`validateJobSpec`, `validatePodFailurePolicy`, `validatePodFailurePolicyRule`,
`validatePodFailurePolicyRuleOnExitCodes`, `validatePodFailurePolicyRuleOnPodConditions`,
`validateSuccessPolicy`, `validateSuccessPolicyRule`, `validateIndexesFormat`,
`validatePodReplacementPolicy`, `validateGeneratedSelector`, `ValidateJobTemplateSpec`; the
defaults in `pkg/apis/batch/v1/defaults.go` (`SetDefaults_Job`,
`SetDefaults_PodFailurePolicyOnPodConditionsPattern`) and the generated selector in
`pkg/registry/batch/job/strategy.go` (`generateSelector`); k8s.io/apimachinery v0.34
`IsDomainPrefixedPath`. Every Job feature gate read here is on by default in 1.34.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import (
    dns1123_label_errors,
    dns1123_subdomain_errors,
    qualified_name_errors,
    regex_error,
)
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._field import Key
from tools.rules.kubernetes._go import atoi
from tools.rules.kubernetes._selector import selector_messages, selects

Path = tuple[str | int, ...]
Problems = Iterator[tuple[str, Path]]

NONNEGATIVE = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
               "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes")  # fmt: skip
NEGATIVE = "must be greater than or equal to 0"  # IsNegativeErrorMsg
MODES = ("NonIndexed", "Indexed")
MAX_INDEXED_PARALLELISM = 100_000
MAX_FAILED_INDEXES = 100_000
COMPLETIONS_SOFT_LIMIT = 100_000
HIGH_COMPLETIONS_PARALLELISM = 10_000
HIGH_COMPLETIONS_FAILED_INDEXES = 10_000
MAX_MANAGED_BY = 63
ACTIONS = ("Count", "FailIndex", "FailJob", "Ignore")  # sets.List: sorted
OPERATORS = ("In", "NotIn")
STATUSES = ("False", "True", "Unknown")
MAX_FAILURE_RULES = 20
MAX_EXIT_CODES = 255
MAX_CONDITION_PATTERNS = 20
MAX_SUCCESS_RULES = 20
MAX_SUCCEEDED_INDEXES = 64 * 1024
REPLACEMENT = ("Failed", "TerminatingOrFailed")
JOB_NAME_LABELS = ("batch.kubernetes.io/job-name", "job-name")
UID_LABELS = ("batch.kubernetes.io/controller-uid", "controller-uid")
# Stands for the uid the API server gives a new Job: equal to no value of a manifest.
SERVER_UID = object()
_HTTP_PATH_FMT = r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+"
_HTTP_PATH = re.compile(r"[A-Za-z0-9/\-._~%!$&'()*+,;=:]+")


def _int(spec: dict[str, Any], name: str) -> int | None:
    value = spec.get(name)
    return value if f.is_int(value) else None


def _too_many(path: Path, count: int, limit: int) -> str:
    return f"{f.describe_path(path)}: Too many: {count}: must have at most {limit} items"


def _counts(spec: dict[str, Any], base: Path, defaulted: bool) -> Problems:
    for name in NONNEGATIVE:
        value = _int(spec, name)
        if value is not None and value < 0:
            yield f.invalid((*base, name), value, NEGATIVE), (*base, name)
    parallelism, completions = _int(spec, "parallelism"), _int(spec, "completions")
    per_index, max_failed = _int(spec, "backoffLimitPerIndex"), _int(spec, "maxFailedIndexes")
    has_per_index = spec.get("backoffLimitPerIndex") is not None
    has_max_failed = spec.get("maxFailedIndexes") is not None
    if has_max_failed and not has_per_index:
        where = (*base, "backoffLimitPerIndex")
        yield f.required(where, "when maxFailedIndexes is specified"), (*base, "maxFailedIndexes")
    mode = spec.get("completionMode")
    if isinstance(mode, str) and mode not in MODES:
        where = (*base, "completionMode")
        yield f.not_supported(where, mode, MODES), where
    if mode == "Indexed":
        # SetDefaults_Job sets completions (and parallelism) to 1 when both are unset; a
        # CronJob's jobTemplate gets no such default.
        if spec.get("completions") is None and not (defaulted and spec.get("parallelism") is None):
            where = (*base, "completions")
            yield f.required(where, "when completion mode is Indexed"), (*base, "completionMode")
        if parallelism is not None and parallelism > MAX_INDEXED_PARALLELISM:
            where = (*base, "parallelism")
            detail = (
                f"must be less than or equal to {MAX_INDEXED_PARALLELISM} when completion mode "
                "is Indexed"
            )
            yield f.invalid(where, parallelism, detail), where
        where = (*base, "maxFailedIndexes")
        if completions is not None and max_failed is not None and max_failed > completions:
            yield f.invalid(where, max_failed, "must be less than or equal to completions"), where
        if max_failed is not None and max_failed > MAX_FAILED_INDEXES:
            detail = f"must be less than or equal to {MAX_FAILED_INDEXES}"
            yield f.invalid(where, max_failed, detail), where
        if completions is not None and completions > COMPLETIONS_SOFT_LIMIT and has_per_index:
            tail = (
                f"when completions are above {COMPLETIONS_SOFT_LIMIT} and used with backoff "
                "limit per index"
            )
            if not has_max_failed:
                detail = f"must be specified when completions is above {COMPLETIONS_SOFT_LIMIT}"
                yield f.required(where, detail), (*base, "completions")
            if parallelism is not None and parallelism > HIGH_COMPLETIONS_PARALLELISM:
                detail = f"must be less than or equal to {HIGH_COMPLETIONS_PARALLELISM} {tail}"
                yield f.invalid((*base, "parallelism"), parallelism, detail), (*base, "parallelism")
            if max_failed is not None and max_failed > HIGH_COMPLETIONS_FAILED_INDEXES:
                detail = f"must be less than or equal to {HIGH_COMPLETIONS_FAILED_INDEXES} {tail}"
                yield f.invalid(where, max_failed, detail), where
    elif mode is None or mode == "NonIndexed":
        for name, value in (("backoffLimitPerIndex", per_index), ("maxFailedIndexes", max_failed)):
            if value is not None:
                where = (*base, name)
                yield f.invalid(where, value, "requires indexed completion mode"), where


def _managed_by(spec: dict[str, Any], base: Path) -> Problems:
    value = spec.get("managedBy")
    if not isinstance(value, str):
        return
    where = (*base, "managedBy")
    if not value:
        yield f.required(where), where
    else:
        host, slash, rest = value.partition("/")
        if not slash or not host or not rest:
            detail = 'must be a domain-prefixed path (such as "acme.io/foo")'
            yield f.invalid(where, value, detail), where
        else:
            for msg in dns1123_subdomain_errors(host):
                yield f.invalid(where, host, msg), where
            if not _HTTP_PATH.fullmatch(rest):
                yield f.invalid(where, rest, regex_error("Invalid path", _HTTP_PATH_FMT)), where
    if len(value) > MAX_MANAGED_BY:
        yield f.too_long(where, MAX_MANAGED_BY), where


def _container_names(spec: dict[str, Any]) -> set[str]:
    pod = f.as_dict(f.as_dict(spec.get("template")).get("spec"))
    return {
        c["name"]
        for key in ("containers", "initContainers")
        for c in f.as_list(pod.get(key))
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    }


def _exit_codes(req: dict[str, Any], path: Path, names: set[str]) -> Problems:
    operator = req.get("operator")
    where = (*path, "operator")
    if operator == "":
        yield f.required(where, 'valid values: ["In" "NotIn"]'), where
    elif isinstance(operator, str) and operator not in OPERATORS:
        yield f.not_supported(where, operator, OPERATORS), where
    container = req.get("containerName")
    if isinstance(container, str) and container not in names:
        where = (*path, "containerName")
        detail = "must be one of the container or initContainer names in the pod template"
        yield f.invalid(where, container, detail), where
    values = req.get("values")
    if not isinstance(values, list):
        return  # left out or another type: the schema's required field and types
    where = (*path, "values")
    if not values:
        yield f"{f.describe_path(where)}: Invalid value: []: at least one value is required", where
    elif len(values) > MAX_EXIT_CODES:
        yield _too_many(where, len(values), MAX_EXIT_CODES), where
    seen: set[int] = set()
    previous: int | None = None
    ordered = True
    for j, value in enumerate(values):
        if not f.is_int(value):
            continue
        if operator == "In" and value == 0:
            yield f.invalid((*where, j), value, "must not be 0 for the In operator"), (*where, j)
        if value in seen:
            yield f.duplicate((*where, j), value), (*where, j)
        seen.add(value)
        if previous is not None and previous > value:
            ordered = False
        previous = value
    if not ordered:
        shown = "[" + " ".join(str(v) for v in values[:10]) + (" ...]" if len(values) > 10 else "]")
        yield f.invalid(where, shown, "must be ordered"), where


def _conditions(patterns: list[Any], path: Path) -> Problems:
    if len(patterns) > MAX_CONDITION_PATTERNS:
        yield _too_many(path, len(patterns), MAX_CONDITION_PATTERNS), path
    for j, item in enumerate(patterns):
        pattern = f.as_dict(item)
        kind = pattern.get("type")
        if isinstance(kind, str):
            where = (*path, j, "type")
            for msg in qualified_name_errors(kind):
                yield f.invalid(where, kind, msg), where
        status = pattern.get("status")
        # SetDefaults_PodFailurePolicyOnPodConditionsPattern: an empty status becomes True.
        if isinstance(status, str) and status and status not in STATUSES:
            where = (*path, j, "status")
            yield f.not_supported(where, status, STATUSES), where


def _failure_policy(spec: dict[str, Any], base: Path) -> Problems:
    policy = spec.get("podFailurePolicy")
    if not isinstance(policy, dict):
        return
    rules = f.as_list(policy.get("rules"))
    rules_path = (*base, "podFailurePolicy", "rules")
    if len(rules) > MAX_FAILURE_RULES:
        yield _too_many(rules_path, len(rules), MAX_FAILURE_RULES), rules_path
    names = _container_names(spec)
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        path = (*rules_path, i)
        action = rule.get("action")
        where = (*path, "action")
        if action == "":
            yield f.required(where, 'valid values: ["Count" "FailIndex" "FailJob" "Ignore"]'), where
        elif action == "FailIndex":
            if spec.get("backoffLimitPerIndex") is None:
                detail = "requires the backoffLimitPerIndex to be set"
                yield f.invalid(where, action, detail), where
        elif isinstance(action, str) and action not in ACTIONS:
            yield f.not_supported(where, action, ACTIONS), where
        exit_codes = rule.get("onExitCodes")
        conditions = f.as_list(rule.get("onPodConditions"))
        if isinstance(exit_codes, dict):
            yield from _exit_codes(exit_codes, (*path, "onExitCodes"), names)
        if conditions:
            yield from _conditions(conditions, (*path, "onPodConditions"))
        if exit_codes is not None and conditions:
            detail = "specifying both OnExitCodes and OnPodConditions is not supported"
            yield f"{f.describe_path(path)}: Invalid value: {detail}", path
        if exit_codes is None and not conditions:
            detail = "specifying one of OnExitCodes and OnPodConditions is required"
            yield f"{f.describe_path(path)}: Invalid value: {detail}", path


def _indexes(text: str, completions: int) -> tuple[int, str | None]:
    """validateIndexesFormat: the number of indexes in ``"1,3-5"``, or why it does not parse."""
    if not text:
        return 0, None
    last: int | None = None
    total = 0
    for interval in text.split(","):
        limits = interval.split("-")
        if len(limits) > 2:
            return 0, (
                f"the fragment {f.show(interval)} violates the requirement that an index "
                "interval can have at most two parts separated by '-'"
            )
        numbers = []
        for limit in limits:
            number = atoi(limit)
            if number is None:
                return 0, f"cannot convert string to integer for index: {f.show(limit)}"
            if number >= completions:
                return 0, f"too large index: {f.show(limit)}"
            numbers.append(number)
        low, high = numbers[0], numbers[-1]
        if len(numbers) == 2 and low >= high:
            return 0, f"non-increasing order, previous: {low}, current: {high}"
        if last is not None and last >= low:
            return 0, f"non-increasing order, previous: {last}, current: {low}"
        total += high - low + 1
        last = high
    return total, None


def _success_policy(spec: dict[str, Any], base: Path) -> Problems:
    policy = spec.get("successPolicy")
    if not isinstance(policy, dict):
        return
    path = (*base, "successPolicy")
    if spec.get("completionMode") != "Indexed":
        yield f"{f.describe_path(path)}: Invalid value: requires indexed completion mode", path
        return
    completions = _int(spec, "completions")
    if completions is None:
        return  # reported above (Required value when completion mode is Indexed)
    rules = f.as_list(policy.get("rules"))
    rules_path = (*path, "rules")
    if not rules:
        detail = "at least one rules must be specified when the successPolicy is specified"
        yield f.required(rules_path, detail), path
    if len(rules) > MAX_SUCCESS_RULES:
        yield _too_many(rules_path, len(rules), MAX_SUCCESS_RULES), rules_path
    for i, item in enumerate(rules):
        rule = f.as_dict(item)
        where = (*rules_path, i)
        count, indexes = rule.get("succeededCount"), rule.get("succeededIndexes")
        if count is None and indexes is None:
            detail = "at least one of succeededCount or succeededIndexes must be specified"
            yield f.required(where, detail), where
        total = 0
        if isinstance(indexes, str):
            at = (*where, "succeededIndexes")
            if len(indexes) > MAX_SUCCEEDED_INDEXES:
                yield f.too_long(at, MAX_SUCCEEDED_INDEXES), at
            total, problem = _indexes(indexes, completions)
            if problem:
                yield f.invalid(at, indexes, f"error parsing succeededIndexes: {problem}"), at
        if f.is_int(count):
            at = (*where, "succeededCount")
            if count < 0:
                yield f.invalid(at, count, NEGATIVE), at
            if count > completions:
                detail = (
                    f"must be less than or equal to {completions} (the number of specified "
                    "completions)"
                )
                yield f.invalid(at, count, detail), at
            if isinstance(indexes, str) and count > total:
                detail = (
                    f"must be less than or equal to {total} (the number of indexes in the "
                    "specified succeededIndexes field)"
                )
                yield f.invalid(at, count, detail), at


def _replacement(spec: dict[str, Any], base: Path) -> Problems:
    value = spec.get("podReplacementPolicy")
    if not isinstance(value, str):
        return
    where = (*base, "podReplacementPolicy")
    allowed = ("Failed",) if spec.get("podFailurePolicy") is not None else REPLACEMENT
    if value not in allowed:
        yield f.not_supported(where, value, allowed), where


def _job_selector(resource: Resource, spec: dict[str, Any]) -> Problems:
    """ValidateJobSpec's selector checks and validateGeneratedSelector, after generateSelector."""
    template = f.as_dict(spec.get("template"))
    labels = f.as_dict(f.as_dict(template.get("metadata")).get("labels"))
    selector = spec.get("selector")
    labels_path = ("spec", "template", "metadata", "labels")
    if spec.get("manualSelector") is True:
        if selector is None:
            yield f.required(("spec", "selector")), ("spec",)
            return
        if not isinstance(selector, dict):
            return
        problems = list(selector_messages(("spec", "selector"), selector))
        yield from problems
        if not problems and not selects(selector, labels):
            yield (
                f"{f.describe_path(labels_path)}: Invalid value: {_shown(labels)}: `selector` "
                "does not match template `labels`",
                labels_path if labels else ("spec", "template"),
            )
        return
    name = f.as_dict(resource.doc.get("metadata")).get("name")
    if not isinstance(name, str) or not name:
        return
    for key in JOB_NAME_LABELS:
        value = labels.get(key)
        if key in labels and value != name:
            where = (*labels_path, Key(key))
            yield (
                f"{f.describe_path(where)}: Invalid value: must be '{f.brief(name)}'",
                (
                    *labels_path,
                    key,
                ),
            )
    for key in UID_LABELS:
        if key in labels:
            where = (*labels_path, Key(key))
            detail = "must be the Job's uid, which the API server assigns"
            yield f"{f.describe_path(where)}: Invalid value: {detail}", (*labels_path, key)
    if not isinstance(selector, dict):
        return
    problems = list(selector_messages(("spec", "selector"), selector))
    yield from problems
    if problems:
        return
    # generateSelector labels the pods with the Job's name and uid; the uid is a fresh UUID
    # the API server assigns on create (FillObjectMetaSystemFields), equal to no value written.
    expected: dict[str, Any] = {key: name for key in JOB_NAME_LABELS}
    expected.update({key: SERVER_UID for key in UID_LABELS})
    if not selects(selector, expected):
        hint = (
            "; its controller-uid value must be the Job's uid, which the API server assigns on "
            "create"
            if selector_mentions_uid(selector)
            else ""
        )
        yield (
            "spec.selector: Invalid value: `selector` not auto-generated (leave it out, or set "
            f"manualSelector: true){hint}",
            ("spec", "selector"),
        )
    generated = {**expected, **labels}
    if not selects(selector, generated):
        yield (
            f"{f.describe_path(labels_path)}: Invalid value: {_shown(labels)}: `selector` does "
            "not match template `labels`",
            labels_path if labels else ("spec", "template"),
        )


def selector_mentions_uid(selector: dict[str, Any]) -> bool:
    """A selector naming a controller-uid label, whose value would have to be the Job's uid."""
    keys = {k for k in f.as_dict(selector.get("matchLabels")) if isinstance(k, str)}
    for expression in f.as_list(selector.get("matchExpressions")):
        key = f.as_dict(expression).get("key")
        if isinstance(key, str):
            keys.add(key)
    return any(key in keys for key in UID_LABELS)


def _shown(labels: dict[str, Any]) -> str:
    return (
        "{"
        + ", ".join(f"{f.brief(k, 40)}={f.brief(v, 40)}" for k, v in list(labels.items())[:5])
        + "}"
    )


def _indexed_hostname(resource: Resource, spec: dict[str, Any]) -> Problems:
    """ValidateJob: the last index's pod hostname, <name>-<completions-1>, must be a DNS label."""
    completions = _int(spec, "completions")
    name = f.as_dict(resource.doc.get("metadata")).get("name")
    if spec.get("completionMode") != "Indexed" or completions is None or completions <= 0:
        return
    if not isinstance(name, str) or not name:
        return
    hostname = f"{name}-{completions - 1}"
    if dns1123_label_errors(hostname):
        where = ("metadata", "name")
        detail = f"will not able to create pod with invalid DNS label: {f.brief(hostname)}"
        yield f.invalid(where, name, detail), where


def _template_selector(spec: dict[str, Any], base: Path) -> Problems:
    """ValidateJobTemplateSpec: a CronJob's jobs always get a generated selector."""
    selector = spec.get("selector")
    if selector is not None:
        where = (*base, "selector")
        yield f"{f.describe_path(where)}: Invalid value: `selector` will be auto-generated", where
    if spec.get("manualSelector") is True:
        where = (*base, "manualSelector")
        yield f.not_supported(where, True, ("nil", "false")), where


def problems(resource: Resource) -> Problems:
    spec = f.as_dict(resource.doc.get("spec"))
    if resource.kind == "CronJob":
        base: Path = ("spec", "jobTemplate", "spec")
        spec = f.as_dict(f.as_dict(spec.get("jobTemplate")).get("spec"))
    else:
        base = ("spec",)
    if not spec:
        return
    yield from _counts(spec, base, defaulted=resource.kind == "Job")
    yield from _managed_by(spec, base)
    yield from _failure_policy(spec, base)
    yield from _success_policy(spec, base)
    yield from _replacement(spec, base)
    if resource.kind == "Job":
        yield from _job_selector(resource, spec)
        yield from _indexed_hostname(resource, spec)
    else:
        yield from _template_selector(spec, base)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.api_version != "batch/v1":
        return
    for message, where in problems(resource):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-job",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="Job specs (and CronJob job templates): counts, completion mode, policies, selector",
    check=check,
    kinds=frozenset({"Job", "CronJob"}),
)
