"""Cron schedules as ``bindings.cron`` and the Jobs API (robfig/cron) parse them."""

from __future__ import annotations

import re
from collections.abc import Mapping

from tools.dapr.durations import parse_go_duration

_CRON_DESCRIPTORS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# (low, high, names) for second, minute, hour, day of month, month, day of week.
_CRON_FIELDS: tuple[tuple[int, int, Mapping[str, int]], ...] = (
    (0, 59, {}),
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (0, 6, _DAYS),
)


def _cron_value(text: str, names: Mapping[str, int]) -> int | None:
    if text.lower() in names:
        return names[text.lower()]
    return int(text) if text.isdigit() and len(text) <= 18 else None


def _cron_field(text: str, low: int, high: int, names: Mapping[str, int]) -> bool:
    for part in text.split(","):
        body, _, step = part.partition("/")
        if step and (not step.isdigit() or len(step) > 18 or int(step) == 0):
            return False
        if body in {"*", "?"}:
            continue
        start_text, dash, end_text = body.partition("-")
        start = _cron_value(start_text, names)
        end = _cron_value(end_text, names) if dash else start
        if start is None or end is None or not low <= start <= end <= high:
            return False
    return True


def cron_schedule_problem(text: str, seconds: str = "optional") -> str | None:
    """Why a cron schedule is refused, or None when it parses.

    ``seconds="optional"`` is ``bindings.cron`` (5 or 6 fields); ``"required"`` is the Jobs API
    (exactly 6 fields, seconds first). Both take ``@every <duration>`` and the descriptors.
    """
    text = text.strip()
    if re.match(r"^(?:CRON_)?TZ=\S+\s", text):
        text = text.split(None, 1)[1].strip()
    if text.startswith("@"):
        if text.lower().startswith("@every "):
            duration = parse_go_duration(text[7:].strip())
            if duration is None or duration <= 0:
                return "'@every' needs a positive Go duration such as '@every 15m'"
            return None
        if text.lower() in _CRON_DESCRIPTORS:
            return None
        return f"unknown descriptor; use one of {', '.join(sorted(_CRON_DESCRIPTORS))} or @every"
    fields = text.split()
    allowed = (6,) if seconds == "required" else (5, 6)
    if len(fields) not in allowed:
        want = "6 fields (seconds first)" if seconds == "required" else "5 or 6 fields"
        return f"it has {len(fields)} field(s); a schedule has {want} or is a descriptor"
    specs = _CRON_FIELDS if len(fields) == 6 else _CRON_FIELDS[1:]
    for value, (low, high, names) in zip(fields, specs, strict=True):
        if not _cron_field(value, low, high, names):
            return f"field {value!r} is not a valid value, range, list or step ({low}-{high})"
    return None
