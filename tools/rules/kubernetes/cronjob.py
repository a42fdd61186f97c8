"""The spec of a `batch/v1` CronJob, as the API server's CronJob validation checks it beyond the
schema (the Job spec in `jobTemplate` is [kubernetes-job](kubernetes-job.md)'s):

- a `schedule` that is empty or does not parse as the API server parses it: five fields
  (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or `jan`-`dec`, day of week 0-6 or
  `sun`-`sat`), each a comma list of `*`, `?`, `N`, `N-M`, with an optional `/step`; or a
  descriptor `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`,
  `@every <Go duration>` (exactly so: no seconds field, no `L`/`W`/`#`, descriptors in lower
  case);
- `TZ` anywhere in `schedule` (`TZ=`/`CRON_TZ=` prefixes are refused on create: use
  `timeZone`);
- a `timeZone` that is empty, `Local`, or not a name in the IANA time zone database;
- a `concurrencyPolicy` other than `Allow` (the default), `Forbid` or `Replace`;
- `startingDeadlineSeconds`, `successfulJobsHistoryLimit` or `failedJobsHistoryLimit` below 0;
- a name longer than 52 characters (the controller appends an 11-character suffix to name
  each Job).

## Why

The schema knows `schedule` and `timeZone` are strings. Whether the schedule parses and the
zone exists is decided by Go code (robfig/cron v3's standard parser, the Go tz database) when
the CronJob is applied.

## What happens in the cluster

The apply fails, e.g. `spec.schedule: Invalid value: "0 0 * * * *": expected exactly 5 fields,
found 6: [0 0 * * * *]` or `spec.timeZone: Invalid value: "Europe/Berln": unknown time zone
Europe/Berln`.

An existing CronJob whose schedule already holds `TZ` may keep it on update; this rule judges
manifests as new objects.

## How to fix

Write five fields (no seconds), or a descriptor; put the zone in `spec.timeZone`
(`Europe/Berlin`, `Etc/UTC`); keep the name at 52 characters or fewer.

The time zone lookup uses the IANA database Python's `zoneinfo` finds on this machine (the
system's, or the `tzdata` package), an approximation of the Go database the API server embeds:
a zone added or renamed in one release and not the other can be judged differently. When no
database is found, unknown names are not reported.

## Source

Kubernetes 1.34 `pkg/apis/batch/validation/validation.go`: `ValidateCronJobCreate`,
`validateCronJobSpec`, `validateScheduleFormat`, `validateTimeZone`,
`validateConcurrencyPolicy`; `pkg/apis/batch/v1/defaults.go` (`SetDefaults_CronJob`);
github.com/robfig/cron v3.0.1 `parser.go` (`ParseStandard`, `getField`, `getRange`,
`parseDescriptor`) and `spec.go` (the field bounds).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator, Mapping
from functools import cache

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr.durations import go_duration_ns
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._go import atoi, fields, trim_space

Path = tuple[str | int, ...]
POLICIES = ("Allow", "Forbid", "Replace")
NONNEGATIVE = ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit")
NEGATIVE = "must be greater than or equal to 0"
MAX_NAME = 52  # DNS1035LabelMaxLength - 11

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# minute, hour, day of month, month, day of week: (min, max, names) as in robfig's spec.go
BOUNDS: tuple[tuple[int, int, Mapping[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (0, 6, _DAYS),
)
DESCRIPTORS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_ZONE_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


def _int(text: str) -> tuple[int | None, str | None]:
    """robfig's mustParseInt: the number, or its error."""
    value = atoi(text)
    if value is None:
        digits = text[1:] if text[:1] in ("+", "-") else text
        reason = "value out of range" if digits.isascii() and digits.isdigit() else "invalid syntax"
        shown = f.show(text)
        return (
            None,
            f"failed to parse int from {f.brief(text)}: strconv.Atoi: parsing {shown}: {reason}",
        )
    if value < 0:
        return None, f"negative number ({value}) not allowed: {text}"
    return value, None


