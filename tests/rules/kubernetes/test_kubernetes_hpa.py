"""kubernetes-hpa: the HorizontalPodAutoscaler spec checks of the autoscaling validation."""

from __future__ import annotations

import pytest
from k8s_rule_util import errors, run

from tools.rules.kubernetes.hpa import RULE

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: todo, namespace: todo}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: todo}
  minReplicas: 1
  maxReplicas: 5
  FIELDS
"""


def hpa(*fields: str) -> str:
    return HPA.replace("FIELDS", "\n  ".join(fields) or "metrics: []")


CPU = "{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}"

VALID = {
    "defaults": (),
    "cpu": (f"metrics: [{CPU}]",),
    "all sources": (
        "metrics:",
        f"  - {CPU}",
        "  - {type: ContainerResource, containerResource: {name: memory, container: daprd,"
        " target: {type: AverageValue, averageValue: 200Mi}}}",
        "  - {type: Pods, pods: {metric: {name: requests_per_second}, target: {type: AverageValue,"
        " averageValue: '0.5'}}}",
        "  - {type: Object, object: {describedObject: {apiVersion: v1, kind: Service, name: web},"
        " metric: {name: hits}, target: {type: Value, value: 10k}}}",
        "  - {type: External, external: {metric: {name: queue_depth, selector: {matchLabels:"
        " {queue: orders}}}, target: {type: AverageValue, averageValue: '30'}}}",
    ),
    # IsStandardContainerResourceName takes any hugepages-<size> too.
    "hugepages": (
        "metrics:",
        "  - {type: ContainerResource, containerResource: {name: hugepages-2Mi, container: app,"
        " target: {type: AverageValue, averageValue: 4Mi}}}",
    ),
    "behavior": (
        "behavior:",
        "  scaleUp: {stabilizationWindowSeconds: 0, selectPolicy: Disabled}",
        "  scaleDown: {stabilizationWindowSeconds: 3600, policies: [{type: Pods, value: 1,"
        " periodSeconds: 1800}, {type: Percent, value: 10, periodSeconds: 60}]}",
    ),
    "replication controller without group": (),
    "equal bounds": (),
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_autoscalers_are_clean(case: str) -> None:
    text = hpa(*VALID[case])
    if case == "replication controller without group":
        text = text.replace("apiVersion: apps/v1, kind: Deployment", "kind: ReplicationController")
    if case == "equal bounds":
        text = text.replace("maxReplicas: 5", "maxReplicas: 1")
    assert errors(RULE, text) == []


REFUSED = {
    "min replicas 0": (
        ("minReplicas: 1", "minReplicas: 0"),
        "/spec/minReplicas",
        "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
    ),
    "max below min": (
        ("maxReplicas: 5", "maxReplicas: 0"),
        "/spec/maxReplicas",
        "spec.maxReplicas: Invalid value: 0: must be greater than 0",
    ),
    "max below min 2": (
        ("minReplicas: 1", "minReplicas: 6"),
        "/spec/maxReplicas",
        "spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`",
    ),
    "core group": (
        ("apiVersion: apps/v1", "apiVersion: v1"),
        "/spec/scaleTargetRef/apiVersion",
        'spec.scaleTargetRef.apiVersion: Invalid value: "v1": apiVersion must specify API group',
    ),
    "no api version": (
        ("apiVersion: apps/v1, ", ""),
        "/spec/scaleTargetRef",
        "apiVersion must specify API group",
    ),
    "bad group version": (
        ("apiVersion: apps/v1", "apiVersion: apps/v1/x"),
        "/spec/scaleTargetRef/apiVersion",
        "unexpected GroupVersion string",
    ),
    "empty name": (
        ("name: todo}", "name: ''}"),
        "/spec/scaleTargetRef/name",
        "spec.scaleTargetRef.name: Required value",
    ),
    "name with slash": (
        ("name: todo}", "name: apps/todo}"),
        "/spec/scaleTargetRef/name",
        "may not contain '/'",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_replica_bounds_and_targets(case: str) -> None:
    (old, new), path, fragment = REFUSED[case]
    findings = run(RULE, hpa().replace(old, new))
    assert any(f.path == path and fragment in f.message for f in findings), [
        (f.path, f.message) for f in findings
    ]
    assert all(f.rule == "kubernetes-hpa" and f.is_error for f in findings)


METRICS = {
    "unknown type": (
        "{type: Cpu, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}",
        "/spec/metrics/0/type",
        'Unsupported value: "Cpu": supported values: "ContainerResource", "External", "Object", '
        '"Pods", "Resource"',
    ),
    "missing source": (
        "{type: Pods, resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}}",
        "/spec/metrics/0",
        "spec.metrics[0].pods: Required value: must populate information for the given metric",
    ),
    "two sources": (
        "{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization:"
        " 50}}, pods: {metric: {name: x}, target: {type: AverageValue, averageValue: 1}}}",
        "/spec/metrics/0/pods",
        "spec.metrics[0].pods: Forbidden: must populate the given metric source only",
    ),
    "zero utilization": (
        "{type: Resource, resource: {name: cpu, target: {type: Utilization,"
        " averageUtilization: 0}}}",
        "/spec/metrics/0/resource/target/averageUtilization",
        "Invalid value: 0: must be greater than 0",
    ),
    "target type": (
        "{type: Resource, resource: {name: cpu, target: {type: Percent, averageUtilization: 50}}}",
        "/spec/metrics/0/resource/target/type",
        "must be either Utilization, Value, or AverageValue",
    ),
    "no target value": (
        "{type: Resource, resource: {name: cpu, target: {type: Utilization}}}",
        "/spec/metrics/0/resource/target",
        "must set either a target raw value or a target utilization",
    ),
    "both target values": (
        "{type: Resource, resource: {name: memory, target: {type: Utilization,"
        " averageUtilization: 50, averageValue: 1Gi}}}",
        "/spec/metrics/0/resource/target/averageValue",
        "may not set both a target raw value and a target utilization",
    ),
    "zero average value": (
        "{type: Pods, pods: {metric: {name: rps}, target: {type: AverageValue,"
        " averageValue: '0'}}}",
        "/spec/metrics/0/pods/target/averageValue",
        "must be positive",
    ),
    "pods without average": (
        "{type: Pods, pods: {metric: {name: rps}, target: {type: Value, value: '5'}}}",
        "/spec/metrics/0/pods/target",
        "must specify a positive target averageValue",
    ),
    "external both": (
        "{type: External, external: {metric: {name: q}, target: {type: Value, value: 1,"
        " averageValue: 2}}}",
        "/spec/metrics/0/external/target/value",
        "may not set both a target value for metric and a per-pod target",
    ),
    "container resource name": (
        "{type: ContainerResource, containerResource: {name: gpu, container: app,"
        " target: {type: Utilization, averageUtilization: 50}}}",
        "/spec/metrics/0/containerResource/name",
        "must be a standard resource for containers",
    ),
    "container name": (
        "{type: ContainerResource, containerResource: {name: cpu, container: App_1,"
        " target: {type: Utilization, averageUtilization: 50}}}",
        "/spec/metrics/0/containerResource/container",
        'containerResource.container: Invalid value: "App_1"',
    ),
    "object slash name": (
        "{type: Object, object: {describedObject: {apiVersion: v1, kind: Service, name: web},"
        " metric: {name: a/b}, target: {type: Value, value: 1}}}",
        "/spec/metrics/0/object/metric/name",
        "may not contain '/'",
    ),
}


@pytest.mark.parametrize("case", sorted(METRICS))
def test_refused_metrics(case: str) -> None:
    metric, path, fragment = METRICS[case]
    findings = run(RULE, hpa(f"metrics: [{metric}]"))
    assert any(f.path == path and fragment in f.message for f in findings), [
        (f.path, f.message) for f in findings
    ]


BEHAVIOR = {
    "window": ("{stabilizationWindowSeconds: 3601}", "stabilizationWindowSeconds", "3600"),
    "negative window": ("{stabilizationWindowSeconds: -1}", "stabilizationWindowSeconds", "zero"),
    "select": ("{selectPolicy: max}", "selectPolicy", '"Disabled", "Max", "Min"'),
    "empty policies": ("{policies: []}", "policies", "must specify at least one Policy"),
    "policy type": (
        "{policies: [{type: Replicas, value: 1, periodSeconds: 15}]}",
        "policies/0/type",
        '"Percent", "Pods"',
    ),
    "policy value": (
        "{policies: [{type: Pods, value: 0, periodSeconds: 15}]}",
        "policies/0/value",
        "must be greater than zero",
    ),
    "policy period": (
        "{policies: [{type: Pods, value: 1, periodSeconds: 1801}]}",
        "policies/0/periodSeconds",
        "must be less than or equal to 1800",
    ),
}


@pytest.mark.parametrize("case", sorted(BEHAVIOR))
def test_refused_behavior(case: str) -> None:
    rules, path, fragment = BEHAVIOR[case]
    (finding,) = run(RULE, hpa(f"behavior: {{scaleDown: {rules}}}"))
    assert finding.path == f"/spec/behavior/scaleDown/{path}"
    assert fragment in finding.message


def test_hostile_shapes_do_not_crash() -> None:
    run(RULE, hpa("metrics: [1, {type: 2, resource: 3}, {type: Pods, pods: {target: 4}}]"))
    run(RULE, hpa("behavior: {scaleUp: [1], scaleDown: {policies: [7, {value: x}]}}"))
    run(
        RULE, hpa("metrics: [{type: Object, object: {describedObject: 5, target: {value: 1e999}}}]")
    )


NO_SPEC = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"


@pytest.mark.parametrize("tail", ["", "spec: null\n"])
def test_a_missing_spec_is_refused(tail: str) -> None:
    """The API server: `spec.maxReplicas: Invalid value: 0: must be greater than 0, ...,
    spec.scaleTargetRef.kind: Required value, ...` -- the schema requires maxReplicas and
    scaleTargetRef only inside a spec, so this rule reports the missing spec."""
    (finding,) = run(RULE, NO_SPEC + tail)
    assert finding.path == "" and finding.is_error
    assert finding.message == (
        "spec is missing; the API server refuses the zero values: spec.maxReplicas: Invalid "
        "value: 0: must be greater than 0; spec.maxReplicas: Invalid value: 0: must be greater "
        "than or equal to `minReplicas`; spec.scaleTargetRef.kind: Required value; "
        "spec.scaleTargetRef.name: Required value; spec.scaleTargetRef.apiVersion: Invalid "
        'value: "": apiVersion must specify API group. Give a spec with scaleTargetRef '
        "(apiVersion, kind, name) and maxReplicas"
    )


def test_fields_the_schema_requires_are_left_to_it() -> None:
    """`spec: {}`: schema-kubernetes reports the missing maxReplicas and scaleTargetRef."""
    assert run(RULE, NO_SPEC + "spec: {}\n") == []
    assert run(RULE, NO_SPEC + "spec: [1]\n") == []
