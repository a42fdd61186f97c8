"""A Pod, or the pods of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
CronJob, ReplicationController), are selected for ingress by no `NetworkPolicy` of their
namespace, while other NetworkPolicies in that namespace (in the same input and profile) do
restrict ingress of their pods.

A policy selects the pods when its `podSelector` matches the labels they will carry, as a
label selector matches: `matchLabels` and every `matchExpressions` entry (`In`, `NotIn`,
`Exists`, `DoesNotExist`) must hold, and an empty selector selects every pod. The labels are
the template's (a Pod's own) plus those the Dapr sidecar injector adds, so a policy selecting
`dapr.io/app-id: backend` covers a template annotated `dapr.io/enabled: "true"` and
`dapr.io/app-id: backend` even when the template's own labels do not say so. A policy counts
for ingress when its `policyTypes` include `Ingress`, or when it has no `policyTypes` (every
policy then restricts ingress). Where the manifest cannot tell (the app ID of a template
without a `dapr.io/app-id` annotation is its generated pod name; a selector the API server
would refuse), the policy is taken to select the pods.

Nothing is reported in a namespace where the input holds no NetworkPolicy restricting ingress:
validating a workload file alone, without the cluster's policies, says nothing about them.

## Why

Kubernetes isolates a pod's ingress only once some NetworkPolicy selects it
(`NetworkPolicySpec.Ingress` in pkg/apis/networking/types.go: traffic is allowed when no
policy selects the pod). Which pods a selector picks is `LabelSelectorAsSelector`
(k8s.io/apimachinery pkg/apis/meta/v1/helpers.go) with `Requirement.Matches`
(pkg/labels/selector.go). The injected labels are those dapr's `SidecarConfig.GetPatch`
(pkg/injector/patcher/sidecar_patcher.go) adds: `dapr.io/sidecar-injected: "true"`,
`dapr.io/app-id` (`GetAppID`: the annotation, else the pod's name) and
`dapr.io/metrics-enabled`, on pods whose `dapr.io/enabled` annotation is truthy
(`strings.IsTruthy`) and that have no `daprd` container yet (`NeedsPatching`).

## What happens at runtime

The namespace looks locked down, but these pods accept connections from any pod in the cluster
and from anything that can route to them, on every port: the app's ports and the sidecar's
internal gRPC (50002), health (3501) and metrics (9090) ports. Usually a policy meant for them
selects by a label they do not carry (a typo, `app` where the template sets
`app.kubernetes.io/name`, an app ID that differs).

## How to fix

Make a policy's `podSelector` match the pods, or add one for them. For a Dapr app, select by
the label the injector sets:

```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: backend, namespace: todo}
spec:
  podSelector:
    matchLabels: {dapr.io/app-id: backend}
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector: {matchLabels: {dapr.io/sidecar-injected: "true"}}
      ports: [{protocol: TCP, port: 50002}]
```

A namespace-wide `podSelector: {}` policy with no ingress rules denies all ingress by default
and covers every pod, this one included.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _networkpolicy as np
from tools.rules.kubernetes._pods import KINDS
from tools.rules.security._pod_security import pod_view
from tools.rules.security._selectors import (
    APP_ID_LABEL,
    INJECTED_LABEL,
    Labels,
    pod_labels,
    selector_matches,
)

# What a pod must carry for a selector to select it: a label with a value (from matchLabels),
# or a label with any value (value None: from an In or Exists expression).
Anchor = tuple[str, str | None]


@dataclass
class _Policies:
    """The ingress-restricting policies of one (profile, namespace), indexed so that a pod is
    tried only against the selectors that can select it."""

    count: int = 0
    every: bool = False  # a policy with an empty podSelector
    # Each selector under the anchor that the fewest selectors share.
    by_anchor: dict[Anchor, list[Any]] = field(default_factory=dict)
    # Selectors anchored by a label with a value, by the label's key (for pods whose value of
    # it is unknown).
    by_key: dict[str, list[Any]] = field(default_factory=dict)
    others: list[Any] = field(default_factory=list)  # selectors without an anchor

    def add_all(self, selectors: list[Any]) -> None:
        counts: Counter[Anchor] = Counter()
        for selector in selectors:
            counts.update(_anchors(selector))
        for selector in selectors:
            self.count += 1
            if (
                isinstance(selector, dict)
                and not selector.get("matchLabels")
                and not (selector.get("matchExpressions"))
            ):
                self.every = True
                continue
            anchors = _anchors(selector)
            if not anchors:
                self.others.append(selector)
                continue
            rarest = min(anchors, key=lambda a: counts[a])
            self.by_anchor.setdefault(rarest, []).append(selector)
            if rarest[1] is not None:
                self.by_key.setdefault(rarest[0], []).append(selector)

    def selects(self, labels: Labels) -> bool:
        """Whether some policy selects (or may select) a pod with ``labels``."""
        if self.every:
            return True
        candidates: list[list[Any]] = [self.others]
        for key, value in labels.items():
            candidates.append(self.by_anchor.get((key, None), []))
            if value is None:
                candidates.append(self.by_key.get(key, []))
            else:
                candidates.append(self.by_anchor.get((key, value), []))
        return any(selector_matches(s, labels) is not False for group in candidates for s in group)


def _anchors(selector: Any) -> list[Anchor]:
    """The labels a pod must carry for ``selector`` to select it (only of a well-formed one:
    a selector the API server refuses may select anything, and gets none)."""
    if not isinstance(selector, dict):
        return []
    labels = selector.get("matchLabels")
    expressions = selector.get("matchExpressions")
    if not isinstance(labels, dict | None) or not isinstance(expressions, list | None):
        return []
    found: list[Anchor] = []
    for key, value in (labels or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            return []
        found.append((key, value))
    for expr in expressions or ():
        if not isinstance(expr, dict) or not isinstance(expr.get("key"), str):
            return []
        if expr.get("operator") in {"In", "Exists"}:
            found.append((expr["key"], None))
    return found


def _restricts_ingress(policy: Resource) -> bool:
    """``SetDefaults_NetworkPolicy`` (pkg/apis/networking/v1/defaults.go): without
    ``policyTypes`` every policy restricts ingress."""
    types = np.spec(policy).get("policyTypes")
    return "Ingress" in types if isinstance(types, list) and types else True


def _selector(policy: Resource) -> Any:
    selector = np.spec(policy).get("podSelector")
    return {} if selector is None else selector


_ANY = object()  # the key of a profile's policies of every namespace


def _index(bundle: Bundle) -> dict[tuple[str | None, object], _Policies]:
    """(profile, namespace) -> its ingress policies, and (profile, _ANY) -> all of the
    profile's, built in one pass over the input."""
    selectors: dict[tuple[str | None, object], list[Any]] = {}
    for r in bundle.resources:
        if np.is_network_policy(r) and _restricts_ingress(r):
            selector = _selector(r)
            selectors.setdefault((r.profile, r.namespace), []).append(selector)
            selectors.setdefault((r.profile, _ANY), []).append(selector)
    index: dict[tuple[str | None, object], _Policies] = {}
    for key, found in selectors.items():
        index[key] = _Policies()
        index[key].add_all(found)
    return index


