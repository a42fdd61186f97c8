"""A rule of a `Role` or `ClusterRole` uses a wildcard: `*` in `verbs`, `apiGroups` or
`resources`, a `*/<subresource>` resource, or a `nonResourceURLs` entry of `*` (or `/*`, which
covers every path as well). One finding per rule, at its first wildcard, naming all of them.

## Why

The RBAC authorizer's `RuleAllows` (plugin/pkg/auth/authorizer/rbac/rbac.go) asks
`VerbMatches`, `APIGroupMatches` and `ResourceMatches` (pkg/apis/rbac/v1/evaluation_helpers.go)
whether a rule covers a request. Each returns true for `*` whatever was asked, and
`ResourceMatches` also accepts `*/scale` for the `scale` subresource of every resource.
`NonResourceURLMatches` treats a trailing `*` as a prefix match. So `*` is not "what the app
needs today": it covers the verbs `escalate`, `bind` and `impersonate`, Secrets, `pods/exec`,
and every resource and subresource added later by an upgrade or a CRD.

## What happens at runtime

The API server stores the role as written. Whoever holds it can do everything the wildcard
covers, in the Role's namespace, or, for a ClusterRole bound by a ClusterRoleBinding, in every
namespace and on cluster-scoped objects. A `*` verb on `roles` or `clusterroles` includes
`escalate` and `bind`, with which its holder grants itself anything else.

## How to fix

List the groups, resources and verbs the workload uses (`kubectl auth can-i --list --as
system:serviceaccount:<ns>:<sa>` shows what it has; the audit log shows what it uses):

```yaml
rules:
  - apiGroups: ["apps"]
    resources: ["deployments"]
    verbs: ["get", "list", "watch"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._field import brief
from tools.rules.security._rbac import ALL, ROLE_KINDS, Path, PolicyRule, policy_rules


def _wild_url(url: str) -> bool:
    return url.endswith(ALL) and url.rstrip(ALL) in ("", "/")


def wildcards(rule: PolicyRule) -> Iterator[tuple[str, Path]]:
    """(what the wildcard grants, where it is written) for each wildcard of ``rule``."""
    fields = (
        ("verbs", rule.verbs, "every verb"),
        ("apiGroups", rule.api_groups, "every API group"),
        ("resources", rule.resources, "every resource"),
    )
    for key, values, label in fields:
        for i, value in enumerate(values):
            if value == ALL:
                yield f'{label} ({key}: "*")', (*rule.path, key, i)
                break
    for i, value in enumerate(rule.resources):
        if value.startswith("*/"):
            yield (
                f'the "{brief(value[2:], 60)}" subresource of every resource',
                (*rule.path, "resources", i),
            )
    for i, value in enumerate(rule.non_resource_urls):
        if _wild_url(value):
            yield (
                f'every non-resource URL (nonResourceURLs: "{brief(value, 20)}")',
                (
                    *rule.path,
                    "nonResourceURLs",
                    i,
                ),
            )
            break


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    for rule in policy_rules(resource):
        found = list(wildcards(rule))
        if not found:
            continue
        what = ", ".join(label for label, _ in found)
        yield RULE.finding(
            resource,
            f"{resource.kind} rule grants {what}. The RBAC authorizer matches a wildcard against "
            "anything asked, including escalate, bind, impersonate, Secrets, pods/exec and "
            "resources a later upgrade or CRD adds. List the API groups, resources and verbs "
            "the workload uses instead",
            found[0][1],
        )


RULE = Rule(
    id="security-rbac-wildcard",
    category="security",
    severity=Severity.WARNING,
    summary="an RBAC rule grants * verbs, API groups, resources or non-resource URLs",
    check=check,
    modes="kubernetes",
    kinds=ROLE_KINDS,
    severity_note=(
        "always a warning: the API server stores and honours the rule; it is a risk, not a "
        "refusal or a breach by itself (security-rbac-default-subject reports who holds it)"
    ),
)
