"""Subscription routes: rule matches compiled as CEL, and routes that deliver nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr import resiliency as rm
from tools.rules import Bundle, Rule


def _routes(resource: Resource) -> tuple[list[Any], str, bool]:
    """(rules, default path, whether the resource is v1alpha1) as daprd reads them: v1alpha1
    `route` becomes `routes.default` (pkg/apis/subscriptions/v2alpha1 ConvertFrom)."""
    spec = dm.spec(resource)
    if resource.api_version == "dapr.io/v1alpha1":
        route = spec.get("route")
        return [], route if isinstance(route, str) else "", True
    routes = spec.get("routes")
    if not isinstance(routes, dict):
        return [], "", False
    rules, default = routes.get("rules"), routes.get("default")
    return (
        rules if isinstance(rules, list) else [],
        default if isinstance(default, str) else "",
        False,
    )


def _match(resource: Resource, index: int, match: str) -> Iterator[Finding]:
    from tools.kubernetes import cel

    path = ("spec", "routes", "rules", index, "match")
    try:
        compiled = cel.compile_like_daprd(match, dm.MATCH_VARIABLES)
    except cel.CelUnavailable as exc:
        yield RULE.finding(resource, f"match not checked: {exc}.", path, Severity.WARNING)
        return
    if compiled.unchecked:
        return  # nested deeper than the library can follow; see docs/cel.md
    if compiled.endless:
        yield RULE.finding(
            resource,
            f"rule {index}: match calls '{compiled.function}', {cel.ENDLESS}: the sidecar "
            "that loads this subscription hangs, spinning a CPU core.",
            path,
        )
        return
    if compiled.error is not None:
        yield RULE.finding(
            resource,
            f"rule {index}: match is not valid CEL ({compiled.error}). daprd compiles it when "
            "it loads the subscription and stops with that error: every sidecar that loads "
            "this subscription exits.",
            path,
        )
        return
    for name in compiled.unbound:
        yield RULE.finding(
            resource,
            f"rule {index}: match reads '{name}', but daprd binds only 'event' (the cloud "
            "event: event.type, event.data...). Evaluating it fails for each message, which "
            "then goes to the dead-letter topic or is retried, never to this route.",
            path,
        )
    if compiled.result not in {"BOOL", "DYN", ""}:
        yield RULE.finding(
            resource,
            f"rule {index}: match yields {compiled.result.lower()}, not a boolean; daprd "
            "fails each message with 'the result of match expression ... was not a boolean'.",
            path,
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Subscription"):
        return
    rules, default, v1 = _routes(resource)
    catch_all: int | None = None
    usable = 0
    for index, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        usable += 1
        match = rm.scalar_text(rule.get("match"))
        text = match.strip() if match is not None else ""
        if catch_all is not None:
            yield RULE.finding(
                resource,
                f"rule {index} is never reached: rule {catch_all} has an empty match, which "
                "daprd treats as matching every event, and rules are tried in order.",
                ("spec", "routes", "rules", index),
                Severity.WARNING,
            )
            continue
        if not text:
            catch_all = index
            continue
        yield from _match(resource, index, text)
    if catch_all is not None and default:
        yield RULE.finding(
            resource,
            f"routes.default is never used: rule {catch_all} has an empty match, which daprd "
            "treats as matching every event.",
            ("spec", "routes", "default"),
            Severity.WARNING,
        )
    if usable == 0 and not default:
        where = ("spec", "route") if v1 else ("spec", "routes")
        yield RULE.finding(
            resource,
            "the subscription has no route: "
            + ("'route' is empty" if v1 else "no rules and no default")
            + ". daprd subscribes to the topic but finds no route for any event and drops "
            "each one (to the dead-letter topic if set). Set "
            + ("'route'." if v1 else "'routes.default' or add rules."),
            where,
        )


RULE = Rule(
    id="dapr-subscription-route",
    category="dapr",
    severity=Severity.ERROR,
    summary="Subscription route whose match is not valid CEL, or no route at all",
    check=check,
    explanation="daprd compiles each rule's match as CEL with only `event` bound; a compile "
    "error stops the sidecar, and a subscription without routes drops every event.",
    kinds=frozenset({"Subscription"}),
)
