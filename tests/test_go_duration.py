"""tools.dapr.durations.go_duration_ns: Go's time.ParseDuration, including its int64 overflow."""

from __future__ import annotations

import pytest

from tools.dapr.durations import go_duration_ns, parse_go_duration

MAX_NS = (1 << 63) - 1


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        ("1h30m", 5_400_000_000_000),
        ("250ms", 250_000_000),
        (".5s", 500_000_000),
        ("1.s", 1_000_000_000),
        ("+5s", 5_000_000_000),
        ("-1.5h", -5_400_000_000_000),
        ("5µs", 5_000),
        ("0", 0),
        ("-0", 0),
        ("2562047h", 2562047 * 3_600_000_000_000),
        ("9223372036854775807ns", MAX_NS),
        ("-9223372036854775808ns", -(1 << 63)),
    ],
)
def test_go_durations_parse(text: str, nanoseconds: int) -> None:
    assert go_duration_ns(text) == nanoseconds


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1",
        "10x",
        "1h 30m",
        ".s",
        "1e3s",
        " 5s",
        "2562048h",
        "9223372036854775808ns",
        "2562047h48m",
        "99999999999999999999s",
        "100000000000000000000h",
    ],
)
def test_go_durations_refused(text: str) -> None:
    assert go_duration_ns(text) is None


def test_catalog_durations_refuse_int64_overflow() -> None:
    assert parse_go_duration(" 2562047h ") == 2562047 * 3600.0
    assert parse_go_duration("2562048h") is None
    assert parse_go_duration("3000000h") is None


def test_long_input_is_linear() -> None:
    assert go_duration_ns("1s" * 50_000) == 50_000 * 1_000_000_000
    assert go_duration_ns("9" * 100_000 + "s") is None
