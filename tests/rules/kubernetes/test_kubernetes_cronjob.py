"""kubernetes-cronjob: schedule, time zone, policy and limits of a CronJob spec."""

from __future__ import annotations

import pytest
from k8s_rule_util import errors, run
from pod_text import CRONJOB

from tools.rules.kubernetes.cronjob import RULE, schedule_problem, zone_problem


def cron(schedule: str = "*/5 * * * *", *fields: str) -> str:
    text = CRONJOB.replace('schedule: "*/5 * * * *"', f"schedule: {schedule!r}".replace("'", '"'))
    return text.replace("  jobTemplate:", "".join(f"  {f}\n" for f in fields) + "  jobTemplate:")


VALID_SCHEDULES = [
    "0 3 * * *",
    "*/15 9-17 * * mon-fri",
    "0 0 1 JAN,jul ?",
    "5/10 * * * *",  # N/step means N-max/step
    "*-7 * * * *",  # robfig ignores what follows "*-"
    "1,,2 * * * *",  # empty list items are dropped
    "+5 * * * *",  # strconv.Atoi takes a sign
    "0 0 30 2 *",  # parses, never runs
    "@hourly",
    "@midnight",
    "@every 1h30m",
    "0\t0 * *  *",
]


@pytest.mark.parametrize("schedule", VALID_SCHEDULES)
def test_schedules_the_api_server_parses(schedule: str) -> None:
    assert schedule_problem(schedule) is None
    assert errors(RULE, cron(schedule)) == []


REFUSED_SCHEDULES = {
    "0 0 * * * *": "expected exactly 5 fields, found 6: [0 0 * * * *]",
    "* * * *": "expected exactly 5 fields, found 4",
    "0 24 * * *": "end of range (24) above maximum (23): 24",
    "0 0 0 * *": "beginning of range (0) below minimum (1): 0",
    "0 0 * 13 *": "end of range (13) above maximum (12): 13",
    "0 0 * * 7": "end of range (7) above maximum (6): 7",
    "10-5 * * * *": "beginning of range (10) beyond end of range (5): 10-5",
    "*/0 * * * *": "step of range should be a positive number: */0",
    "1-2-3 * * * *": "too many hyphens: 1-2-3",
    "1/2/3 * * * *": "too many slashes: 1/2/3",
    "0 0 L * *": 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax',
    "0 0 * * 1#2": 'parsing "1#2": invalid syntax',
    "@HOURLY": "unrecognized descriptor: @HOURLY",
    "@reboot": "unrecognized descriptor: @reboot",
    "@every 5 minutes": "failed to parse duration @every 5 minutes",
}


@pytest.mark.parametrize("schedule", sorted(REFUSED_SCHEDULES))
def test_schedules_the_api_server_refuses(schedule: str) -> None:
    (finding,) = run(RULE, cron(schedule))
    assert finding.path == "/spec/schedule"
    assert finding.message.startswith(f'spec.schedule: Invalid value: "{schedule}": ')
    assert REFUSED_SCHEDULES[schedule] in finding.message


def test_tz_in_the_schedule_is_refused() -> None:
    assert errors(RULE, cron("CRON_TZ=Europe/Berlin 0 3 * * *")) == [
        'spec.schedule: Invalid value: "CRON_TZ=Europe/Berlin 0 3 * * *": cannot use TZ or '
        "CRON_TZ in schedule, use timeZone field instead"
    ]
    assert len(errors(RULE, cron("TZ=UTC"))) == 1
    assert errors(
        RULE,
        cron(
            "",
        ),
    ) == ["spec.schedule: Required value"]


def test_time_zones() -> None:
    assert errors(RULE, cron("0 3 * * *", "timeZone: Europe/Berlin")) == []
    assert errors(RULE, cron("0 3 * * *", "timeZone: Etc/UTC")) == []
    assert errors(RULE, cron("0 3 * * *", "timeZone: UTC")) == []
    (message,) = errors(RULE, cron("0 3 * * *", "timeZone: Europe/Berln"))
    assert message == 'spec.timeZone: Invalid value: "Europe/Berln": unknown time zone Europe/Berln'
    assert zone_problem("Local") == (
        "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
    )
    assert zone_problem("") == "timeZone must be nil or non-empty string"
    for name in ("../etc/passwd", "/UTC", "Europe//Berlin", "-x", "a" * 15, "utc", "America"):
        assert zone_problem(name) is not None, name


def test_policy_limits_and_name() -> None:
    text = cron(
        "0 3 * * *",
        "concurrencyPolicy: forbid",
        "startingDeadlineSeconds: -1",
        "successfulJobsHistoryLimit: -2",
        "failedJobsHistoryLimit: 0",
    )
    assert errors(RULE, text) == [
        'spec.concurrencyPolicy: Unsupported value: "forbid": supported values: "Allow", '
        '"Forbid", "Replace"',
        "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0",
        "spec.successfulJobsHistoryLimit: Invalid value: -2: must be greater than or equal to 0",
    ]
    ok = cron("0 3 * * *", "concurrencyPolicy: Replace", "startingDeadlineSeconds: 0")
    assert errors(RULE, ok.replace("name: c,", "name: " + "c" * 52 + ",")) == []
    (finding,) = run(RULE, ok.replace("name: c,", "name: " + "c" * 53 + ","))
    assert finding.path == "/metadata/name"
    assert finding.message.endswith("must be no more than 52 characters")


def test_hostile_values_do_not_crash() -> None:
    for schedule in ("9" * 40 + " * * * *", "*/" + "9" * 30 + " * * * *", "-", "/", ",", "@"):
        schedule_problem(schedule)
    run(
        RULE,
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n"
        "spec: {schedule: [1], timeZone: 3}\n",
    )
