"""A named timeout under `spec.policies.timeouts` that daprd cannot read, or reads as something
other than a time limit.

## Why

daprd reads a timeout with its own parser: a whole number (optional sign, no unit) is
milliseconds, anything else must be a Go duration (`500ms`, `1h30m`; units `ns`, `us`, `ms`,
`s`, `m`, `h`; no spaces). A Go duration beyond an int64 of nanoseconds (about `2562047h`)
is refused. A whole number of milliseconds is multiplied without an overflow check.

## What happens at runtime

- Unreadable (`10x`, `5 s`, `1.5`, `3000000h`, an empty string): daprd logs
  `Could not read resiliency policy <name>` and stops reading the Resiliency. Its targets are
  never applied, so none of its timeouts, retries or circuit breakers take effect.
- A number of milliseconds so large that the nanoseconds overflow: Go wraps the value around,
  and the timeout becomes some unrelated (possibly negative) duration.
- Negative: daprd applies a timeout only when it is above zero, so operations never time out.
- Zero (warning): the same "no timeout", which may be meant, but then the policy is pointless.

## How to fix

Write a positive Go duration such as `30s`. To have no timeout, leave `timeout` out of the
target.

## Source

dapr/dapr v1.18.3 `pkg/resiliency/resiliency.go`: `parseDuration` (strconv.ParseInt, then
time.ParseDuration), `decodePolicies`, `FromConfigurations` (the log line and `continue`);
`pkg/resiliency/policy.go` `NewRunnerWithOptions` (`if def.t > 0`).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr import resiliency as rm
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Resiliency"):
        return
    for name, raw in rm.policies(resource, "timeouts").items():
        value = rm.scalar_text(raw)
        if value is None:
            continue  # the schema rule reports it
        path = ("spec", "policies", "timeouts", str(name))
        fault, nanoseconds = rm.duration_fault(resource, f"timeout '{name}': '{value}'", value)
        if fault is not None:
            yield RULE.finding(resource, fault, path)
        elif nanoseconds < 0:
            yield RULE.finding(
                resource,
                f"timeout '{name}': '{value}' is negative; daprd applies a timeout only when it "
                "is above zero, so operations under this policy never time out.",
                path,
            )
        elif nanoseconds == 0:
            yield RULE.finding(
                resource,
                f"timeout '{name}': '{value}' is zero, which daprd reads as 'no timeout': "
                "operations under this policy can wait forever. Remove the timeout from the "
                "targets if that is the intent, or set a positive duration.",
                path,
                severity=Severity.WARNING,
            )


RULE = Rule(
    id="dapr-resiliency-timeout",
    category="dapr",
    severity=Severity.ERROR,
    severity_note="; warning for a zero timeout",
    summary="Resiliency timeout that daprd refuses or does not apply",
    check=check,
    kinds=frozenset({"Resiliency"}),
)
