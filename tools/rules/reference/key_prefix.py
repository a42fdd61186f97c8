"""A state store sets `keyPrefix` to something other than the strategies `appid` (the default),
`name`, `namespace` or `none`.

## Why

Any other value becomes a literal prefix, lower-cased: keys are stored as
`<prefix>||<key>`. Every app that uses the store then reads and writes the same keys. The
default `appid` keeps each app's state separate (`<appID>||<key>`).

## What happens at runtime

Two apps that both save `task-1` overwrite each other. That may be what you want (shared
state). Often it is a misunderstanding of `keyPrefix` as a "namespace" setting.

## How to fix

Remove `keyPrefix` (or set `appid`) for per-app state, or `name` to share state per component.
Keep a literal only when sharing is intended. A prefix must not contain `||`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.dapr.model import AppsOf
from tools.rules import Bundle, Rule
from tools.secrets.text import is_placeholder


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Component"):
        return
    if dapr_model.component_category(resource) != "state":
        return
    item = dapr_model.metadata_value(resource, "keyPrefix")
    if item is None or item.secret_ref is not None:
        return
    value = item.text.strip()
    if not value or value.lower() in dapr_model.KEY_PREFIX_STRATEGIES:
        return
    if is_placeholder(value):
        return
    apps = AppsOf.of(resource)
    who = "every app in the namespace" if apps.every else ", ".join(sorted(apps.apps))
    yield RULE.finding(
        resource,
        f"keyPrefix '{value}' is a literal prefix, not a strategy: every app using this store "
        f"({who}) reads and writes the same keys '{value.lower()}||<key>', with no per-app "
        "isolation. Use 'appid' (the default) unless the apps are meant to share state",
        ("spec", "metadata", item.index, "value"),
    )


RULE = Rule(
    id="reference-key-prefix",
    category="reference",
    severity=Severity.WARNING,
    summary="a state store keyPrefix is a literal, so all apps share one keyspace",
    check=check,
    kinds=frozenset({"Component"}),
)
