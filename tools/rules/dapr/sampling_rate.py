"""dapr-sampling-rate: ``tracing.samplingRate`` must be a number Go's ``strconv.ParseFloat``
reads; anything else silently becomes a rate of 0.0001 (one trace in ten thousand)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

# Go float literals as strconv.ParseFloat reads them: decimal with optional exponent, or hex
# with a mandatory p exponent; an underscore only between two digits; inf/infinity/nan in any
# case. No spaces, no percent sign.
_DIGITS = "[0-9]+(?:_[0-9]+)*"
_HEX = "[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*"
_GO_FLOAT = re.compile(
    rf"[+-]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
    rf"|0[xX]_?(?:{_HEX}(?:\.(?:{_HEX})?)?|\.{_HEX})[pP][+-]?{_DIGITS}"
    r"|(?i:inf|infinity))|(?i:nan)"
)
DEFAULT_RATE = "0.0001"


def go_float(text: str) -> float | None:
    """The value ParseFloat returns without error, or None where it fails (bad syntax, or a
    magnitude beyond float64, which Go reports as a range error)."""
    if len(text) > 400 or not _GO_FLOAT.fullmatch(text):
        return None
    body = text.replace("_", "")
    try:
        value = float.fromhex(body) if "x" in body.lower() else float(body)
    except (ValueError, OverflowError):
        return None
    if math.isinf(value) and "inf" not in body.lower():
        return None
    return value


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    rate = dm.dig(resource.doc, "spec", "tracing", "samplingRate")
    if not isinstance(rate, str):
        return  # absent, or not a string: the CRD schema reports the type
    path = ("spec", "tracing", "samplingRate")
    if rate == "":
        yield RULE.finding(
            resource,
            f"samplingRate is empty, so daprd samples at its fallback rate {DEFAULT_RATE} (one "
            "request in ten thousand; 1 when the sidecar takes its OTLP endpoint from "
            'OTEL_EXPORTER_OTLP_ENDPOINT). Write the rate you want, e.g. "1" for every request '
            'or "0" to turn tracing off.',
            path,
            severity=Severity.WARNING,
        )
        return
    value = go_float(rate)
    if value is None:
        yield RULE.finding(
            resource,
            f'samplingRate "{rate}" is not a number daprd can parse, so it silently samples at '
            f"{DEFAULT_RATE} (one request in ten thousand) instead. Write a plain decimal "
            'between "0" and "1", e.g. "0.25" for 25%.',
            path,
        )
    elif math.isnan(value) or not 0.0 <= value <= 1.0:
        yield RULE.finding(
            resource,
            f'samplingRate "{rate}" is outside 0..1: it is used as a probability, so it does '
            'not mean what it appears to. Write a value between "0" and "1".',
            path,
            severity=Severity.WARNING,
        )


RULE = Rule(
    id="dapr-sampling-rate",
    category="dapr",
    severity=Severity.ERROR,
    summary="tracing.samplingRate that daprd cannot parse (silently 0.0001)",
    check=check,
    explanation="daprd parses samplingRate with strconv.ParseFloat and falls back to 1e-4 on "
    "any error, without a log line.",
    kinds=frozenset({"Configuration"}),
)
