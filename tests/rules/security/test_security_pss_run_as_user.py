"""security-pss-run-as-user: runAsUser 0 on the pod or a container."""

from __future__ import annotations

from rule_check import check

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.security.pss_run_as_user import RULE

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: todo
  annotations: {annotations}
spec:
{spec}
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
      annotations: {annotations}
    spec:
{spec}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {{name: c, namespace: todo}}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {annotations}
        spec:
          restartPolicy: Never
{spec}
"""

NAMESPACE = """\
---
apiVersion: v1
kind: Namespace
metadata:
  name: todo
  labels: {{{labels}}}
"""

DAPR = '{dapr.io/enabled: "true", dapr.io/app-id: todo}'
ENABLED = "/spec/template/metadata/annotations/dapr.io~1enabled"


def indent(text: str, by: int) -> str:
    return "\n".join(" " * by + line for line in text.strip("\n").splitlines())


def pod(spec: str, annotations: str = "{}") -> str:
    return POD.format(annotations=annotations, spec=indent(spec, 2))


def deployment(spec: str, annotations: str = "{}") -> str:
    return DEPLOYMENT.format(annotations=annotations, spec=indent(spec, 6))


def cronjob(spec: str, annotations: str = "{}") -> str:
    return CRONJOB.format(annotations=annotations, spec=indent(spec, 10))


def namespace(labels: str) -> str:
    return NAMESPACE.format(labels=labels)


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    if context is None:
        return check(RULE, text)
    resources = load_text(text, "test.yaml").resources
    bundle = Bundle(resources, context)
    return [f for r in resources if RULE.applies_to(r) for f in RULE.check(r, bundle)]


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return [(f.rule, f.severity, f.path) for f in run(text, context)]


ID = "security-pss-run-as-user"


def test_a_root_pod_draws_the_restricted_warning() -> None:
    [finding] = run(pod("securityContext: {runAsUser: 0}\ncontainers: [{name: app, image: x}]"))
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.WARNING,
        "/spec/securityContext/runAsUser",
    )
    assert finding.message.startswith(
        "runAsUser=0 (pod must not set runAsUser=0). The namespace warns at the 'restricted'"
    )


def test_pod_and_containers_are_one_finding() -> None:
    text = pod(
        """
securityContext: {runAsUser: 0}
initContainers: [{name: init, image: x, securityContext: {runAsUser: 0}}]
containers:
  - {name: app, image: x, securityContext: {runAsUser: 1000}}
  - {name: b, image: x, securityContext: {runAsUser: 0}}
"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/securityContext/runAsUser"
    assert '(pod and containers "init", "b" must not set runAsUser=0)' in finding.message
    # The pod's 0 fails even when every container overrides it.
    overridden = """
securityContext: {runAsUser: 0}
containers: [{name: app, image: x, securityContext: {runAsUser: 1000}}]
"""
    assert len(run(pod(overridden))) == 1


def test_a_container_alone_points_at_its_own_field() -> None:
    text = deployment("containers: [{name: app, image: x, securityContext: {runAsUser: 0}}]")
    assert found(text) == [
        (ID, Severity.WARNING, "/spec/template/spec/containers/0/securityContext/runAsUser")
    ]
    assert '(container "app" must not set runAsUser=0)' in run(text)[0].message


def test_unset_and_non_zero_pass_and_daprd_adds_nothing() -> None:
    assert run(pod("containers: [{name: app, image: x}]")) == []
    assert run(pod("securityContext: {runAsUser: 65532}\ncontainers: [{name: a, image: x}]")) == []
    ssl = '{dapr.io/enabled: "true", dapr.io/env: "SSL_CERT_DIR=/c"}'
    assert run(deployment("containers: [{name: app, image: x}]", ssl)) == []


def test_templates_and_the_namespace_label() -> None:
    text = cronjob("securityContext: {runAsUser: 0}\ncontainers: [{name: job, image: x}]")
    [finding] = run(text + namespace("pod-security.kubernetes.io/enforce: restricted"))
    assert (finding.severity, finding.path) == (
        Severity.ERROR,
        "/spec/jobTemplate/spec/template/spec/securityContext/runAsUser",
    )
    assert "admits the CronJob with a warning, then refuses every Pod" in finding.message
    off = RunContext(pod_security_enforce="baseline", pod_security_warn="baseline")
    assert run(text, off) == []


def test_values_of_the_wrong_type_are_left_to_the_schema_rules() -> None:
    text = pod(
        """
securityContext: {runAsUser: "0"}
containers:
  - {name: a, image: x, securityContext: {runAsUser: false}}
  - {name: b, image: x, securityContext: {runAsUser: 0.0}}
  - {name: c, image: x, securityContext: [runAsUser]}
"""
    )
    assert run(text) == []
