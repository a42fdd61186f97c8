"""What the security-rbac-* rules share: the policy rules of a Role or ClusterRole as the RBAC
authorizer reads them, whether one of them grants a request, and which bindings in the input
hand a role out.

Matching follows ``RuleAllows`` (plugin/pkg/auth/authorizer/rbac/rbac.go) and its helpers in
pkg/apis/rbac/v1/evaluation_helpers.go: a verb, API group or resource matches when the rule
lists it exactly or lists ``*``; a resource also matches ``*/<subresource>`` when the request is
for that subresource; a rule with ``resourceNames`` matches only a request that names one of
them; a non-resource URL matches ``*``, itself, or an entry ending in ``*`` that prefixes it.
Strings are compared as written: ``Get`` is not ``get``.

Only ``rbac.authorization.k8s.io/v1`` is read (v1beta1 and v1alpha1 were removed in Kubernetes
1.22). A ClusterRole with an ``aggregationRule`` has no rules of its own: the aggregation
controller overwrites them with those of the ClusterRoles its selectors pick, so none are read.
A rule with a field of the wrong type is the schema rules' business: it is not read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tools.core.resource import Resource
from tools.rules import Bundle
from tools.rules.kubernetes._field import as_dict, as_list, brief

Path = tuple[str | int, ...]

API_VERSION = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"
ROLE_KINDS = frozenset({"Role", "ClusterRole"})
BINDING_KINDS = frozenset({"RoleBinding", "ClusterRoleBinding"})
ALL = "*"


_FIELDS = ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs")


def _well_typed(body: dict[str, Any]) -> bool:
    """Whether every list of the rule is absent, null or a list of strings. Anything else fails
    to decode, so the API server refuses the whole object: the schema rules report it."""
    for key in _FIELDS:
        value = body.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            return False
    return True


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(as_list(value))


@dataclass(frozen=True)
class PolicyRule:
    """One entry of ``rules``, its lists reduced to their strings."""

    path: Path
    verbs: tuple[str, ...]
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    resource_names: tuple[str, ...]
    non_resource_urls: tuple[str, ...]

    def verb_matches(self, verb: str) -> bool:
        return ALL in self.verbs or verb in self.verbs

    def group_matches(self, group: str) -> bool:
        return ALL in self.api_groups or group in self.api_groups

    def resource_matches(self, resource: str, subresource: str = "") -> bool:
        combined = f"{resource}/{subresource}" if subresource else resource
        for entry in self.resources:
            if entry in (ALL, combined):
                return True
            if subresource and entry == f"*/{subresource}":
                return True
        return False

    def name_matches(self, name: str) -> bool:
        return not self.resource_names or name in self.resource_names

    def allows(self, verb: str, group: str, resource: str, subresource: str = "") -> bool:
        """Whether the rule grants ``verb`` on some object of the resource, whatever its name
        (``resourceNames`` only narrow which ones)."""
        return (
            self.verb_matches(verb)
            and self.group_matches(group)
            and self.resource_matches(resource, subresource)
        )

    def allows_collection(self, verb: str, group: str, resource: str) -> bool:
        """Whether the rule grants ``verb`` (list, watch) on the whole collection: a request
        without a name, which ``resourceNames`` match only if they list the empty string."""
        return self.allows(verb, group, resource) and self.name_matches("")

    def verb_path(self, verb: str) -> Path:
        """Where ``verb`` (or the ``*`` granting it) is written in the rule."""
        for i, entry in enumerate(self.verbs):
            if entry in (verb, ALL):
                return (*self.path, "verbs", i)
        return self.path

    def names_label(self) -> str:
        """``"a", "b"`` for a message, each name shortened and the list cut after five."""
        shown = [f'"{brief(n, 60)}"' for n in self.resource_names[:5]]
        more = len(self.resource_names) - len(shown)
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def judged(resource: Resource) -> bool:
    """Whether ``resource`` is a Role or ClusterRole whose own rules are in force."""
    if resource.kind not in ROLE_KINDS or resource.api_version != API_VERSION:
        return False
    return not (
        resource.kind == "ClusterRole" and isinstance(resource.doc.get("aggregationRule"), dict)
    )


def policy_rules(resource: Resource) -> Iterator[PolicyRule]:
    """The rules of a Role or ClusterRole in force (see ``judged``). A Role cannot hold
    non-resource URLs (ValidateRole refuses them), so none are read from one."""
    if not judged(resource):
        return
    namespaced = resource.kind == "Role"
    for i, body in enumerate(as_list(resource.doc.get("rules"))):
        if not isinstance(body, dict) or not _well_typed(body):
            continue
        yield PolicyRule(
            path=("rules", i),
            verbs=_strings(body.get("verbs")),
            api_groups=_strings(body.get("apiGroups")),
            resources=_strings(body.get("resources")),
            resource_names=_strings(body.get("resourceNames")),
            non_resource_urls=() if namespaced else _strings(body.get("nonResourceURLs")),
        )


@dataclass(frozen=True)
class Binding:
    kind: str  # RoleBinding or ClusterRoleBinding
    name: str
    namespace: str | None


# (profile, role kind, role namespace (None for a ClusterRole), role name) -> its bindings
_Index = dict[tuple[str | None, str, str | None, str], list[Binding]]


def _index(bundle: Bundle) -> _Index:
    index: _Index = {}
    for r in bundle.resources:
        if r.kind not in BINDING_KINDS or r.api_version != API_VERSION:
            continue
        ref = as_dict(r.doc.get("roleRef"))
        kind, name = ref.get("kind"), ref.get("name")
        if not isinstance(name, str) or not name:
            continue
        key: tuple[str | None, str, str | None, str]
        if kind == "ClusterRole":
            key = (r.profile, "ClusterRole", None, name)
        elif kind == "Role" and r.kind == "RoleBinding":
            # A RoleBinding's Role is looked up in the binding's own namespace.
            key = (r.profile, "Role", r.namespace, name)
        else:
            continue
        index.setdefault(key, []).append(Binding(r.kind, r.name, r.namespace))
    return index


def bindings_of(bundle: Bundle, role: Resource) -> list[Binding]:
    """The bindings in the input (same profile) whose roleRef names ``role``."""
    index = bundle.memo("rbac-bindings", lambda: _index(bundle))
    namespace = role.namespace if role.kind == "Role" else None
    return index.get((role.profile, role.kind, namespace, role.name), [])


def reach(bundle: Bundle, role: Resource) -> str:
    """Where holders of ``role`` get its rules, from the bindings in the input, as a clause
    that follows "it"/"a holder": ``in namespace 'todo'``, ``in every namespace (...)``.
    Worked out once per role, however many of its rules are reported."""
    key = ("rbac-reach", role.profile, role.kind, role.namespace, role.name)
    return bundle.memo(key, lambda: _reach(bundle, role))


def _reach(bundle: Bundle, role: Resource) -> str:
    if role.kind == "Role":
        where = f"namespace '{role.namespace}'" if role.namespace else "its namespace"
        return f"in {where}"
    bindings = bindings_of(bundle, role)
    cluster = [b.name for b in bindings if b.kind == "ClusterRoleBinding"]
    if cluster:
        names = ", ".join(f"'{brief(n, 60)}'" for n in cluster[:3])
        more = f" and {len(cluster) - 3} more" if len(cluster) > 3 else ""
        return f"in every namespace of the cluster (ClusterRoleBinding {names}{more} binds it)"
    if bindings:
        spaces = sorted({f"'{brief(b.namespace, 60)}'" for b in bindings if b.namespace})
        where = f"namespace {', '.join(spaces[:3])}" if spaces else "the RoleBinding's namespace"
        return f"in {where} (a RoleBinding binds it there)"
    return (
        "in every namespace if a ClusterRoleBinding binds it, or in one namespace through a "
        "RoleBinding (the input binds it nowhere)"
    )
