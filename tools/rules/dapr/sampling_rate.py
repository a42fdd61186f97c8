"""A Configuration's `spec.tracing.samplingRate` is not a number Go's `strconv.ParseFloat` reads:
`"25%"`, `" 1"`, `"1,5"`, `"1e400"`.

## Why

daprd never validates the rate. `GetTraceSamplingRate` in `pkg/diagnostics/utils/trace_utils.go`
(dapr/dapr 1.18) parses it with `strconv.ParseFloat` and, on any error, returns its
`defaultSamplingRate`, `1e-4`. `NewDaprTraceSampler` (`pkg/diagnostics/tracing_sampler.go`) and
`IsTracingEnabled` both go through that function.

## What happens at runtime

The sidecar starts normally and samples one request in ten thousand instead of the rate you
wrote; no log line says so. An empty rate gets the same fallback (or 1, when
`SetTracingSpecFromEnv` takes the OTLP endpoint from `OTEL_EXPORTER_OTLP_ENDPOINT`). A rate below 0
or above 1 is
parsed but is not a probability.

Valid: `"1"`, `"0.5"`, `"0"` (tracing off), `"1e-3"`, `".5"`, `"0x1p-2"`, `"1_0e-1"` (Go float
syntax, underscores between digits).

## How to fix

Write a plain decimal between `"0"` and `"1"` as a string: `samplingRate: "0.25"` for 25%.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
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
    severity_note=" (warning for an empty rate or one outside 0..1)",
    summary="tracing.samplingRate that daprd cannot parse (silently 0.0001)",
    check=check,
    kinds=frozenset({"Configuration"}),
)
