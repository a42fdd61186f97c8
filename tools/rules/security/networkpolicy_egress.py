"""A `NetworkPolicy` restricts egress (`policyTypes` includes `Egress`) of pods that run a Dapr
sidecar, and no egress rule for those pods allows all of:

- DNS: UDP 53 to kube-dns in `kube-system`;
- Dapr sentry: TCP **50001**, the pod port behind the `dapr-sentry` Service's 443;
- Dapr operator: TCP **6500**, the pod port behind `dapr-api`.

A policy covers a Dapr app when its `podSelector` is empty, or it selects
`dapr.io/app-id`, `dapr.io/sidecar-injected`, `app` or `app.kubernetes.io/name` with the app's
ID. App IDs come from component and subscription scopes, topic scopes, Configuration access
policies and pod-template `dapr.io/app-id` annotations in the same namespace and profile.
NetworkPolicies add up, so every egress policy that selects the same pods is taken into
account. A default-deny policy together with a separate allow-Dapr policy is fine.

## Why

The daprd sidecar is a container in the app's pod, so the pod's egress policy applies to it. It
needs DNS, a workload certificate from sentry before it can do anything, and its components,
configuration and subscriptions from the operator. Traffic between the app and its sidecar on
3500/50001 is loopback, which NetworkPolicy never blocks. A rule that allows traffic "to the
sidecar" does nothing.

## What happens at runtime

daprd cannot get its certificate and exits. The pod never becomes Ready. Kafka, PostgreSQL and
service invocation are unreachable too. On OKE this happens only when Calico enforces the
policies. Without Calico the policy is silently ignored.

## How to fix

Add egress rules for the Dapr control plane and DNS, then for the app's own dependencies:

```yaml
  egress:
    - to:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
          podSelector: {matchLabels: {k8s-app: kube-dns}}
      ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]
    - to:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dapr-system}}
      ports:
        - {protocol: TCP, port: 50001}  # sentry
        - {protocol: TCP, port: 6500}   # operator
        - {protocol: TCP, port: 50005}  # placement
        - {protocol: TCP, port: 50006}  # scheduler
```
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule

_APP_LABELS = ("dapr.io/app-id", "app", "app.kubernetes.io/name")
_INJECTED = "dapr.io/sidecar-injected"
_EVERY = "*"
_NAMESPACE_NAME = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Target:
    """A destination daprd needs, as NetworkPolicy sees it (pod port, after Service DNAT)."""

    label: str
    port: int
    protocol: str
    labels: dict[str, str] | None  # None: any pods may serve it
    namespace: str | None  # None: any namespace may host it (the Dapr release namespace varies)


TARGETS = (
    # Clusters run their resolver under many names (CoreDNS, NodeLocal DNSCache, a custom
    # namespace), so any peer outside the pod's namespace on UDP 53 counts as DNS.
    Target("DNS (UDP 53)", 53, "UDP", None, None),
    Target("Dapr sentry (TCP 50001)", 50001, "TCP", {"app": "dapr-sentry"}, None),
    Target("Dapr operator (TCP 6500)", 6500, "TCP", {"app": "dapr-operator"}, None),
)
# Label keys that name what a pod is; a selector with a different value there picks other pods.
_IDENTITY_KEYS = ("app", "k8s-app", "dapr.io/app-id")


def _selector_parts(selector: Any) -> tuple[dict[str, str], list[dict[str, Any]]]:
    if not isinstance(selector, dict):
        return {}, []
    labels = selector.get("matchLabels")
    exprs = selector.get("matchExpressions")
    return (
        {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
        [e for e in exprs if isinstance(e, dict)] if isinstance(exprs, list) else [],
    )


def _expr_allows(expr: dict[str, Any], key: str, value: str | None) -> bool | None:
    """Whether one matchExpression admits label ``key`` having ``value`` (None: label absent).

    Returns None when the expression is about another key.
    """
    if expr.get("key") != key:
        return None
    operator = expr.get("operator")
    values = [str(v) for v in expr.get("values") or []]
    if operator == "In":
        return value in values
    if operator == "NotIn":
        return value not in values
    if operator == "Exists":
        return value is not None
    if operator == "DoesNotExist":
        return value is None
    return True


def _covered_apps(policy: Resource, known: frozenset[str]) -> set[str]:
    """App IDs whose pods the policy's podSelector selects; ``*`` for every pod."""
    selector = dapr_model.dig(policy.doc, "spec", "podSelector")
    labels, exprs = _selector_parts(selector)
    if not labels and not exprs:
        return {_EVERY}
    named = {v for k, v in labels.items() if k == "dapr.io/app-id"}
    for expr in exprs:
        if expr.get("key") == "dapr.io/app-id" and expr.get("operator") == "In":
            named.update(str(v) for v in expr.get("values") or [])
    # A pod of app X carries X under every app label: a selector pinning one selects X only,
    # so only X needs trying (trying every known app made each policy cost their number).
    pinned = {v for k, v in labels.items() if k in _APP_LABELS}
    candidates = {v for v in pinned if v in known or v in named} if pinned else known | named
    covered: set[str] = set()
    for app in candidates:
        pod = {"dapr.io/app-id": app, "app": app, "app.kubernetes.io/name": app, _INJECTED: "true"}
        identified = False
        compatible = True
        for key, value in labels.items():
            if key in pod:
                if pod[key] != value:
                    compatible = False
                identified = identified or key in _APP_LABELS or key == _INJECTED
        for expr in exprs:
            key = str(expr.get("key"))
            if key in pod:
                verdict = _expr_allows(expr, key, pod[key])
                if verdict is False:
                    compatible = False
                elif expr.get("operator") in {"In", "Exists"}:
                    identified = True
        if compatible and identified:
            covered.add(app)
    return covered


