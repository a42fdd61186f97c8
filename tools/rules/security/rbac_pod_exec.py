"""A rule of a `Role` or `ClusterRole` lets its holder run commands in, attach to or
port-forward into pods: `create` or `get` on `pods/exec`, `pods/attach` or `pods/portforward`
(core group), written out or through `*` or `*/exec`. In a ClusterRole, `get` or `create` on
`nodes/proxy` too, which reaches the same endpoints of every pod on a node through its
kubelet. One finding per rule, naming what it grants.

## Why

`NewRequestInfo` (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go) names the
verb of a request after its HTTP method: `POST` is `create`, `GET` is `get`. The exec, attach
and portforward subresources accept both (`ConnectMethods` in
pkg/registry/core/pod/rest/subresources.go): SPDY clients `POST`, and WebSocket clients
(recent kubectl tries a WebSocket first) `GET`. So `get` alone opened a shell. Since Kubernetes
1.35, `ExecREST.Connect`, `AttachREST.Connect` and `PortForwardREST.Connect` also require
`create` on the subresource, behind the `AuthorizePodWebsocketUpgradeCreatePermission` feature
gate, which is on by default. On those clusters `get` alone no longer suffices; before 1.35,
or with the gate off, it does.

The kubelet authorizes its own API the same way (`GetRequestAttributes`,
pkg/kubelet/server/auth.go): its `/exec`, `/attach`, `/portForward` and `/run` paths are the
`proxy` subresource of `nodes`, with the verb taken from the HTTP method. `get` on
`nodes/proxy` therefore allows a WebSocket exec into any pod of the node, sent to the kubelet
directly, where none of the API server's checks on `pods/exec` run.

## What happens at runtime

The holder runs any command in the pod's containers, with the container's identity: its
ServiceAccount token, its mounted Secrets, its network reach, and the app's data. For the
app's own ServiceAccount that turns one compromised pod into all of them.

## How to fix

Keep exec for people, through a role bound to a group of operators, never to a workload's
ServiceAccount. Reading logs needs only `pods/log`:

```yaml
rules:
  - apiGroups: [""]
    resources: ["pods", "pods/log"]
    verbs: ["get", "list"]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.security._rbac import ROLE_KINDS, PolicyRule, policy_rules, reach

_POD_SUBRESOURCES = ("exec", "attach", "portforward")
_VERBS = ("create", "get")


def grants(rule: PolicyRule, cluster: bool) -> list[tuple[str, str]]:
    """(verb, resource/subresource) pairs of ``rule`` that open a session into a pod."""
    found = [
        (verb, f"pods/{sub}")
        for sub in _POD_SUBRESOURCES
        for verb in _VERBS
        if rule.allows(verb, "", "pods", sub)
    ]
    if cluster:
        found += [
            (verb, "nodes/proxy") for verb in _VERBS if rule.allows(verb, "", "nodes", "proxy")
        ]
    return found


def _describe(pairs: list[tuple[str, str]]) -> str:
    """``create and get on pods/exec, pods/attach; get on nodes/proxy``."""
    verbs: dict[str, list[str]] = {}
    for verb, target in pairs:
        verbs.setdefault(target, []).append(verb)
    targets: dict[str, list[str]] = {}
    for target, vs in verbs.items():
        targets.setdefault(" and ".join(vs), []).append(target)
    return "; ".join(f"{vs} on {', '.join(ts)}" for vs, ts in targets.items())


def _consequence(pairs: list[tuple[str, str]]) -> str:
    pods = {(v, r) for v, r in pairs if r.startswith("pods/")}
    parts: list[str] = []
    if any(v == "create" for v, _ in pods):
        parts.append("create opens exec, attach or port-forward sessions on every cluster version")
    elif pods:
        parts.append(
            "get alone opens exec, attach or port-forward sessions over WebSocket before "
            "Kubernetes 1.35 (from 1.35 the API "
            "server also requires create, unless AuthorizePodWebsocketUpgradeCreatePermission "
            "is turned off)"
        )
    if any(r == "nodes/proxy" for _, r in pairs):
        parts.append(
            "nodes/proxy reaches the kubelet's exec, attach and run endpoints of every pod on a "
            "node, past the API server's checks on pods/exec"
        )
    return "; ".join(parts)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    cluster = resource.kind == "ClusterRole"
    for rule in policy_rules(resource):
        pairs = grants(rule, cluster)
        if not pairs:
            continue
        what = _describe(pairs)
        narrowed = f" (only for resourceNames {rule.names_label()})" if rule.resource_names else ""
        yield RULE.finding(
            resource,
            f"{resource.kind} rule grants {what}{narrowed}, {reach(bundle, resource)}: "
            f"{_consequence(pairs)}. A holder runs commands with the container's token, "
            "Secrets and network reach. Keep exec for operators' roles, not a workload's",
            rule.verb_path(pairs[0][0]),
        )


RULE = Rule(
    id="security-rbac-pod-exec",
    category="security",
    severity=Severity.WARNING,
    summary="an RBAC rule allows exec, attach or port-forward into pods (or nodes/proxy)",
    check=check,
    modes="kubernetes",
    kinds=ROLE_KINDS,
    severity_note=(
        "always a warning: the API server honours the rule; it is a risk, not a breach by "
        "itself, including get without create (which opens sessions only before Kubernetes "
        "1.35 or with AuthorizePodWebsocketUpgradeCreatePermission off)"
    ),
)
