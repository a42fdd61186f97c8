"""dapr-subscription-route: rule matches compiled as CEL with only `event`, empty routes."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.subscription_route import RULE

V2 = """\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: sub}
spec:
  pubsubname: pubsub
  topic: orders
  routes: ROUTES
"""

V1 = """\
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {name: sub}
spec:
  pubsubname: pubsub
  topic: orders
  route: ROUTE
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def rule(match: str) -> list[Finding]:
    quoted = "'" + match.replace("'", "''") + "'"
    return run(V2.replace("ROUTES", "{rules: [{match: " + quoted + ", path: /x}], default: /d}"))


@pytest.mark.parametrize(
    "match",
    [
        'event.type == "order.created" && event.data.priority > 2',
        "has(event.data.customer)",
        'event.type.startsWith("order.")',
        "event.data.items.all(i, i.qty > 0)",
        "event.data.total > 100u ? true : false",
    ],
)
def test_valid_matches_pass(match: str) -> None:
    assert rule(match) == []


@pytest.mark.parametrize(
    "match",
    ['event.type = "x"', "(event.type", "event.", 'event.type == "x" &&', "has(event)"],
)
def test_invalid_match_stops_the_sidecar(match: str) -> None:
    (finding,) = rule(match)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/routes/rules/0/match"
    assert "not valid CEL" in finding.message and "exits" in finding.message


def test_other_names_and_non_boolean_results_fail_each_message() -> None:
    (unbound,) = rule('kind == "order"')
    assert "'kind'" in unbound.message and "binds only 'event'" in unbound.message
    (number,) = rule("event.data.total + 1")
    assert "not a boolean" in number.message


def test_routes_that_deliver_nothing() -> None:
    (empty,) = run(V2.replace("ROUTES", "{}"))
    assert empty.severity is Severity.ERROR and empty.path == "/spec/routes"
    (v1,) = run(V1.replace("ROUTE", '""'))
    assert v1.path == "/spec/route"
    assert run(V1.replace("ROUTE", "/orders")) == []
    assert run(V2.replace("ROUTES", "{default: /orders}")) == []


def test_rules_after_an_empty_match_are_unreachable() -> None:
    routes = (
        "{rules: [{match: '', path: /all}, {match: 'event.type == \"a\"', path: /a}], default: /d}"
    )
    findings = run(V2.replace("ROUTES", routes))
    assert [(f.severity, f.path) for f in findings] == [
        (Severity.WARNING, "/spec/routes/rules/1"),
        (Severity.WARNING, "/spec/routes/default"),
    ]


def test_an_undefined_function_hangs_the_sidecar() -> None:
    (finding,) = rule('event.type.lowerAscii() == "order"')
    assert "'lowerAscii'" in finding.message and "forever" in finding.message