def _range(expr: str, low: int, high: int, names: Mapping[str, int]) -> str | None:
    """robfig's getRange: why ``expr`` (``N``, ``N-M``, ``*``, ``?``, with ``/step``) fails."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = low, high  # anything after "*-" is ignored, as robfig does
    else:
        bounds: list[int] = []
        if len(low_and_high) > 2:
            first = low_and_high[0]
            value = names.get(first.lower())
            if value is None:
                _, problem = _int(first)
                if problem:
                    return problem
            return f"too many hyphens: {expr}"
        for part in low_and_high:
            value = names.get(part.lower())
            if value is None:
                value, problem = _int(part)
                if problem or value is None:
                    return problem
            bounds.append(value)
        start, end = bounds[0], bounds[-1]
    step = 1
    if len(range_and_step) == 2:
        value, problem = _int(range_and_step[1])
        if problem or value is None:
            return problem
        step = value
        if len(low_and_high) == 1:
            end = high  # "N/step" means "N-max/step"
    elif len(range_and_step) > 2:
        return f"too many slashes: {expr}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return None


def schedule_problem(spec: str) -> str | None:
    """Why robfig/cron v3's ``ParseStandard`` refuses ``spec``, or None when it parses."""
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        if space < 0:
            return None  # robfig fails on it; the TZ check reports the schedule
        spec = trim_space(spec[space:])
    if spec.startswith("@"):
        if spec in DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            if go_duration_ns(spec[len("@every ") :]) is None:
                return f"failed to parse duration {spec}: time: invalid duration"
            return None
        return f"unrecognized descriptor: {spec}"
    parts = fields(spec)
    if len(parts) != len(BOUNDS):
        shown = f.brief("[" + " ".join(parts) + "]")
        return f"expected exactly {len(BOUNDS)} fields, found {len(parts)}: {shown}"
    for text, (low, high, names) in zip(parts, BOUNDS, strict=True):
        for expr in text.split(","):
            if expr:  # strings.FieldsFunc drops empty items: "1,,2" is 1,2
                problem = _range(expr, low, high, names)
                if problem:
                    return problem
    return None


@cache
def _have_zone_database() -> bool:
    try:
        zoneinfo.ZoneInfo("Etc/UTC")
    except Exception:  # no database: names cannot be judged
        return False
    return True


def _known_zone(name: str) -> bool | None:
    """Whether the tz database holds ``name``; None when there is no database to ask."""
    if name == "UTC":
        return True  # time.LoadLocation knows it without a database
    if not _have_zone_database():
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except Exception:  # not found, not a TZif file, a directory...
        return False
    return True


def zone_problem(zone: str) -> str | None:
    """validateTimeZone: why the API server refuses ``zone``."""
    if not zone:
        return "timeZone must be nil or non-empty string"
    unknown = f"unknown time zone {f.brief(zone)}"
    for part in zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _ZONE_PART.fullmatch(part):
            return unknown
    if zone.lower() == "local":
        return (
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
        )
    return unknown if _known_zone(zone) is False else None


def problems(resource: Resource) -> Iterator[tuple[str, Path]]:
    spec = f.as_dict(resource.doc.get("spec"))
    schedule = spec.get("schedule")
    where: Path = ("spec", "schedule")
    if schedule == "":
        yield f.required(where), where
    elif isinstance(schedule, str):
        problem = schedule_problem(schedule)
        if problem:
            yield f.invalid(where, schedule, problem), where
        if "TZ" in schedule:
            detail = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
            yield f.invalid(where, schedule, detail), where
    zone = spec.get("timeZone")
    if isinstance(zone, str):
        problem = zone_problem(zone)
        if problem:
            where = ("spec", "timeZone")
            yield f.invalid(where, zone, problem), where
    policy = spec.get("concurrencyPolicy")
    if isinstance(policy, str) and policy and policy not in POLICIES:
        where = ("spec", "concurrencyPolicy")
        yield f.not_supported(where, policy, POLICIES), where
    for name in NONNEGATIVE:
        value = spec.get(name)
        if f.is_int(value) and value < 0:
            where = ("spec", name)
            yield f.invalid(where, value, NEGATIVE), where
    own = f.as_dict(resource.doc.get("metadata")).get("name")
    if isinstance(own, str) and len(own) > MAX_NAME:
        where = ("metadata", "name")
        yield f.invalid(where, own, f"must be no more than {MAX_NAME} characters"), where


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.api_version != "batch/v1":
        return
    for message, where in problems(resource):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-cronjob",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="CronJob specs: schedule as the API server parses it, time zone, policy, limits",
    check=check,
    kinds=frozenset({"CronJob"}),
)
