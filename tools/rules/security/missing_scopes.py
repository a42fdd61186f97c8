"""A `Component` or `Subscription` has no top-level `scopes`, or an empty list.

## Why

`scopes` is the list of app IDs whose sidecars load the resource. Without it, the Dapr
operator sends the component to **every** Dapr app in the namespace. Each of those apps then
holds its credentials and can read and write its data. A subscription without scopes is
registered in every app that loads the pub/sub.

## What happens at runtime

Every sidecar in the namespace initialises the component. An app that should never see the
database can use it through `/v1.0/state/<store>`, and a failing component (an unreachable
broker, say) stops sidecars that never needed it.

Self-hosted files (`dapr run --resources-path`) often leave out scopes, because there is only one
app. In the default Kubernetes mode the rule still reports them: on Kubernetes they would load
everywhere. With `--dapr-mode self-hosted` it is an info finding instead: the disk loader
(`filterManifests` in `pkg/internal/loader/disk/disk.go`, dapr/dapr 1.16–1.18) also loads an
unscoped resource into every app, but only into the apps started with the same resources path on
that machine, and scopes still work there by app ID.

## How to fix

```yaml
scopes:
  - backend
  - chat-api
```

List exactly the apps that use the component. For pub/sub, also limit topics per app with
`publishingScopes` / `subscriptionScopes` metadata.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource) or resource.kind not in {"Component", "Subscription"}:
        return
    raw = resource.doc.get("scopes")
    what = "component" if resource.kind == "Component" else "subscription"
    if raw is None or raw == []:
        state = "has no scopes" if raw is None else "has an empty scopes list"
        path = ("scopes",) if raw is not None else ()
        if bundle.context.dapr_mode == "self-hosted":
            yield RULE.finding(
                resource,
                f"{resource.kind} {state}, so every app started with this resources path (dapr "
                f"run --resources-path) loads this {what}; fine for one app, but list the app "
                "IDs in `scopes:` once several apps share the folder",
                path,
                severity=Severity.INFO,
            )
            return
        yield RULE.finding(
            resource,
            f"{resource.kind} {state}, so Dapr loads this {what} into the sidecar of every app "
            "in the namespace, including apps that should not have it (for a component: its "
            "credentials and data). Add `scopes:` listing the app IDs that need it",
            path,
        )


RULE = Rule(
    id="security-missing-scopes",
    category="security",
    severity=Severity.ERROR,
    summary="a Component or Subscription has no scopes (every app in the namespace loads it)",
    check=check,
    kinds=frozenset({"Component", "Subscription"}),
    severity_note="; info with --dapr-mode self-hosted",
)
