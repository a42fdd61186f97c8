"""Label selectors as the API server and the network plugins evaluate them, over the labels a
pod will carry once it runs (the Dapr sidecar injector's included).

``LabelSelectorAsSelector`` (k8s.io/apimachinery, pkg/apis/meta/v1/helpers.go) turns a
``LabelSelector`` into requirements that must all hold: an empty selector selects everything,
each ``matchLabels`` pair is an equality, and ``matchExpressions`` take only ``In``, ``NotIn``,
``Exists`` and ``DoesNotExist`` (anything else makes the selector an error). ``Requirement.Matches``
(pkg/labels/selector.go) decides each: ``In`` needs the label with one of the values, ``NotIn``
holds when the label is absent or has none of them, ``Exists`` and ``DoesNotExist`` test
presence only.

What the manifest cannot tell (a label whose value only the cluster knows, a selector the API
server would refuse) is ``None``: callers treat it as "may match" so that no finding rests on
a guess.
"""

from __future__ import annotations

from typing import Any

from tools.core.resource import Resource
from tools.dapr.metadata_values import TRUTHY
from tools.rules.kubernetes._field import as_dict
from tools.rules.security._pod_security import pod_view

# A pod's labels: value None when the label is present but its value is not in the manifest.
Labels = dict[str, str | None]

_OPERATORS = frozenset({"In", "NotIn", "Exists", "DoesNotExist"})

# What the Dapr sidecar injector adds to a pod it patches (pkg/injector/patcher, GetPatch).
ENABLED_ANNOTATION = "dapr.io/enabled"
APP_ID_ANNOTATION = "dapr.io/app-id"
METRICS_ANNOTATION = "dapr.io/enable-metrics"
INJECTED_LABEL = "dapr.io/sidecar-injected"
APP_ID_LABEL = "dapr.io/app-id"
METRICS_LABEL = "dapr.io/metrics-enabled"
SIDECAR_CONTAINER = "daprd"


def _truthy(value: Any) -> bool:
    """dapr/kit ``strings.IsTruthy``, as the injector reads a boolean annotation."""
    return isinstance(value, str) and value.strip().lower() in TRUTHY


def _has_sidecar(spec: dict[str, Any]) -> bool:
    for key in ("containers", "initContainers"):
        items = spec.get(key)
        for body in items if isinstance(items, list) else ():
            if isinstance(body, dict) and body.get("name") == SIDECAR_CONTAINER:
                return True
    return False


def pod_labels(resource: Resource) -> Labels | None:
    """The labels of the pods ``resource`` runs (a Pod's own, a workload's template's), with
    what the Dapr sidecar injector adds; None when ``resource`` runs no pods.

    The injector patches a pod whose ``dapr.io/enabled`` annotation is truthy and that has no
    ``daprd`` container yet (``NeedsPatching``): it adds ``dapr.io/sidecar-injected: "true"``,
    ``dapr.io/app-id`` (the ``dapr.io/app-id`` annotation, else the pod's name) and
    ``dapr.io/metrics-enabled`` (the ``dapr.io/enable-metrics`` annotation, true by default),
    replacing labels of those names.
    """
    view = pod_view(resource)
    if view is None:
        return None
    labels: Labels = {
        str(k): v if isinstance(v, str) else None
        for k, v in as_dict(view.metadata.get("labels")).items()
    }
    annotations = view.annotations
    if not _truthy(annotations.get(ENABLED_ANNOTATION)) or _has_sidecar(view.spec):
        return labels
    labels[INJECTED_LABEL] = "true"
    app_id = annotations.get(APP_ID_ANNOTATION)
    if isinstance(app_id, str) and app_id:
        labels[APP_ID_LABEL] = app_id
    elif view.pod.is_pod and resource.name:
        labels[APP_ID_LABEL] = resource.name
    else:
        labels[APP_ID_LABEL] = None  # the generated name of each pod
    metrics = annotations.get(METRICS_ANNOTATION, "true")
    labels[METRICS_LABEL] = "true" if _truthy(metrics) else "false"
    return labels


def _requirement(key: str, operator: str, values: list[str], labels: Labels) -> bool | None:
    if key not in labels:
        return operator in {"NotIn", "DoesNotExist"}
    if operator == "Exists":
        return True
    if operator == "DoesNotExist":
        return False
    value = labels[key]
    if value is None:
        return None
    return (value in values) == (operator == "In")


def selector_matches(selector: Any, labels: Labels) -> bool | None:
    """Whether ``selector`` (a LabelSelector mapping) selects a pod with ``labels``: True,
    False, or None when that cannot be known from the manifest."""
    if not isinstance(selector, dict):
        return None
    match_labels = selector.get("matchLabels")
    expressions = selector.get("matchExpressions")
    if match_labels is not None and not isinstance(match_labels, dict):
        return None
    if expressions is not None and not isinstance(expressions, list):
        return None
    unknown = False
    for key, value in (match_labels or {}).items():
        if not isinstance(key, str) or not isinstance(value, str):
            return None
        verdict = _requirement(key, "In", [value], labels)
        if verdict is False:
            return False
        unknown = unknown or verdict is None
    for expr in expressions or ():
        if not isinstance(expr, dict):
            return None
        key, operator, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if not isinstance(key, str) or operator not in _OPERATORS or not isinstance(values, list):
            return None
        verdict = _requirement(key, str(operator), [str(v) for v in values], labels)
        if verdict is False:
            return False
        unknown = unknown or verdict is None
    return None if unknown else True
