"""Resiliency timeouts that daprd refuses, or reads as something other than what is written."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
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
    summary="Resiliency timeout that daprd refuses or does not apply",
    check=check,
    explanation="Timeouts are a whole number of milliseconds or a Go duration; any other "
    "value makes daprd drop the whole Resiliency, and a value not above zero means no timeout.",
    kinds=frozenset({"Resiliency"}),
)
