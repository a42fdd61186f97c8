"""For `apps/v1` Deployment, ReplicaSet, StatefulSet and DaemonSet:

- `spec.selector` is not a valid label selector (the same checks as
  [kubernetes-label-selector](kubernetes-label-selector.md));
- `spec.selector` has neither `matchLabels` nor `matchExpressions` (`empty selector is invalid
  for deployment` — the API server says "deployment" for ReplicaSets too);
- the selector does not select the pod template's own `metadata.labels` (`` `selector` does
  not match template `labels` ``).

## Why

The schema only requires `selector` to be an object. A controller whose selector does not
match its pods would never see them, so the API server refuses it.

## What happens in the cluster

The apply fails, e.g. `spec.template.metadata.labels: Invalid value: map[string]string{"app":
"web"}: `selector` does not match template `labels``.

## How to fix

Put every `matchLabels` pair of the selector into `spec.template.metadata.labels` (and make the
`matchExpressions` hold for them). Note that a Deployment's selector cannot be changed later.

## Source

Kubernetes 1.34 `pkg/apis/apps/validation/validation.go`: `ValidateDeploymentSpec`,
`ValidateReplicaSetSpec`, `ValidatePodTemplateSpecForReplicaSet`, `ValidateStatefulSetSpec`,
`ValidatePodTemplateSpecForStatefulSet`, `ValidateDaemonSetSpec`; `ValidateLabelSelector` in
k8s.io/apimachinery v0.34.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._selector import selector_messages, selects

# kind -> the word the API server uses in "empty selector is invalid for <word>"
KINDS = {"Deployment": "deployment", "ReplicaSet": "deployment", "StatefulSet": "statefulset",
         "DaemonSet": "daemonset"}  # fmt: skip


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    word = KINDS.get(resource.kind)
    if word is None or resource.api_version != "apps/v1":
        return
    spec = f.as_dict(resource.doc.get("spec"))
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        return  # required by the schema
    path = ("spec", "selector")
    problems = list(selector_messages(path, selector))
    for message, where in problems:
        yield RULE.finding(resource, message, where)
    empty = not f.as_dict(selector.get("matchLabels")) and not f.as_list(
        selector.get("matchExpressions")
    )
    if empty:
        yield RULE.finding(
            resource,
            f"spec.selector: Invalid value: {{}}: empty selector is invalid for {word}",
            path,
        )
    if problems or (empty and resource.kind != "DaemonSet"):
        return
    template = f.as_dict(spec.get("template"))
    labels = f.as_dict(f.as_dict(template.get("metadata")).get("labels"))
    if not selects(selector, labels):
        where = ("spec", "template", "metadata", "labels")
        shown = ", ".join(f"{f.brief(k, 40)}={f.brief(v, 40)}" for k, v in list(labels.items())[:5])
        yield RULE.finding(
            resource,
            f"spec.template.metadata.labels: Invalid value: {{{shown}}}: `selector` does not "
            "match template `labels`",
            where if labels else ("spec", "template"),
        )


RULE = Rule(
    id="kubernetes-workload-selector",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="workload selectors: valid, not empty, and matching the pod template's labels",
    check=check,
    kinds=frozenset(KINDS),
)
