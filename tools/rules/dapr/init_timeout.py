"""dapr-init-timeout: a Component ``spec.initTimeout`` that is not a Go duration silently
becomes daprd's default of 5s; zero or a negative duration leaves no time at all."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.catalog import go_duration_ns
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
    summary="Component initTimeout that daprd cannot parse (silently 5s)",
    check=check,
    explanation="The component processor parses initTimeout with time.ParseDuration and uses "
    "5s on any error; zero or negative gives a context that is already done.",
    kinds=frozenset({"Component"}),
)
