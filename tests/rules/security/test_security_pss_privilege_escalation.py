"""security-pss-privilege-escalation: allowPrivilegeEscalation must be false in every container."""

from __future__ import annotations

from pss_text import DAPR, cronjob, deployment, found_by, namespace, pod, run_rule

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules.security.pss_privilege_escalation import RULE


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    return run_rule(RULE, text, context)


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return found_by(RULE, text, context)


ID = "security-pss-privilege-escalation"
MUST = "must set securityContext.allowPrivilegeEscalation=false"
OFF = "securityContext: {allowPrivilegeEscalation: false}"


def test_a_container_without_the_field_draws_the_restricted_warning() -> None:
    [finding] = run(pod("containers: [{name: app, image: x}]"))
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.WARNING,
        "/spec/containers/0/securityContext/allowPrivilegeEscalation",
    )
    assert finding.message.startswith(
        f'allowPrivilegeEscalation != false (container "app" {MUST}). The namespace warns at '
        "the 'restricted' Pod Security level"
    )


def test_true_and_unset_fail_in_every_container_kind() -> None:
    text = pod(
        f"""
initContainers: [{{name: init, image: x, {OFF}}}]
containers:
  - {{name: app, image: x, securityContext: {{allowPrivilegeEscalation: true}}}}
  - {{name: ok, image: x, {OFF}}}
ephemeralContainers: [{{name: debug, image: x, securityContext: {{runAsNonRoot: true}}}}]
"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/containers/0/securityContext/allowPrivilegeEscalation"
    assert f'containers "app", "debug" {MUST}' in finding.message


def test_false_everywhere_passes_and_windows_pods_pass() -> None:
    assert run(pod(f"containers: [{{name: app, image: x, {OFF}}}]")) == []
    assert run(pod("os: {name: windows}\ncontainers: [{name: app, image: x}]")) == []


def test_the_injected_daprd_always_passes() -> None:
    # The injector sets allowPrivilegeEscalation: false on daprd in every release.
    assert run(deployment(f"containers: [{{name: app, image: x, {OFF}}}]", DAPR)) == []
    [finding] = run(deployment("containers: [{name: app, image: x}]", DAPR))
    assert (
        finding.path == "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation"
    )
    assert f'(container "app" {MUST})' in finding.message


def test_templates_and_the_namespace_label() -> None:
    text = cronjob("containers: [{name: job, image: x}]")
    [finding] = run(text + namespace("pod-security.kubernetes.io/enforce: restricted"))
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.ERROR,
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation",
    )
    assert "admits the CronJob with a warning, then refuses every Pod" in finding.message
    assert run(text + namespace("pod-security.kubernetes.io/warn: baseline")) == []
    lenient = RunContext(pod_security_enforce="privileged", pod_security_warn="baseline")
    assert run(text, lenient) == []


def test_values_of_the_wrong_type_are_left_to_the_schema_rules() -> None:
    text = pod(
        """
containers:
  - {name: a, image: x, securityContext: {allowPrivilegeEscalation: "false"}}
  - {name: b, image: x, securityContext: [allowPrivilegeEscalation]}
  - [not, a, container]
"""
    )
    assert run(text) == []
