"""Durations as Go and Dapr read them: ``time.ParseDuration``, dapr/kit's metadata durations
(a Go duration or whole seconds) and the Jobs API's due times."""

from __future__ import annotations

import re

# Nanoseconds per unit, as Go's time.ParseDuration reads them (src/time/format.go, unitMap).
_GO_DURATION_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5 micro sign
    "μs": 1_000,  # U+03BC Greek mu
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_INT64_LIMIT = 1 << 63  # |math.MinInt64|; time.Duration is an int64 of nanoseconds


def go_duration_ns(text: str) -> int | None:
    """Nanoseconds in a Go ``time.ParseDuration`` string, or None where Go returns an error.

    Mirrors the Go algorithm: an optional sign, then one or more ``<number><unit>`` parts (a
    number may have a fraction, ``.5h``, ``1.h``); a bare ``0`` is zero; no spaces. Like Go,
    a value beyond an int64 of nanoseconds (about 2562047h47m) is refused, not wrapped. One
    pass over the text, no regular expression.
    """
    rest = text
    negative = False
    if rest[:1] in {"+", "-"}:
        negative = rest[0] == "-"
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        return None
    total = 0
    pos, end = 0, len(rest)
    while pos < end:
        start = pos
        whole = 0
        while pos < end and "0" <= rest[pos] <= "9":
            whole = whole * 10 + ord(rest[pos]) - 48
            if whole > _INT64_LIMIT:
                return None  # leadingInt overflows
            pos += 1
        has_whole = pos > start
        fraction, scale, has_fraction = 0, 1, False
        if pos < end and rest[pos] == ".":
            pos += 1
            fraction_start = pos
            overflowed = False
            while pos < end and "0" <= rest[pos] <= "9":
                if not overflowed:
                    candidate = fraction * 10 + ord(rest[pos]) - 48
                    if candidate > _INT64_LIMIT:
                        overflowed = True  # Go keeps the digits read so far and ignores the rest
                    else:
                        fraction, scale = candidate, scale * 10
                pos += 1
            has_fraction = pos > fraction_start
        if not has_whole and not has_fraction:
            return None
        unit_start = pos
        while pos < end and rest[pos] != "." and not "0" <= rest[pos] <= "9":
            pos += 1
        unit = _GO_DURATION_UNITS.get(rest[unit_start:pos])
        if unit is None:
            return None  # missing or unknown unit
        if whole > _INT64_LIMIT // unit:
            return None
        value = whole * unit
        if fraction:
            value += int(float(fraction) * (float(unit) / float(scale)))
            if value > _INT64_LIMIT:
                return None
        total += value
        if total > _INT64_LIMIT:
            return None
    if negative:
        return -total
    return total if total < _INT64_LIMIT else None


def parse_go_duration(text: str) -> float | None:
    """Seconds in a Go ``time.ParseDuration`` string (``1h30m``, ``250ms``); None if invalid,
    including a value that overflows Go's int64 nanoseconds. Surrounding spaces are ignored."""
    nanoseconds = go_duration_ns(text.strip())
    return None if nanoseconds is None else nanoseconds / 1e9


def parse_metadata_duration(text: str) -> float | None:
    """A component metadata duration as dapr/kit decodes it: a Go duration, else an integer
    number of seconds. Empty means zero."""
    text = text.strip()
    if not text:
        return 0.0
    seconds = parse_go_duration(text)
    if seconds is not None:
        return seconds
    if re.fullmatch(r"[+-]?[0-9]{1,18}", text):  # a 64-bit integer, as the code reads it
        return float(int(text))
    return None


_ISO_DURATION = re.compile(
    r"^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$")


def parse_job_time(text: str) -> str | None:
    """How the Jobs API (and the Scheduler) reads a ``dueTime``/``ttl``: ``"rfc3339"``,
    ``"duration"`` (Go duration, relative to creation) or ``"iso8601"`` (a non-repeating ISO
    8601 duration); None when it accepts none of them. A bare integer is not accepted here,
    unlike component metadata durations."""
    text = text.strip()
    if _RFC3339.match(text):
        return "rfc3339"
    if parse_go_duration(text) is not None and text not in {"", "+", "-"}:
        return "duration"
    if _ISO_DURATION.match(text):
        return "iso8601"
    return None
