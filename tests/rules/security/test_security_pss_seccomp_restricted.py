"""security-pss-seccomp-restricted: every container needs a RuntimeDefault or Localhost profile."""

from __future__ import annotations

from pss_text import DAPR, ENABLED, cronjob, deployment, found_by, namespace, pod, run_rule

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules.security.pss_seccomp_restricted import RULE


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    return run_rule(RULE, text, context)


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return found_by(RULE, text, context)


ID = "security-pss-seccomp-restricted"
MUST_SET = 'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"'


def test_a_container_without_a_profile_draws_the_restricted_warning() -> None:
    [finding] = run(pod("containers: [{name: app, image: x}]"))
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.WARNING,
        "/spec/containers/0/securityContext/seccompProfile/type",
    )
    assert finding.message.startswith(
        f'seccompProfile (pod or container "app" must set {MUST_SET}). '
        "The namespace warns at the 'restricted' Pod Security level"
    )


def test_containers_inherit_the_pod_profile_unless_they_set_their_own() -> None:
    inherited = """
securityContext: {seccompProfile: {type: RuntimeDefault}}
initContainers: [{name: init, image: x}]
containers:
  - {name: app, image: x}
  - {name: own, image: x, securityContext: {seccompProfile: {type: Localhost, localhostProfile: a}}}
"""
    assert run(pod(inherited)) == []
    each = """
containers:
  - {name: a, image: x, securityContext: {seccompProfile: {type: RuntimeDefault}}}
  - {name: b, image: x}
  - {name: c, image: x, securityContext: {runAsNonRoot: true}}
"""
    [finding] = run(pod(each))
    assert finding.path == "/spec/containers/1/securityContext/seccompProfile/type"
    assert f'pod or containers "b", "c" must set {MUST_SET}' in finding.message


def test_a_disallowed_type_is_reported_before_missing_ones() -> None:
    text = pod(
        """
securityContext: {seccompProfile: {type: Unconfined}}
containers:
  - {name: a, image: x}
  - {name: b, image: x, securityContext: {seccompProfile: {type: Unconfined}}}
"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/securityContext/seccompProfile/type"
    assert (
        'seccompProfile (pod and container "b" must not set '
        'securityContext.seccompProfile.type to "Unconfined")' in finding.message
    )


def test_windows_pods_pass() -> None:
    assert run(pod("os: {name: windows}\ncontainers: [{name: app, image: x}]")) == []
    assert len(run(pod("os: {name: linux}\ncontainers: [{name: app, image: x}]"))) == 1


def test_a_dapr_pod_is_clean_because_of_the_pod_level_profile() -> None:
    text = deployment(
        """
securityContext: {seccompProfile: {type: RuntimeDefault}}
containers: [{name: app, image: x}]
""",
        DAPR,
    )
    assert run(text) == []


def test_a_dapr_pod_fails_only_because_of_the_injected_sidecar() -> None:
    spec = """
containers:
  - {name: app, image: x, securityContext: {seccompProfile: {type: RuntimeDefault}}}
"""
    assert run(deployment(spec)) == []
    [finding] = run(deployment(spec, DAPR))
    assert (finding.rule, finding.severity, finding.path) == (ID, Severity.WARNING, ENABLED)
    assert f'pod or container "daprd" must set {MUST_SET}' in finding.message
    assert "dapr.io/sidecar-seccomp-profile-type annotation" in finding.message
    # Only daprd fails: the template carries no daprd, so applying it draws no warning.
    assert "admits each Pod with a warning its controller gets" in finding.message
    [refused] = run(
        deployment(spec, DAPR) + namespace("pod-security.kubernetes.io/enforce: restricted")
    )
    assert "admits the Deployment without a warning (its template has no daprd yet)" in (
        refused.message
    )
    # The sidecar annotation alone fixes it.
    fixed = '{dapr.io/enabled: "true", dapr.io/sidecar-seccomp-profile-type: RuntimeDefault}'
    assert run(deployment(spec, fixed)) == []


def test_a_bad_sidecar_annotation_points_at_the_annotation() -> None:
    annotations = '{dapr.io/enabled: "true", dapr.io/sidecar-seccomp-profile-type: runtimedefault}'
    text = deployment(
        """
securityContext: {seccompProfile: {type: RuntimeDefault}}
containers: [{name: app, image: x}]
""",
        annotations,
    )
    assert found(text) == [
        (
            ID,
            Severity.WARNING,
            "/spec/template/metadata/annotations/dapr.io~1sidecar-seccomp-profile-type",
        )
    ]
    assert 'to "runtimedefault"' in run(text)[0].message
    # An empty annotation sets no profile: daprd inherits the pod's.
    empty = '{dapr.io/enabled: "true", dapr.io/sidecar-seccomp-profile-type: ""}'
    assert run(text.replace(annotations, empty)) == []


def test_templates_and_the_namespace_label() -> None:
    text = cronjob("containers: [{name: job, image: x}]")
    enforced = text + namespace("pod-security.kubernetes.io/enforce: restricted")
    [finding] = run(enforced)
    assert (finding.severity, finding.path) == (
        Severity.ERROR,
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/seccompProfile/type",
    )
    assert "admits the CronJob with a warning, then refuses every Pod" in finding.message
    quiet = (
        "pod-security.kubernetes.io/enforce: baseline, pod-security.kubernetes.io/warn: baseline"
    )
    assert run(text + namespace(quiet)) == []
    off = RunContext(pod_security_enforce="baseline", pod_security_warn="baseline")
    assert run(text, off) == []


def test_values_of_the_wrong_type_are_left_to_the_schema_rules() -> None:
    # A pod-level profile that cannot be decoded blames no container for not inheriting it.
    assert (
        run(pod("securityContext: {seccompProfile: [x]}\ncontainers: [{name: a, image: x}]")) == []
    )
    text = pod(
        """
containers:
  - {name: a, image: x, securityContext: {seccompProfile: {type: [RuntimeDefault]}}}
  - {name: b, image: x, securityContext: RuntimeDefault}
"""
    )
    assert run(text) == []
    assert run(pod("containers: {name: a}\nos: windows")) == []
