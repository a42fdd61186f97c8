"""A Configuration's `spec.secrets.scopes` entry has a `defaultAccess` other than `allow` or
`deny` (any case), scopes the same secret store twice, lists a secret in both
`allowedSecrets` and `deniedSecrets`, or combines `defaultAccess: allow` with
`allowedSecrets`.

## Why

`sortAndValidateSecretsConfiguration` in `pkg/config/configuration.go` (dapr/dapr 1.18),
called by `LoadKubernetesConfiguration` and `LoadStandaloneConfiguration`, refuses a repeated
`storeName` and a `defaultAccess` that is neither `allow` nor `deny` (`strings.EqualFold`).
`SecretsScope.IsSecretAllowed` in the same file decides access: when `allowedSecrets` is not
empty it alone decides, so `deniedSecrets` and `defaultAccess` are not consulted.

## What happens at runtime

- Bad `defaultAccess` or a repeated store: the Configuration fails to load (`defaultAccess ...
  can be either allow or deny`, `... storeName is repeated`) and every sidecar annotated with
  `dapr.io/config: <name>` fails to start.
- A secret in both lists is readable.
- `defaultAccess: allow` with `allowedSecrets`: only the listed secrets are readable.

## How to fix

Use `allow` or `deny` (deny with `allowedSecrets` is least privilege), merge duplicate entries
into one per `storeName`, and keep each secret in one list.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

_ACCESS = frozenset({"allow", "deny"})


def _names(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _lists(resource: Resource, index: int, scope: dict[str, object]) -> Iterator[Finding]:
    """How SecretsScope.IsSecretAllowed reads the lists: a non-empty allowedSecrets decides
    alone, so deniedSecrets and defaultAccess no longer count."""
    allowed = _names(scope.get("allowedSecrets"))
    if not allowed:
        return
    denied = set(_names(scope.get("deniedSecrets")))
    for name in sorted(denied.intersection(allowed)):
        yield RULE.finding(
            resource,
            f'secret "{name}" is in both allowedSecrets and deniedSecrets: with allowedSecrets '
            "set, daprd checks only that list, so the secret is readable. Remove it from one "
            "list.",
            ("spec", "secrets", "scopes", index, "deniedSecrets"),
        )
    access = scope.get("defaultAccess")
    if isinstance(access, str) and access.lower() == "allow":
        yield RULE.finding(
            resource,
            'defaultAccess "allow" has no effect next to allowedSecrets: daprd then lets the '
            "app read only the listed secrets. Write defaultAccess: deny to say what happens.",
            ("spec", "secrets", "scopes", index, "defaultAccess"),
            severity=Severity.WARNING,
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    scopes = dm.dig(resource.doc, "spec", "secrets", "scopes")
    if not isinstance(scopes, list):
        return
    seen: dict[str, int] = {}
    for index, scope in enumerate(scopes):
        if not isinstance(scope, dict):
            continue
        access = scope.get("defaultAccess")
        if access is not None and (not isinstance(access, str) or access.lower() not in _ACCESS):
            yield RULE.finding(
                resource,
                f'defaultAccess "{access}" is neither "allow" nor "deny": daprd refuses this '
                "Configuration, and sidecars that use it fail to start. Use allow or deny "
                "(deny, plus allowedSecrets, is the least-privilege choice).",
                ("spec", "secrets", "scopes", index, "defaultAccess"),
            )
        yield from _lists(resource, index, scope)
        store = scope.get("storeName")
        if isinstance(store, str):
            if store in seen:
                yield RULE.finding(
                    resource,
                    f'secret store "{store}" is scoped twice (entries {seen[store]} and '
                    f"{index}): daprd refuses this Configuration. Merge the two entries.",
                    ("spec", "secrets", "scopes", index, "storeName"),
                )
            seen.setdefault(store, index)


RULE = Rule(
    id="dapr-secret-scopes",
    category="dapr",
    severity=Severity.ERROR,
    severity_note=" (warning for `defaultAccess: allow` next to `allowedSecrets`)",
    summary="Secret scope daprd refuses (defaultAccess, store twice) or reads unlike written",
    check=check,
    kinds=frozenset({"Configuration"}),
)
