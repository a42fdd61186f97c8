"""A Dapr `Configuration` has a `spec.accessControl` section that lets every caller through,
because its global `defaultAction` is `allow`, either as written or by leaving it out:

- `defaultAction: allow` (any case) and no `policies`: the section restricts nothing;
- no `defaultAction` (or an empty one) and no `policies`: the same, though it may look like a
  deny-all;
- no `defaultAction` with `policies`: apps without a policy are allowed, not denied.

Invalid actions, verbs and policies are reported by `dapr-access-control`.

## Why

`ParseAccessControlSpec` in `pkg/acl/acl.go` (dapr/dapr 1.16 to 1.18) falls back to `deny`
when `defaultAction` is empty and policies are given. That fallback never runs for a
Configuration loaded from Kubernetes: `LoadKubernetesConfiguration` in
`pkg/config/configuration.go` decodes it with `json.Unmarshal` on top of
`LoadDefaultConfiguration`, whose access control is `defaultAction: allow`,
`trustDomain: public`. A field left out keeps that default; the CRD drops an empty string
before daprd sees it. `isOperationAllowedByAccessControlPolicy` applies the global action to
every caller without a policy of its own (keyed by app ID and namespace, with a matching trust
domain) and to every call without a SPIFFE ID.

## What happens at runtime

Service invocation works, and every Dapr app in the cluster may call every method of the apps
using this Configuration. That includes apps in other namespaces: any sidecar with a
certificate from the same Sentry qualifies. A compromised or misconfigured app can reach
methods meant for one caller only. With policies but no `defaultAction`, the listed apps are
restricted as written, and every other app is let through.

## How to fix

Deny by default and allow each caller explicitly:

```yaml
spec:
  accessControl:
    defaultAction: deny
    trustDomain: public
    policies:
      - appId: todo-web
        namespace: todo
        trustDomain: public
        defaultAction: deny
        operations:
          - {name: /todos/*, httpVerb: [GET, POST], action: allow}
```

If every app really may call this one, remove `accessControl` instead of writing an allow-all
section.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

_ALLOW = "allow"
_WHO = (
    "every Dapr app in the cluster (any sidecar with a certificate from the same Sentry, in any "
    "namespace) may invoke every method of the apps using this Configuration"
)
_FIX = (
    "Set defaultAction: deny and add a policy (appId, namespace, trustDomain) for each app "
    "that may call"
)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    access = dm.dig(resource.doc, "spec", "accessControl")
    if not isinstance(access, dict):
        return
    action = access.get("defaultAction")
    policies = access.get("policies")
    if (action is not None and not isinstance(action, str)) or (
        policies is not None and not isinstance(policies, list)
    ):
        return  # the CRD schema reports the type
    base = ("spec", "accessControl")
    if action:
        if action.lower() != _ALLOW or policies:
            return
        yield RULE.finding(
            resource,
            f"accessControl allows by default and has no policies, so it restricts nothing: "
            f"{_WHO}. {_FIX}.",
            (*base, "defaultAction"),
        )
        return
    path = (*base, "defaultAction") if "defaultAction" in access else base
    if policies:
        yield RULE.finding(
            resource,
            "accessControl has policies but no defaultAction: daprd fills in allow (its "
            "built-in default), not deny, so every app without a policy here may invoke every "
            "method of the apps using this Configuration. Write defaultAction: deny (or allow, "
            "if that is what you mean).",
            path,
        )
        return
    yield RULE.finding(
        resource,
        f"accessControl has no defaultAction and no policies: daprd fills in allow (its "
        f"built-in default), so {_WHO}. {_FIX}.",
        path,
    )


RULE = Rule(
    id="security-dapr-access-control-default",
    category="security",
    severity=Severity.WARNING,
    summary="Dapr access control lets every app in (defaultAction allow, written or left out)",
    check=check,
    kinds=frozenset({"Configuration"}),
)
