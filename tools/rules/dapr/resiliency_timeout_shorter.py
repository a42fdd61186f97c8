"""dapr-resiliency-timeout-shorter: a Resiliency timeout shorter than the component's own
``timeout`` metadata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.catalog import parse_go_duration, parse_metadata_duration
from tools.dapr.release_catalog import spec_for
from tools.dapr.releases import release_of
from tools.rules import Bundle, Rule

_DIRECTIONS = ("outbound", "inbound")


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _component_timeout(component: Resource, release: str) -> tuple[float, str] | None:
    """The component's ``timeout`` metadata (or an alias of it) in seconds, with its text."""
    spec = spec_for(dm.component_type(component), dm.component_version(component), release)
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
            if (t := _component_timeout(c, release_of(bundle.options))) is not None
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
    explanation=(
        "The Resiliency timeout bounds each call through the component; a shorter one than "
        "the component's timeout cuts off operations the component is configured to wait for."
    ),
    kinds=frozenset({"Resiliency"}),
)
