"""A rule of a `Role` or `ClusterRole` grants a way past RBAC's own limits: `escalate` or `bind`
on `roles` or `clusterroles` (group `rbac.authorization.k8s.io`), or `impersonate` on `users`,
`groups` or `serviceaccounts` (core group), written out or through `*`. One finding per rule,
naming what it grants. Grants that cannot take effect are left alone: in a Role, `escalate` on
`clusterroles` and `impersonate` on `users` or `groups` (those are cluster-wide requests,
which a Role never matches).

## Why

The RBAC registry refuses to store a Role or ClusterRole holding a permission its author
lacks, and a binding to a role whose permissions the author lacks, unless the author may
`escalate` that role (`RoleEscalationAuthorized`) or may `bind` the referenced role
(`BindingAuthorized`), both in pkg/registry/rbac/escalation_check.go. (`EscalationAllowed` in
the same file lets `system:masters` through always.) `bind` is checked in the binding's
namespace, so in a Role, `bind` on `clusterroles` lets its holder hand out any ClusterRole,
`admin` included, within that namespace.

The impersonation filter (`WithImpersonation`,
staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go) asks the authorizer for
the verb `impersonate` on `users`, `groups` or `serviceaccounts` before it lets a request
act as someone else.

## What happens at runtime

With `escalate` and `update` on a role, a holder adds any permission to it. With `bind` and
`create` on rolebindings, a holder binds to itself any role it may bind: every one, when no
`resourceNames` narrow the rule. With `impersonate` on users and groups, it sends requests as
any user in any group, `system:masters` included, which RBAC never limits; on
ServiceAccounts, it acts with any ServiceAccount's rights. Each amounts to the most powerful
role or identity in reach.

## How to fix

Leave these verbs to cluster administrators. A controller that really needs to create
bindings can be held to named roles:

```yaml
rules:
  - apiGroups: ["rbac.authorization.k8s.io"]
    resources: ["clusterroles"]
    verbs: ["bind"]
    resourceNames: ["view"]
```

and then suppressed with `todo-dapr.io/ignore: "security-rbac-escalation=<why>"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.security._rbac import RBAC_GROUP, ROLE_KINDS, PolicyRule, policy_rules, reach

# (verb, group, resource, whether it takes effect in a Role)
_GRANTS = (
    ("escalate", RBAC_GROUP, "roles", True),
    ("escalate", RBAC_GROUP, "clusterroles", False),
    ("bind", RBAC_GROUP, "roles", True),
    ("bind", RBAC_GROUP, "clusterroles", True),
    ("impersonate", "", "users", False),
    ("impersonate", "", "groups", False),
    ("impersonate", "", "serviceaccounts", True),
)


def escalations(rule: PolicyRule, namespaced: bool) -> list[tuple[str, str]]:
    """(verb, resource) pairs ``rule`` grants that bypass RBAC's escalation checks."""
    return [
        (verb, resource)
        for verb, group, resource, in_role in _GRANTS
        if (in_role or not namespaced) and rule.allows(verb, group, resource)
    ]


def _describe(pairs: list[tuple[str, str]]) -> str:
    by_verb: dict[str, list[str]] = {}
    for verb, resource in pairs:
        by_verb.setdefault(verb, []).append(resource)
    return "; ".join(f"{verb} on {', '.join(rs)}" for verb, rs in by_verb.items())


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    namespaced = resource.kind == "Role"
    for rule in policy_rules(resource):
        pairs = escalations(rule, namespaced)
        if not pairs:
            continue
        narrowed = f" (only for resourceNames {rule.names_label()})" if rule.resource_names else ""
        yield RULE.finding(
            resource,
            f"{resource.kind} rule grants {_describe(pairs)}{narrowed}, {reach(bundle, resource)}. "
            "The API server lets a holder of escalate or bind create roles and bindings with "
            "permissions it does not have, and a holder of impersonate act as another identity: "
            "each amounts to the most powerful role or identity in reach. Leave these verbs to "
            "cluster administrators",
            rule.verb_path(pairs[0][0]),
        )


RULE = Rule(
    id="security-rbac-escalation",
    category="security",
    severity=Severity.WARNING,
    summary="an RBAC rule grants escalate, bind or impersonate",
    check=check,
    modes="kubernetes",
    kinds=ROLE_KINDS,
    severity_note=(
        "always a warning: the API server honours the rule; it is a risk of privilege "
        "escalation, not a refusal or a breach by itself"
    ),
)
