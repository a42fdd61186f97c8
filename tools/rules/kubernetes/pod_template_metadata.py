"""The `metadata` of a workload's pod template (Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, Job, CronJob, PodTemplate):

- a label key that is not a qualified name (`[prefix/]name`, the prefix a DNS subdomain, the
  name at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric), or a label
  value that is not a label value (empty, or at most 63 such characters);
- an annotation key that is not a qualified name (upper case is allowed: the check lowercases
  the key first);
- annotations adding up (keys and values, in bytes) to more than 256 KiB.

A Pod's own `metadata` is object metadata and is checked with that of every other object.

## Why

The template's labels become the pods' labels; the API server validates them when the
workload is applied, not only when pods are created. The schema only gives the types.

## What happens in the cluster

The apply fails, e.g. `spec.template.labels: Invalid value: "…": must be no more than 63
characters`.

## How to fix

Shorten or reshape the label values and keys; move large data out of annotations.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`, `ValidatePodTemplateSpec`;
`pkg/apis/apps/validation/validation.go`, `ValidatePodTemplateSpecForStatefulSet`;
k8s.io/apimachinery v0.34 `ValidateLabels` (`pkg/apis/meta/v1/validation`) and
`ValidateAnnotations` (`pkg/api/validation/objectmeta.go`).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import label_value_errors, qualified_name_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods

ANNOTATIONS_MAX = 256 * 1024  # TotalAnnotationSizeLimitB


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    pod = _pods.pod_spec(resource)
    if pod is None or pod.is_pod:
        return  # a Pod's own metadata is ObjectMeta, checked with every object's
    template = pod.path[:-1]  # .../template
    node: object = resource.doc
    for part in (*template, "metadata"):
        node = f.as_dict(node).get(str(part))
    metadata = f.as_dict(node)
    labels_path = (*template, "labels")
    for key, value in f.as_dict(metadata.get("labels")).items():
        where = (*template, "metadata", "labels", key)
        for msg in qualified_name_errors(str(key)):
            yield RULE.finding(resource, f.invalid(labels_path, key, msg), where)
        if isinstance(value, str):
            for msg in label_value_errors(value):
                yield RULE.finding(resource, f.invalid(labels_path, value, msg), where)
    annotations = f.as_dict(metadata.get("annotations"))
    notes_path = (*template, "annotations")
    size = 0
    for key, value in annotations.items():
        text = str(key)
        for msg in qualified_name_errors(text.lower()):
            where = (*template, "metadata", "annotations", key)
            yield RULE.finding(resource, f.invalid(notes_path, key, msg), where)
        size += len(text.encode()) + (len(value.encode()) if isinstance(value, str) else 0)
    if size > ANNOTATIONS_MAX:
        where = (*template, "metadata", "annotations")
        yield RULE.finding(resource, f.too_long(notes_path, ANNOTATIONS_MAX), where)


RULE = Rule(
    id="kubernetes-pod-template-metadata",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="pod template labels and annotations: valid keys and values, annotations <= 256 KiB",
    check=check,
    kinds=_pods.KINDS - {"Pod"},
)
