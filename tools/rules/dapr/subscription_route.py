"""A declarative Subscription whose route rules daprd cannot compile or evaluate, or that has
no route at all.

## Why

daprd turns a v1alpha1 `route` into `routes.default`, and compiles each v2alpha1
`routes.rules[].match` (trimmed) as CEL when it loads the subscription (see
[docs/cel.md](../cel.md)). For each event it tries the rules in order with one variable
bound, `event` (the cloud event: `event.type`, `event.data`...), and takes the first whose
match is true; an empty match is true for every event; `routes.default` comes last.

## What happens at runtime

- A match that does not compile (`event.type = "x"`, `event.`, a type error): the
  subscription processor returns the error and every sidecar that loads the subscription
  exits.
- A match that calls a function cel-go's standard environment does not define
  (`event.type.lowerAscii()`): daprd's compile loop declares the name as a variable, which
  does not define a function, and compiles again forever; the sidecar hangs while loading.
- A match that reads a name other than `event`: it compiles (daprd declares unknown names)
  but fails for each event, which goes to the dead-letter topic or is retried; a match
  whose result is not a boolean fails the same way ("was not a boolean").
- No rule and no default (or an empty v1alpha1 `route`): daprd subscribes, finds no route for
  any event and drops each one (to the dead-letter topic if set).
- Rules after an empty match, and the default then (warnings): never reached.

## How to fix

Write matches over `event`, for example `event.type == "order.created"`; give every
subscription a default route or a catch-all rule, placed last.

## Source

dapr/dapr v1.18.3 `pkg/runtime/pubsub/subscriptions.go` (`CreateRoutingRule`),
`pkg/runtime/processor/subscriptions.go` (`AddPendingSubscription`, `errorSubscriptions`,
`processSubscriptions`), `pkg/runtime/subscription/subscription.go` (`findMatchingRoute`,
`matchRoutingRule`, the "no matching route" branch), `pkg/expr/expr.go`
(`Expr.DecodeString`, its compile loop); google/cel-go v0.20.1 `checker/checker.go`
(`checkCall`: an undefined function is an "undeclared reference"),
`pkg/apis/subscriptions/v2alpha1/conversion.go` (`ConvertFrom`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
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
    severity_note="; warning for rules and defaults that are never reached",
    summary="Subscription route whose match is not valid CEL, or no route at all",
    check=check,
    kinds=frozenset({"Subscription"}),
)