def _has_egress(policy: Resource) -> bool:
    spec = dapr_model.spec(policy)
    types = spec.get("policyTypes")
    if isinstance(types, list):
        return "Egress" in types
    return "egress" in spec


def _port_allows(ports: Any, target: Target) -> bool:
    if not isinstance(ports, list) or not ports:
        return True
    for entry in ports:
        if not isinstance(entry, dict):
            continue
        if str(entry.get("protocol") or "TCP").upper() != target.protocol:
            continue
        port = entry.get("port")
        if port is None or (isinstance(port, str) and not (port.isascii() and port.isdigit())):
            return True  # every port, or a named port we cannot resolve here
        if isinstance(port, bool) or not isinstance(port, int | str):
            continue  # not a port at all: schema-kubernetes reports it
        low = int(port)
        high = entry.get("endPort")
        high = high if isinstance(high, int) and not isinstance(high, bool) else low
        if low <= target.port <= high:
            return True
    return False


def _labels_allow(selector: Any, wanted: dict[str, str]) -> bool:
    labels, exprs = _selector_parts(selector)
    for key, value in labels.items():
        if key in _IDENTITY_KEYS and wanted.get(key) != value:
            return False
    for expr in exprs:
        key = str(expr.get("key"))
        if key in _IDENTITY_KEYS and _expr_allows(expr, key, wanted.get(key)) is False:
            return False
    return True


def _peer_allows(peer: Any, target: Target) -> bool:
    if not isinstance(peer, dict):
        return False
    if "ipBlock" in peer:
        return True  # a CIDR may well hold the pod network; not provably wrong
    if "namespaceSelector" not in peer:
        # Pods of the policy's own namespace only: neither kube-dns nor the control plane.
        return False
    ns_labels, _ = _selector_parts(peer.get("namespaceSelector"))
    name = ns_labels.get(_NAMESPACE_NAME)
    if name is not None and target.namespace is not None and name != target.namespace:
        return False
    if target.labels is None:
        return True
    return _labels_allow(peer.get("podSelector"), target.labels)


def _rule_allows(rule: Any, target: Target) -> bool:
    if not isinstance(rule, dict) or not _port_allows(rule.get("ports"), target):
        return False
    peers = rule.get("to")
    if not isinstance(peers, list) or not peers:
        return True
    return any(_peer_allows(p, target) for p in peers)


