"""security-container-resources: memory limit and CPU request, for containers and for daprd."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.container_resources import RULE

GOOD = "{requests: {cpu: 100m}, limits: {memory: 128Mi}}"
SIDECAR = '"dapr.io/sidecar-cpu-request": "50m", "dapr.io/sidecar-memory-limit": "256Mi"'

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: todo
  annotations: {{{annotations}}}
spec:
{pod}  containers:
    - name: app
      image: app:1
      resources: {resources}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: d, namespace: todo}}
spec:
  selector: {{matchLabels: {{app: d}}}}
  template:
    metadata:
      labels: {{app: d}}
      annotations: {{{annotations}}}
    spec:
      initContainers:
        - {{name: migrate, image: "m:1", resources: {init}}}
      containers:
        - {{name: app, image: "app:1", resources: {resources}}}
"""


def pod(resources: str, annotations: str = "", spec: str = "") -> list[Finding]:
    return check(RULE, POD.format(resources=resources, annotations=annotations, pod=spec))


def dapr(annotations: str, resources: str = GOOD) -> list[Finding]:
    return pod(resources, '"dapr.io/enabled": "true"' + (", " + annotations if annotations else ""))


def test_a_memory_limit_and_a_cpu_request_pass() -> None:
    assert pod(GOOD) == []
    # A CPU limit alone becomes the request (SetDefaults_Pod).
    assert pod("{limits: {cpu: 500m, memory: 1Gi}}") == []


def test_a_container_without_resources_makes_the_pod_best_effort() -> None:
    [finding] = pod("{}")
    assert (finding.rule, finding.severity, finding.path) == (
        RULE.id,
        Severity.WARNING,
        "/spec/containers/0/resources",
    )
    assert "container 'app' has no memory limit and no CPU request" in finding.message
    assert "BestEffort" in finding.message


def test_each_missing_part_is_named_and_burstable_is_not_best_effort() -> None:
    [finding] = pod("{requests: {memory: 64Mi}}")
    assert "has no memory limit and no CPU request" in finding.message
    assert "BestEffort" not in finding.message
    assert "Set resources.limits.memory and resources.requests.cpu" in finding.message
    [finding] = pod("{requests: {cpu: 1}}")
    assert "has no memory limit:" in finding.message
    assert finding.message.endswith("Set resources.limits.memory")
    [finding] = pod("{limits: {memory: 1Gi}}")
    assert "has no CPU request:" in finding.message
    assert finding.message.endswith("Set resources.requests.cpu")


def test_zero_is_no_limit() -> None:
    [finding] = pod('{requests: {cpu: 100m}, limits: {memory: "0"}}')
    assert "no memory limit" in finding.message


def test_pod_level_resources_cover_every_container() -> None:
    spec = "  resources: {requests: {cpu: 1}, limits: {memory: 1Gi}}\n"
    assert pod("{}", spec=spec) == []


def test_init_containers_count() -> None:
    findings = check(RULE, DEPLOYMENT.format(init="{}", resources=GOOD, annotations=""))
    assert [f.path for f in findings] == ["/spec/template/spec/initContainers/0/resources"]
    assert "init container 'migrate'" in findings[0].message
    assert "BestEffort" not in findings[0].message


def test_the_daprd_sidecar_needs_its_annotations() -> None:
    [finding] = dapr("")
    assert (finding.severity, finding.path) == (Severity.WARNING, "/metadata/annotations")
    assert "the injected daprd sidecar has no memory limit and no CPU request" in finding.message
    assert "dapr.io/sidecar-memory-limit and dapr.io/sidecar-cpu-request" in finding.message
    assert dapr(SIDECAR) == []
    # The CPU limit becomes daprd's request too.
    both_limits = '"dapr.io/sidecar-cpu-limit": "1", "dapr.io/sidecar-memory-limit": "1Gi"'
    assert dapr(both_limits) == []
    [finding] = dapr('"dapr.io/sidecar-cpu-request": "50m"')
    assert "has no memory limit:" in finding.message
    assert "add dapr.io/sidecar-memory-limit" in finding.message


def test_an_empty_annotation_is_unset_and_a_non_dapr_pod_has_no_sidecar() -> None:
    [finding] = dapr('"dapr.io/sidecar-cpu-request": "", "dapr.io/sidecar-memory-limit": "1Gi"')
    assert "has no CPU request" in finding.message
    assert pod(GOOD, '"dapr.io/enabled": "false"') == []
    assert pod(GOOD, '"dapr.io/enabled": "no", "dapr.io/app-id": "x"') == []


def test_a_sidecar_quantity_the_injector_cannot_parse_is_an_error() -> None:
    [finding] = dapr(
        '"dapr.io/sidecar-cpu-request": "50m", "dapr.io/sidecar-memory-limit": "256 Mi"'
    )
    assert (finding.severity, finding.path) == (
        Severity.ERROR,
        "/metadata/annotations/dapr.io~1sidecar-memory-limit",
    )
    assert "gives daprd no requests and no limits at all" in finding.message
    # resource.ParseQuantity does not trim.
    [finding] = dapr('"dapr.io/sidecar-cpu-request": " 50m", "dapr.io/sidecar-memory-limit": "1Gi"')
    assert finding.path == "/metadata/annotations/dapr.io~1sidecar-cpu-request"


def test_sidecar_values_the_api_server_refuses_are_errors() -> None:
    [finding] = dapr('"dapr.io/sidecar-cpu-request": "-1", "dapr.io/sidecar-memory-limit": "1Gi"')
    assert finding.severity is Severity.ERROR
    assert "negative" in finding.message
    over = SIDECAR + ', "dapr.io/sidecar-memory-request": "1Gi"'
    [finding] = dapr(over)
    assert (finding.severity, finding.path) == (
        Severity.ERROR,
        "/metadata/annotations/dapr.io~1sidecar-memory-request",
    )
    assert "refuses the Pod" in finding.message
    # Equal is fine; 1024Mi is 1Gi.
    assert (
        dapr(SIDECAR.replace("256Mi", "1Gi") + ', "dapr.io/sidecar-memory-request": "1024Mi"') == []
    )


def test_a_daprd_container_written_out_is_checked_like_any_other() -> None:
    text = POD.format(resources=GOOD, annotations='"dapr.io/enabled": "true"', pod="")
    text += "    - {name: daprd, image: 'daprio/daprd:1.18.3'}\n"
    [finding] = check(RULE, text)
    assert finding.path == "/spec/containers/1/resources"
    assert "container 'daprd'" in finding.message


def test_the_sidecar_counts_for_best_effort() -> None:
    [app, sidecar] = dapr('"dapr.io/sidecar-memory-limit": "1Gi"', resources="{}")
    assert "BestEffort" not in app.message
    assert sidecar.path == "/metadata/annotations"
    findings = dapr("", resources="{}")
    assert all("BestEffort" in f.message for f in findings) and len(findings) == 2


def test_hostile_shapes_do_not_crash() -> None:
    assert [f.path for f in pod("[1, 2]")] == ["/spec/containers/0/resources"]
    assert [f.path for f in pod("{limits: [memory], requests: cpu}")] == [
        "/spec/containers/0/resources"
    ]
    # Annotations that are not strings are the schema rules' business: read as unset here.
    hostile = dapr('"dapr.io/sidecar-cpu-request": 5, "dapr.io/sidecar-memory-limit": [1]')
    assert [(f.severity, f.path) for f in hostile] == [(Severity.WARNING, "/metadata/annotations")]
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: 3}\nspec: {containers: 7}\n"
    assert check(RULE, text) == []
