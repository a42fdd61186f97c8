"""A Role, ClusterRole, RoleBinding or ClusterRoleBinding that the API server's RBAC validation
refuses:

- a rule without verbs (`verbs: []`, or a `null` rule), or a resource rule without
  `apiGroups` or `resources`;
- `nonResourceURLs` in a Role (namespaced rules cannot apply to non-resource URLs), or in a
  rule that also names `apiGroups`, `resources` or `resourceNames`;
- a ClusterRole `aggregationRule` without `clusterRoleSelectors`, or with an invalid label
  selector;
- a binding's `roleRef` whose `apiGroup` is not `rbac.authorization.k8s.io`, whose `kind` is not
  `Role` or `ClusterRole` (only `ClusterRole` in a ClusterRoleBinding), or whose `name` is empty
  or holds `/` or `%` (or is `.` or `..`);
- a subject without a name, of a kind other than `ServiceAccount`, `User` and `Group`, a
  ServiceAccount whose name is not a DNS subdomain or that has an `apiGroup`, a ServiceAccount of
  a ClusterRoleBinding without a `namespace`, or a User or Group whose `apiGroup` is not
  `rbac.authorization.k8s.io`.

A field missing where the OpenAPI schema requires it (`verbs`, `roleRef`, a subject's `name`)
or of the wrong type is reported by the schema rules, not here; names in `metadata` by
[kubernetes-name](kubernetes-name.md).

## Why

Kubernetes `pkg/apis/rbac/validation/validation.go`: `ValidateRole` and `ValidateClusterRole`
check each rule with `ValidatePolicyRule` (namespaced for a Role), and `ValidateClusterRole`
the `aggregationRule` (`ValidateLabelSelector` on each selector); `ValidateRoleBinding` and
`ValidateClusterRoleBinding` check the `roleRef` (`ValidateRBACName`:
`path.IsValidPathSegmentName`) and each subject with `ValidateRoleBindingSubject`
(`ValidateServiceAccountName`: a DNS subdomain). The defaults applied before
(`pkg/apis/rbac/v1/defaults.go`: `SetDefaults_RoleBinding`, `SetDefaults_ClusterRoleBinding`,
`SetDefaults_Subject`) fill an empty `roleRef.apiGroup` and the `apiGroup` of a User or Group
subject with `rbac.authorization.k8s.io`, so leaving those out is fine.

## What happens at runtime

The API server refuses the object (`kubectl apply` and `helm install` fail with e.g.
`Role.rbac.authorization.k8s.io "r" is invalid: rules[0].nonResourceURLs: Invalid value:
["*"]: namespaced rules cannot apply to non-resource URLs` or `ClusterRoleBinding ... is
invalid: subjects[0].namespace: Required value`); nothing is granted.

## How to fix

Give each rule its verbs, and a resource rule its API groups (`""` is the core group) and
resources; move non-resource URLs to a ClusterRole, in rules of their own. Point `roleRef` at
a `Role` or `ClusterRole` of `rbac.authorization.k8s.io` by name; name every subject, and give
a ServiceAccount bound by a ClusterRoleBinding its namespace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import name_is_dns_subdomain_errors, path_segment_name_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._selector import selector_messages

GROUP = "rbac.authorization.k8s.io"
Path = tuple[str | int, ...]
SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def _empty(value: Any) -> bool:
    """Go's ``len(x) == 0`` for a list the YAML left out, set to null or to []."""
    return value is None or value == []


def policy_rule(rule: Any, namespaced: bool, path: Path) -> Iterator[tuple[str, Path]]:
    """ValidatePolicyRule. A null rule decodes to an empty PolicyRule; another non-mapping is
    the schema's business."""
    null = rule is None
    if null:
        rule = {}
    if not isinstance(rule, dict):
        return
    if null or rule.get("verbs") == []:  # a missing or null list: the schema rules report it
        where = (*path, "verbs")
        yield f.required(where, "verbs must contain at least one value"), where
    urls = rule.get("nonResourceURLs")
    if isinstance(urls, list) and urls:
        where = (*path, "nonResourceURLs")
        # The value as Go prints a []string: ["*"].
        as_go = json.dumps(urls, separators=(",", ":"))
        shown = f"{f.describe_path(where)}: Invalid value: {f.brief(as_go)}"
        if namespaced:
            yield f"{shown}: namespaced rules cannot apply to non-resource URLs", where
        if any(
            isinstance(rule.get(key), list) and rule[key]
            for key in ("apiGroups", "resources", "resourceNames")
        ):
            both = "rules cannot apply to both regular resources and non-resource URLs"
            yield f"{shown}: {both}", where
        return
    if _empty(rule.get("apiGroups")):
        where = (*path, "apiGroups")
        yield f.required(where, "resource rules must supply at least one api group"), where
    if _empty(rule.get("resources")):
        where = (*path, "resources")
        yield f.required(where, "resource rules must supply at least one resource"), where