def _groups(bundle: Bundle, resource: Resource) -> list[_Policies]:
    """The policies that apply in the namespace the pods run in: those of that namespace and
    those without one (applied to whatever namespace they go to). Pods without a namespace go
    wherever they are applied, so every namespace's policies may apply to them."""
    index = bundle.memo("ingress-networkpolicies", lambda: _index(bundle))
    keys: list[tuple[str | None, object]]
    if resource.namespace is None:
        keys = [(resource.profile, _ANY)]
    else:
        keys = [(resource.profile, resource.namespace), (resource.profile, None)]
    return [index[k] for k in keys if k in index]


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    labels = pod_labels(resource)
    view = pod_view(resource)
    if labels is None or view is None:
        return
    groups = _groups(bundle, resource)
    if not groups:
        return
    key = ("ingress-selected", resource.profile, resource.namespace, frozenset(labels.items()))
    if bundle.memo(key, lambda: any(g.selects(labels) for g in groups)):
        return
    count = sum(g.count for g in groups)
    namespace = resource.namespace or "its namespace"
    whose = "this Pod" if view.pod.is_pod else f"the pods of this {resource.kind}"
    app_id = labels.get(APP_ID_LABEL) if labels.get(INJECTED_LABEL) else None
    dapr = f" (Dapr app '{app_id}', with the labels the sidecar injector adds)" if app_id else ""
    policies = "1 NetworkPolicy restricts" if count == 1 else f"{count} NetworkPolicies restrict"
    yield RULE.finding(
        resource,
        f"no NetworkPolicy restricting ingress in namespace '{namespace}' selects {whose}{dapr}, "
        f"though {policies} other pods there: these pods accept connections from any "
        "pod and any routable address on every port, the Dapr sidecar's included. Make a "
        "policy's podSelector match their labels (for a Dapr app, dapr.io/app-id), or add one "
        "for them",
        view.metadata_path,
    )


RULE = Rule(
    id="security-pod-no-networkpolicy",
    category="security",
    severity=Severity.WARNING,
    summary="no NetworkPolicy selects these pods for ingress, though the namespace has some",
    check=check,
    modes="kubernetes",
    kinds=KINDS - {"PodTemplate"},
)
