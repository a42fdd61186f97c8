"""A rule of a `Role` or `ClusterRole` lets its holder read every Secret it can reach: `get`,
`list` or `watch` on `secrets` in the core API group (`""`), written out or through `*`, with
no `resourceNames` to narrow it. A rule whose `resourceNames` list `""` counts as not narrowed
for `list` and `watch`. Where the input holds a ClusterRoleBinding of the ClusterRole, the
message says that it reads Secrets in every namespace.

## Why

`RuleAllows` (plugin/pkg/auth/authorizer/rbac/rbac.go) grants a request when the verb, group
and resource match and `ResourceNameMatches` (pkg/apis/rbac/v1/evaluation_helpers.go) accepts
its name: any name when the rule has no `resourceNames`, else only a listed one.

`resourceNames` do restrict `list` and `watch`, contrary to a common belief. A request for the
collection carries no name, and an empty name matches no listed one, so it is refused. The
only way through is a `fieldSelector` of `metadata.name=<name>`: `NewRequestInfo`
(staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) takes that name as the
request's, and the authorizer then checks it against the list. So a rule with
`resourceNames: [db-creds]` and `verbs: [get, list, watch]` reads `db-creds` and nothing
else. The exception is an empty string in `resourceNames`, which matches the nameless
collection request and opens `list` and `watch` of every Secret.

Who holds the rule decides its reach (`VisitRulesFor` in
pkg/registry/rbac/validation/rule.go). A Role, or a ClusterRole bound by a RoleBinding,
applies in one namespace. A ClusterRole bound by a ClusterRoleBinding applies in every
namespace.

## What happens at runtime

`list` and `watch` return whole Secrets, values included, not just their names. The holder
reads database passwords, TLS private keys, registry credentials, legacy ServiceAccount tokens
(and with them the rights of other ServiceAccounts), and whatever Dapr's Kubernetes secret
store serves to other apps. A pod running as that identity, once compromised, hands them all
over.

## How to fix

Name the Secrets, and grant `get` only; Dapr's Kubernetes secret store reads a Secret by name:

```yaml
rules:
  - apiGroups: [""]
    resources: ["secrets"]
    resourceNames: ["backend-api-keys"]
    verbs: ["get"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.security._rbac import ROLE_KINDS, PolicyRule, policy_rules, reach

_READ = ("get", "list", "watch")
_COLLECTION = ("list", "watch")


def unnarrowed_reads(rule: PolicyRule) -> list[str]:
    """The read verbs ``rule`` grants on every Secret (in its reach), in get/list/watch order."""
    verbs: list[str] = []
    for verb in _READ:
        if verb in _COLLECTION:
            if rule.allows_collection(verb, "", "secrets"):
                verbs.append(verb)
        elif rule.allows(verb, "", "secrets") and not rule.resource_names:
            verbs.append(verb)
    return verbs


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    for rule in policy_rules(resource):
        verbs = unnarrowed_reads(rule)
        if not verbs:
            continue
        how = (
            "its resourceNames include the empty string, which matches a request for the whole "
            "collection"
            if rule.resource_names
            else "no resourceNames narrow it"
        )
        yield RULE.finding(
            resource,
            f"{resource.kind} rule grants {', '.join(verbs)} on Secrets and {how}: a holder "
            f"reads every Secret, values included, {reach(bundle, resource)}. That includes "
            "other apps' credentials, TLS keys and ServiceAccount tokens. Grant get with "
            "resourceNames listing the Secrets the workload needs",
            rule.verb_path(verbs[0]),
        )


RULE = Rule(
    id="security-rbac-secret-read",
    category="security",
    severity=Severity.WARNING,
    summary="an RBAC rule reads every Secret (get/list/watch without resourceNames)",
    check=check,
    modes="kubernetes",
    kinds=ROLE_KINDS,
    severity_note=(
        "always a warning: the API server honours the rule; it is a risk, not a breach by "
        "itself. Binding it to anonymous users is the breach, reported as an error by "
        "security-rbac-default-subject"
    ),
)
