"""security-pss-seccomp-baseline: a seccomp type other than RuntimeDefault or Localhost."""

from __future__ import annotations

from pss_text import cronjob, deployment, found_by, namespace, pod, run_rule

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules.security.pss_seccomp_baseline import RULE


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    return run_rule(RULE, text, context)


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return found_by(RULE, text, context)


ID = "security-pss-seccomp-baseline"


def test_an_unconfined_pod_is_refused_under_the_default_baseline() -> None:
    text = pod(
        """
securityContext: {seccompProfile: {type: Unconfined}}
containers: [{name: app, image: x}]
"""
    )
    [finding] = run(text)
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.ERROR,
        "/spec/securityContext/seccompProfile/type",
    )
    assert finding.message.startswith(
        'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined"). '
        "The namespace enforces the 'baseline' Pod Security level"
    )
    assert "refuses this Pod" in finding.message


def test_pod_and_containers_are_one_finding_with_sorted_values() -> None:
    text = pod(
        """
securityContext: {seccompProfile: {type: Unconfined}}
initContainers: [{name: init, image: x, securityContext: {seccompProfile: {}}}]
containers:
  - {name: app, image: x, securityContext: {seccompProfile: {type: RuntimeDefault}}}
  - {name: side, image: x, securityContext: {seccompProfile: {type: Unconfined}}}
"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/securityContext/seccompProfile/type"
    assert (
        'seccompProfile (pod and containers "init", "side" must not set '
        'securityContext.seccompProfile.type to "", "Unconfined")' in finding.message
    )


def test_a_container_alone_points_at_its_own_type() -> None:
    text = cronjob(
        """
containers:
  - {name: job, image: x, securityContext: {seccompProfile: {type: Unconfined}}}
"""
    )
    assert found(text) == [
        (
            ID,
            Severity.ERROR,
            "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/seccompProfile/type",
        )
    ]
    assert "admits the CronJob with a warning, then refuses every Pod" in run(text)[0].message


def test_unset_runtime_default_and_localhost_pass() -> None:
    text = pod(
        """
securityContext: {seccompProfile: {type: RuntimeDefault}}
containers:
  - {name: a, image: x}
  - name: b
    image: x
    securityContext: {seccompProfile: {type: Localhost, localhostProfile: p.json}}
"""
    )
    assert run(text) == []
    assert run(pod("containers: [{name: a, image: x}]")) == []


def test_the_sidecar_annotation_counts_for_the_injected_daprd() -> None:
    annotations = '{dapr.io/enabled: "true", dapr.io/sidecar-seccomp-profile-type: Unconfined}'
    text = deployment(
        """
securityContext: {seccompProfile: {type: RuntimeDefault}}
containers: [{name: app, image: x}]
""",
        annotations,
    )
    [finding] = run(text)
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.ERROR,
        "/spec/template/metadata/annotations/dapr.io~1sidecar-seccomp-profile-type",
    )
    assert 'container "daprd" must not set securityContext.seccompProfile.type' in finding.message
    assert '"daprd" is the sidecar the Dapr injector adds' in finding.message
    # Without dapr.io/enabled nothing is injected and the annotation does nothing.
    plain = text.replace('dapr.io/enabled: "true", ', "")
    assert run(plain) == []


def test_a_dapr_pod_is_clean_when_the_sidecar_profile_is_allowed() -> None:
    annotations = '{dapr.io/enabled: "true", dapr.io/sidecar-seccomp-profile-type: RuntimeDefault}'
    assert run(deployment("containers: [{name: app, image: x}]", annotations)) == []


def test_restricted_evaluation_replaces_this_check() -> None:
    text = pod(
        """
securityContext: {seccompProfile: {type: Unconfined}}
containers: [{name: app, image: x}]
"""
    )
    assert run(text + namespace("pod-security.kubernetes.io/enforce: restricted")) == []
    privileged = "pod-security.kubernetes.io/enforce: privileged"
    # The warn level is the default restricted: its seccomp check replaces this one.
    assert run(text + namespace(privileged)) == []
    warn = privileged + ", pod-security.kubernetes.io/warn: baseline"
    assert found(text + namespace(warn)) == [
        (ID, Severity.WARNING, "/spec/securityContext/seccompProfile/type")
    ]
    lenient = RunContext(pod_security_enforce="privileged", pod_security_warn="baseline")
    assert [f.severity for f in run(text, lenient)] == [Severity.WARNING]
    off = RunContext(pod_security_enforce="privileged", pod_security_warn="privileged")
    assert run(text, off) == []


def test_values_of_the_wrong_type_are_left_to_the_schema_rules() -> None:
    text = pod(
        """
securityContext: {seccompProfile: Unconfined}
containers:
  - {name: a, image: x, securityContext: {seccompProfile: {type: 5}}}
  - {name: b, image: x, securityContext: [seccompProfile]}
  - {name: 7, image: x, securityContext: {seccompProfile: {type: Unconfined}}}
"""
    )
    assert run(text) == []
    assert run(pod("securityContext: 3\ncontainers: {name: a}")) == []
    assert (
        run(
            pod(
                "containers: [{name: a, image: x}]",
                '{dapr.io/enabled: "true", dapr.io/sidecar-seccomp-profile-type: [Unconfined]}',
            )
        )
        == []
    )
