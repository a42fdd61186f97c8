"""A Resiliency target names a `timeout` policy for a component whose own `timeout` metadata
(or an alias such as `timeoutInSeconds`) is longer, for example a state store with
`timeout: 20s` under a `5s` Resiliency timeout.

## Why

The Resiliency timeout wraps each call through the component: the policy runner cancels the
call's context when the policy's timeout expires (`ComponentOutboundPolicy` /
`ComponentInboundPolicy` in `pkg/resiliency/resiliency.go`, dapr/dapr v1.18.3). The component's
own `timeout` (for `state.postgresql`, `Timeout` in `common/component/postgresql/v1/metadata.go`,
components-contrib v1.18.4, default 20s) is the time it is configured to wait for the backend.
The shorter of the two wins.

## What happens at runtime

Calls are cancelled after the Resiliency timeout even though the component would still wait:
a database that takes longer to answer (a Neon compute waking up, a lock) fails every attempt,
the retry policy repeats the same short attempts, and the app sees errors. The component's
`timeout` setting has no effect beyond the Resiliency timeout.

## How to fix

Make the Resiliency timeout at least as long as the component's `timeout` (the chart uses 25s
for a 20s state store), or lower the component's `timeout` if the shorter bound is what you
want. Only a `timeout` written in the component's metadata is compared; the component's
default is not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.durations import parse_go_duration, parse_metadata_duration
from tools.dapr.release import DaprRelease
from tools.rules import Bundle, Rule

_DIRECTIONS = ("outbound", "inbound")


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _component_timeout(component: Resource, dapr: DaprRelease) -> tuple[float, str] | None:
    """The component's ``timeout`` metadata (or an alias of it) in seconds, with its text."""
    spec = dapr.spec(dm.component_type(component), dm.component_version(component))
    if spec is None:
        return None
    for item in dm.metadata_items(component):
        field = spec.field(item.name)
        if field is None or field.name != "timeout" or field.type != "duration":
            continue
        seconds = parse_metadata_duration(item.text)
        if seconds is not None and seconds > 0:
            return seconds, item.text
    return None


def _policy_timeout(resource: Resource, name: str) -> float | None:
    value: Any = dm.dig(resource.doc, "spec", "policies", "timeouts", name)
    if isinstance(value, str):
        return parse_go_duration(value)
    return None


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Resiliency"):
        return
    targets = dm.dig(resource.doc, "spec", "targets", "components")
    if not isinstance(targets, dict):
        return
    for name, target in targets.items():
        if not isinstance(name, str) or not isinstance(target, dict):
            continue
        own = [
            t
            for c in dm.find_component(bundle, resource, name)
            if (t := _component_timeout(c, bundle.dapr)) is not None
        ]
        if not own:
            continue
        longest, text = max(own)
        for direction in _DIRECTIONS:
            policies = target.get(direction)
            policy = policies.get("timeout") if isinstance(policies, dict) else None
            if not isinstance(policy, str):
                continue
            seconds = _policy_timeout(resource, policy)
            if seconds is None or seconds <= 0 or seconds >= longest:
                continue
            yield RULE.finding(
                resource,
                f"timeout policy '{policy}' ({_seconds(seconds)}) on {direction} calls of "
                f"'{name}' is shorter than the component's own timeout ({text}): Dapr cancels "
                f"each call after {_seconds(seconds)}, so operations the component would still "
                "wait for (a database waking up, a slow broker) fail and are retried or "
                "reported as errors. Make the policy at least as long as the component's "
                "timeout, or lower the component's",
                ("spec", "targets", "components", name, direction, "timeout"),
            )


RULE = Rule(
    id="dapr-resiliency-timeout-shorter",
    category="dapr",
    severity=Severity.WARNING,
    summary="Resiliency timeout shorter than the component's own timeout metadata",
    check=check,
    kinds=frozenset({"Resiliency"}),
)
