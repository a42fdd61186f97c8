"""security-pss-run-as-user: runAsUser 0 on the pod or a container."""

from __future__ import annotations

from pss_text import cronjob, deployment, found_by, namespace, pod, run_rule

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules.security.pss_run_as_user import RULE


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    return run_rule(RULE, text, context)


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return found_by(RULE, text, context)


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
