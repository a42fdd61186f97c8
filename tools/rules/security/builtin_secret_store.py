"""A Dapr `Configuration` restricts secret access with `spec.secrets.scopes`, but the built-in
`kubernetes` secret store is missing from the list, or is listed with `defaultAccess: allow` and
no `allowedSecrets`.

## Why

On Kubernetes every sidecar loads a secret store named `kubernetes`, even when no Component
defines it. Scopes on your own stores do not limit it. Stores without a scope entry allow
everything.

## What happens at runtime

Any app using this Configuration can read any Secret its service account may read, through
`GET /v1.0/secrets/kubernetes/<secret-name>`. That defeats the least-privilege intent of the
other scopes.

## How to fix

```yaml
spec:
  secrets:
    scopes:
      - storeName: kubernetes
        defaultAccess: deny
```

Or disable the built-in store per pod with the annotation
`dapr.io/disable-builtin-k8s-secret-store: "true"`. Secret scopes do not affect how the operator
resolves component `secretKeyRef`s.

## Self-hosted

Not reported with `--dapr-mode self-hosted`: `appendBuiltinSecretStore` in
`pkg/runtime/runtime.go` (dapr/dapr 1.16–1.18) adds the `kubernetes` store only in Kubernetes
mode, so outside Kubernetes there is no such store to scope.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule


def _restricted(entry: dict[str, object]) -> bool:
    allowed = entry.get("allowedSecrets")
    if isinstance(allowed, list) and allowed:
        return True
    access = entry.get("defaultAccess")
    return isinstance(access, str) and access.lower() == "deny"


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Configuration"):
        return
    scopes = dapr_model.dig(resource.doc, "spec", "secrets", "scopes")
    if not isinstance(scopes, list) or not scopes:
        return
    for index, entry in enumerate(scopes):
        if isinstance(entry, dict) and entry.get("storeName") == dapr_model.BUILTIN_SECRET_STORE:
            if _restricted(entry):
                return
            yield RULE.finding(
                resource,
                "secret scopes restrict other stores, but the built-in 'kubernetes' store is "
                "allowed: any app using this Configuration can read every Secret in its namespace "
                "that its service account may read, through /v1.0/secrets/kubernetes/<name>. Set "
                "`defaultAccess: deny` (and list `allowedSecrets` if an app needs some)",
                ("spec", "secrets", "scopes", index),
            )
            return
    yield RULE.finding(
        resource,
        "secret scopes restrict access, but have no entry for the built-in 'kubernetes' secret "
        "store that every sidecar loads on Kubernetes: apps can still read Secrets through "
        "/v1.0/secrets/kubernetes/<name>. Add `{storeName: kubernetes, defaultAccess: deny}` "
        '(or set the pod annotation dapr.io/disable-builtin-k8s-secret-store: "true")',
        ("spec", "secrets", "scopes"),
    )


RULE = Rule(
    id="security-builtin-secret-store",
    category="security",
    severity=Severity.WARNING,
    summary="Configuration scopes secrets but leaves the built-in 'kubernetes' store allowed",
    check=check,
    modes="kubernetes",
    kinds=frozenset({"Configuration"}),
)