def _rules(doc: dict[str, Any], namespaced: bool) -> Iterator[tuple[str, Path]]:
    rules = doc.get("rules")
    if isinstance(rules, list):
        for i, rule in enumerate(rules):
            yield from policy_rule(rule, namespaced, ("rules", i))


def _aggregation(doc: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    aggregation = doc.get("aggregationRule")
    if not isinstance(aggregation, dict):
        return
    selectors = aggregation.get("clusterRoleSelectors")
    where: Path = ("aggregationRule", "clusterRoleSelectors")
    if _empty(selectors):
        detail = "at least one clusterRoleSelector required if aggregationRule is non-nil"
        yield f.required(where, detail), ("aggregationRule",)
        return
    if isinstance(selectors, list):
        for i, selector in enumerate(selectors):
            if isinstance(selector, dict):
                yield from selector_messages((*where, i), selector)


def _role_ref(doc: dict[str, Any], kinds: tuple[str, ...]) -> Iterator[tuple[str, Path]]:
    ref = doc.get("roleRef")
    if not isinstance(ref, dict):
        return  # missing or of the wrong type: the schema rules report it
    group = ref.get("apiGroup")
    if isinstance(group, str) and group and group != GROUP:
        where: Path = ("roleRef", "apiGroup")
        yield f.not_supported(where, group, (GROUP,)), where
    kind = ref.get("kind")
    if isinstance(kind, str) and kind not in kinds:
        where = ("roleRef", "kind")
        yield f.not_supported(where, kind, kinds), where
    name = ref.get("name")
    if isinstance(name, str):
        where = ("roleRef", "name")
        if not name:
            yield f.required(where), where
        for message in path_segment_name_errors(name):
            yield f.invalid(where, name, message), where


def subject_problems(subject: Any, namespaced: bool, path: Path) -> Iterator[tuple[str, Path]]:
    """ValidateRoleBindingSubject, after SetDefaults_Subject. A null subject decodes to an
    empty one."""
    if subject is None:
        subject = {"name": "", "kind": ""}
    if not isinstance(subject, dict):
        return
    name = subject.get("name")
    if name == "":
        yield f.required((*path, "name")), (*path, "name")
    kind = subject.get("kind")
    if not isinstance(kind, str):
        return  # missing or of the wrong type: the schema rules report it
    group = subject.get("apiGroup")
    group_text = group if isinstance(group, str) else ""
    if kind == "ServiceAccount":
        if isinstance(name, str) and name:
            for message in name_is_dns_subdomain_errors(name):
                yield f.invalid((*path, "name"), name, message), (*path, "name")
        if group_text:
            yield f.not_supported((*path, "apiGroup"), group_text, ("",)), (*path, "apiGroup")
        namespace = subject.get("namespace")
        if not namespaced and (namespace is None or namespace == ""):
            yield f.required((*path, "namespace")), path
    elif kind in ("User", "Group"):
        if group_text and group_text != GROUP:
            yield f.not_supported((*path, "apiGroup"), group_text, (GROUP,)), (*path, "apiGroup")
    else:
        yield f.not_supported((*path, "kind"), kind, SUBJECT_KINDS), (*path, "kind")


def _subjects(doc: dict[str, Any], namespaced: bool) -> Iterator[tuple[str, Path]]:
    subjects = doc.get("subjects")
    if isinstance(subjects, list):
        for i, subject in enumerate(subjects):
            yield from subject_problems(subject, namespaced, ("subjects", i))


def problems(kind: str, doc: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    if kind == "Role":
        yield from _rules(doc, namespaced=True)
    elif kind == "ClusterRole":
        yield from _rules(doc, namespaced=False)
        yield from _aggregation(doc)
    elif kind == "RoleBinding":
        yield from _role_ref(doc, ("Role", "ClusterRole"))
        yield from _subjects(doc, namespaced=True)
    elif kind == "ClusterRoleBinding":
        yield from _role_ref(doc, ("ClusterRole",))
        yield from _subjects(doc, namespaced=False)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.group != GROUP:
        return
    refused = f"the API server refuses the {resource.kind}"
    for message, where in problems(resource.kind, resource.doc):
        yield RULE.finding(resource, f"{message}; {refused}.", where)


RULE = Rule(
    id="kubernetes-rbac",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="Roles and bindings that the API server's RBAC validation refuses",
    check=check,
    kinds=frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}),
)
