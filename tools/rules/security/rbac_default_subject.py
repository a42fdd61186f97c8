"""A `RoleBinding` or `ClusterRoleBinding` hands its role to a subject nobody chose to trust:

- **error**: anonymous requests, the user `system:anonymous` or the group
  `system:unauthenticated`;
- **warning**: the `default` ServiceAccount of a namespace (as a ServiceAccount subject or as
  the user `system:serviceaccount:<ns>:default`), every ServiceAccount (the groups
  `system:serviceaccounts` and `system:serviceaccounts:<ns>`), every authenticated identity
  (the group `system:authenticated`), or the group `system:anonymous`, which does not exist.

One finding per subject. The bindings Kubernetes itself creates for these groups are left
alone: `system:public-info-viewer` (both groups), `system:discovery` and `system:basic-user`
(authenticated users).

## Why

The authorizer hands a binding's rules to a request when `appliesToUser`
(pkg/registry/rbac/validation/rule.go) matches one subject: a User by name, a Group by
membership, a ServiceAccount by the user name `system:serviceaccount:<ns>:<name>`, its
namespace defaulting to the RoleBinding's. The anonymous authenticator
(staging/src/k8s.io/apiserver/pkg/authentication/request/anonymous/anonymous.go) gives every
request without credentials the user `system:anonymous` in the group
`system:unauthenticated`. No authenticator puts anyone in a group called `system:anonymous`.
Every ServiceAccount token authenticates in the groups `system:serviceaccounts` and
`system:serviceaccounts:<ns>` (`MakeGroupNames`,
staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go). A pod that names no
`serviceAccountName` runs as `default`, and unless it opts out its token is mounted.

## What happens at runtime

The API server accepts all of these bindings. Bound to `system:anonymous` or
`system:unauthenticated`, the role is open to anyone who can reach the API server, without any
credential, as long as anonymous authentication is on (the kube-apiserver default). That is a
breach, hence an error.
Bound to `default`, it goes to every pod of the namespace that names no ServiceAccount, today's
and tomorrow's, including images the app never meant to trust. The ServiceAccount and
authenticated groups widen that to every workload, or every user, in reach. These are risks,
hence warnings. A ClusterRoleBinding applies the role in every namespace.

## How to fix

Create a ServiceAccount for the workload, name it in the pod spec, and bind that:

```yaml
subjects:
  - kind: ServiceAccount
    name: backend
    namespace: todo
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._field import as_dict, as_list, brief
from tools.rules.security._rbac import API_VERSION, BINDING_KINDS

ANONYMOUS_USER = "system:anonymous"
UNAUTHENTICATED = "system:unauthenticated"
AUTHENTICATED = "system:authenticated"
ALL_SERVICE_ACCOUNTS = "system:serviceaccounts"
SA_USER_PREFIX = "system:serviceaccount:"
SA_GROUP_PREFIX = "system:serviceaccounts:"

# ClusterRoles the cluster's bootstrap policy binds to these groups itself
# (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, ClusterRoleBindings).
_BOOTSTRAP = {
    UNAUTHENTICATED: frozenset({"system:public-info-viewer"}),
    AUTHENTICATED: frozenset(
        {"system:public-info-viewer", "system:discovery", "system:basic-user"}
    ),
}


def _space(namespace: str | None) -> str:
    return f"namespace '{brief(namespace, 63)}'" if namespace else "the RoleBinding's namespace"


def _judge(kind: str, name: str, sa_namespace: str | None) -> tuple[Severity, str] | None:
    """The severity and the wording for one subject, or None when it is an ordinary one.
    ``sa_namespace``: where a ServiceAccount subject lives (None: the RoleBinding's own,
    unwritten namespace; "": nowhere, so it matches nobody)."""
    if (kind == "User" and name == ANONYMOUS_USER) or (kind == "Group" and name == UNAUTHENTICATED):
        return Severity.ERROR, (
            f"every request without credentials ({kind} {name}): with anonymous authentication "
            "on, the kube-apiserver default, anyone who reaches the API server holds the role. "
            "Remove the subject"
        )
    if kind == "Group" and name == ANONYMOUS_USER:
        return Severity.WARNING, (
            "the Group system:anonymous, which no authenticator assigns: it matches nobody, and "
            "the anonymous user (User system:anonymous, Group system:unauthenticated) must not "
            "be bound either. Remove the subject"
        )
    if kind == "Group" and name == AUTHENTICATED:
        return Severity.WARNING, (
            "every authenticated user and every ServiceAccount of every namespace (Group "
            "system:authenticated). Bind the users or ServiceAccounts that need the role"
        )
    if kind == "Group" and name == ALL_SERVICE_ACCOUNTS:
        return Severity.WARNING, (
            "every ServiceAccount of every namespace, the default ones included (Group "
            "system:serviceaccounts). Bind the workload's own ServiceAccount"
        )
    if kind == "Group" and name.startswith(SA_GROUP_PREFIX):
        return Severity.WARNING, (
            f"every ServiceAccount of {_space(name[len(SA_GROUP_PREFIX) :])}, its default one "
            f"included (Group {brief(name, 90)}). Bind the workload's own ServiceAccount"
        )
    if sa_namespace == "":
        return None
    default_sa = (kind == "ServiceAccount" and name == "default") or (
        kind == "User"
        and sa_namespace is not None
        and name == f"{SA_USER_PREFIX}{sa_namespace}:default"
    )
    if default_sa:
        return Severity.WARNING, (
            f"the default ServiceAccount of {_space(sa_namespace)}, which every pod there that "
            "names no serviceAccountName runs as. Create a ServiceAccount for the workload, set "
            "it in the pod spec and bind that"
        )
    return None


def _sa_namespace(kind: str, name: str, subject: dict[str, Any], binding: Resource) -> str | None:
    """The namespace a ServiceAccount subject (or service account user name) lives in: None for
    the RoleBinding's own namespace when the manifest does not say it, "" for none at all."""
    if kind == "User":
        rest = name[len(SA_USER_PREFIX) :] if name.startswith(SA_USER_PREFIX) else ""
        space, sep, _ = rest.partition(":")
        return space if sep else ""
    namespace = subject.get("namespace")
    if isinstance(namespace, str) and namespace:
        return namespace
    # appliesToUser defaults it to the RoleBinding's namespace; a ClusterRoleBinding has none.
    if binding.kind == "RoleBinding":
        return binding.namespace
    return ""


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.api_version != API_VERSION:
        return
    ref = as_dict(resource.doc.get("roleRef"))
    role = ref.get("name") if ref.get("kind") == "ClusterRole" else None
    reach = "in every namespace" if resource.kind == "ClusterRoleBinding" else "in its namespace"
    for i, subject in enumerate(as_list(resource.doc.get("subjects"))):
        if not isinstance(subject, dict):
            continue
        kind, name = subject.get("kind"), subject.get("name")
        if not isinstance(kind, str) or not isinstance(name, str):
            continue
        if kind == "Group" and isinstance(role, str) and role in _BOOTSTRAP.get(name, ()):
            continue
        verdict = _judge(kind, name, _sa_namespace(kind, name, subject, resource))
        if verdict is None:
            continue
        severity, who = verdict
        yield RULE.finding(
            resource,
            f"{resource.kind} gives its role, {reach}, to {who}",
            ("subjects", i),
            severity=severity,
        )


RULE = Rule(
    id="security-rbac-default-subject",
    category="security",
    severity=Severity.ERROR,
    summary="a binding grants a role to anonymous users, the default ServiceAccount or everyone",
    check=check,
    modes="kubernetes",
    kinds=BINDING_KINDS,
    severity_note=(
        "error for anonymous requests (User system:anonymous, Group system:unauthenticated): "
        "anyone without a credential gains the role. Warning for the default ServiceAccount, "
        "the ServiceAccount groups, system:authenticated and the non-existent Group "
        "system:anonymous: the API server accepts them all and they grant too widely, "
        "but only to identities holding a credential"
    ),
)