def _egress_rules(policy: Resource) -> list[Any]:
    rules = dapr_model.spec(policy).get("egress")
    return rules if isinstance(rules, list) else []


@dataclass
class _EgressRules:
    """The group's egress rules: of the policies selecting every pod, whether they allow each
    target; of the others, the rules by app they select."""

    every_allows: dict[str, bool]
    by_app: dict[str, list[Any]]


def _egress_policies(bundle: Bundle, resource: Resource, known: frozenset[str]) -> _EgressRules:
    """Computed once per group, so that each app's check costs only its own policies' rules
    (going through every policy of the group for every app was quadratic)."""

    def build() -> _EgressRules:
        every: list[Any] = []
        by_app: dict[str, list[Any]] = {}
        for p in dapr_model.group_of(bundle, resource):
            if p.kind != "NetworkPolicy" or p.group != resource.group or not _has_egress(p):
                continue
            coverage = _covered_apps(p, known)
            if _EVERY in coverage:
                every += _egress_rules(p)
                continue
            for app in coverage:
                by_app.setdefault(app, []).extend(_egress_rules(p))
        allows = {t.label: any(_rule_allows(r, t) for r in every) for t in TARGETS}
        return _EgressRules(allows, by_app)

    return bundle.memo(("egress-policies", resource.profile, resource.namespace), build)


def _missing_for(bundle: Bundle, resource: Resource, known: frozenset[str], app: str) -> list[str]:
    """What the group's egress rules, taken together, fail to allow for one app's pods."""

    def build() -> list[str]:
        egress = _egress_policies(bundle, resource, known)
        rules = egress.by_app.get(app, [])
        return [
            t.label
            for t in TARGETS
            if not egress.every_allows[t.label] and not any(_rule_allows(r, t) for r in rules)
        ]

    return bundle.memo(("egress-missing", resource.profile, resource.namespace, app), build)


def _missing_by_app(
    bundle: Bundle, resource: Resource, known: frozenset[str], apps: Iterable[str]
) -> dict[str, list[str]]:
    """app -> what its pods miss, for those of ``apps`` (sorted) that miss something."""
    missing_by_app: dict[str, list[str]] = {}
    for app in sorted(apps):
        missing = _missing_for(bundle, resource, known, app)
        if missing:
            missing_by_app[app] = missing
    return missing_by_app


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.kind != "NetworkPolicy" or not _has_egress(resource):
        return
    known = dapr_model.known_app_ids(bundle, resource)
    covered = _covered_apps(resource, known)
    if not covered:
        return
    if _EVERY in covered and known:
        # The same for every such policy of the group: worked out once, not once per policy.
        key = ("egress-missing-every-app", resource.profile, resource.namespace)
        missing_by_app = bundle.memo(key, partial(_missing_by_app, bundle, resource, known, known))
    else:
        missing_by_app = _missing_by_app(bundle, resource, known, covered)
    if not missing_by_app:
        return
    who = ", ".join(
        "every pod in the namespace" if a == _EVERY else f"app '{a}'" for a in missing_by_app
    )
    missing_all = sorted({m for ms in missing_by_app.values() for m in ms})
    spec = dapr_model.spec(resource)
    path = ("spec", "egress") if "egress" in spec else ("spec", "policyTypes")
    yield RULE.finding(
        resource,
        f"NetworkPolicy restricts egress of {who}, and no Egress rule selecting those pods allows "
        f"{', '.join(missing_all)}. The daprd sidecar runs in the same pod: it cannot resolve "
        "names, get its mTLS certificate from sentry or load components from the operator, so it "
        "fails to start and the pod never becomes Ready. Add egress rules for UDP/TCP 53 to "
        "kube-dns and for TCP 50001 (sentry), 6500 (operator), 50005 (placement) and 50006 "
        "(scheduler) to the Dapr control-plane namespace",
        path,
    )


RULE = Rule(
    id="security-networkpolicy-egress",
    category="security",
    severity=Severity.ERROR,
    summary="a NetworkPolicy restricts a Dapr app's egress without DNS, sentry and operator",
    check=check,
    modes="kubernetes",
    kinds=frozenset({"NetworkPolicy"}),
)
