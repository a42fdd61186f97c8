"""A Component's `spec.initTimeout` is not a Go duration: `"60"` (no unit), `"1 m"`, `"1d"`,
`"3000000h"` (beyond the int64-nanosecond range).

## Why

`processComponentAndDependents` in `pkg/runtime/processor/components.go` (dapr/dapr 1.18)
parses `initTimeout` with `time.ParseDuration` and uses `defaultComponentInitTimeout` (5s,
`pkg/runtime/processor/processor.go`) on any error, without a log line.

## What happens at runtime

The component gets 5 seconds to initialise whatever you wrote: `"60"` does not mean 60
seconds. A slow component (a remote broker, a cold database) then fails with a deadline error
and, unless `ignoreErrors` is set, the sidecar exits. Zero or a negative duration gives a
context that is already expired.

This rule judges the value itself; `reference-init-timeout` compares a Kafka component's
timeout with its dial timeout.

## How to fix

Write a duration with a unit: `initTimeout: "60s"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.durations import go_duration_ns
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    raw = dm.spec(resource).get("initTimeout")
    if not isinstance(raw, str) or raw == "":
        return  # unset means the default; a non-string is the CRD schema's finding
    path = ("spec", "initTimeout")
    nanos = go_duration_ns(raw)
    if nanos is None:
        hint = f' (a bare number has no unit: write "{raw}s")' if raw.isdigit() else ""
        yield RULE.finding(
            resource,
            f'initTimeout "{raw}" is not a Go duration{hint}: daprd ignores it and gives the '
            'component the default 5s to initialise. Use a duration such as "30s" or "2m".',
            path,
        )
    elif nanos <= 0:
        yield RULE.finding(
            resource,
            f'initTimeout "{raw}" is not positive: the initialisation context is already '
            "expired when the component starts, so any initialisation that waits on it fails. "
            'Leave initTimeout out (5s) or set a positive duration such as "30s".',
            path,
            severity=Severity.WARNING,
        )


RULE = Rule(
    id="dapr-init-timeout",
    category="dapr",
    severity=Severity.ERROR,
    severity_note=" (warning for zero or a negative duration)",
    summary="Component initTimeout that daprd cannot parse (silently 5s)",
    check=check,
    kinds=frozenset({"Component"}),
)
