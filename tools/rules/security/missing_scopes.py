"""security-missing-scopes: a Component or Subscription loaded by every app in the namespace."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource) or resource.kind not in {"Component", "Subscription"}:
        return
    raw = resource.doc.get("scopes")
    what = "component" if resource.kind == "Component" else "subscription"
    if raw is None or raw == []:
        state = "has no scopes" if raw is None else "has an empty scopes list"
        yield RULE.finding(
            resource,
            f"{resource.kind} {state}, so Dapr loads this {what} into the sidecar of every app "
            "in the namespace, including apps that should not have it (for a component: its "
            "credentials and data). Add `scopes:` listing the app IDs that need it",
            ("scopes",) if raw is not None else (),
        )


RULE = Rule(
    id="security-missing-scopes",
    category="security",
    severity=Severity.ERROR,
    summary="a Component or Subscription has no scopes (every app in the namespace loads it)",
    check=check,
    explanation=(
        "Without scopes a component is initialised in every Dapr sidecar of the namespace, which "
        "gives every app its credentials and data, and a subscription is registered for every app."
    ),
    kinds=frozenset({"Component", "Subscription"}),
)
