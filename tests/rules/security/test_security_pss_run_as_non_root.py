"""security-pss-run-as-non-root: runAsNonRoot, pod-level inheritance and the injected daprd."""

from __future__ import annotations

from pss_text import DAPR, cronjob, deployment, found_by, namespace, pod, run_rule

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules.security.pss_run_as_non_root import RULE


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    return run_rule(RULE, text, context)


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return found_by(RULE, text, context)


ID = "security-pss-run-as-non-root"
MUST = "must set securityContext.runAsNonRoot=true"
MUST_NOT = "must not set securityContext.runAsNonRoot=false"


def test_a_pod_without_run_as_non_root_draws_the_restricted_warning() -> None:
    [finding] = run(pod("containers: [{name: app, image: x}]"))
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.WARNING,
        "/spec/containers/0/securityContext/runAsNonRoot",
    )
    assert finding.message.startswith(
        f'runAsNonRoot != true (pod or container "app" {MUST}). The namespace warns at the '
        "'restricted' Pod Security level"
    )


def test_containers_inherit_the_pod_value() -> None:
    text = pod(
        """
securityContext: {runAsNonRoot: true}
initContainers: [{name: init, image: x}]
containers: [{name: app, image: x, securityContext: {runAsNonRoot: true}}, {name: b, image: x}]
"""
    )
    assert run(text) == []
    each = "containers: [{name: app, image: x, securityContext: {runAsNonRoot: true}}]"
    assert run(pod(each)) == []


def test_an_explicit_false_fails_even_under_a_true_pod() -> None:
    text = pod(
        """
securityContext: {runAsNonRoot: true}
containers:
  - {name: a, image: x}
  - {name: b, image: x, securityContext: {runAsNonRoot: false}}
"""
    )
    assert found(text) == [
        (ID, Severity.WARNING, "/spec/containers/1/securityContext/runAsNonRoot")
    ]
    assert f'(container "b" {MUST_NOT})' in run(text)[0].message


def test_explicit_false_is_reported_before_missing_values() -> None:
    text = pod(
        """
securityContext: {runAsNonRoot: false}
containers:
  - {name: a, image: x}
  - {name: b, image: x, securityContext: {runAsNonRoot: false}}
  - {name: c, image: x, securityContext: {runAsNonRoot: false}}
"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/securityContext/runAsNonRoot"
    assert f'(pod and containers "b", "c" {MUST_NOT})' in finding.message
    [finding] = run(
        pod("securityContext: {runAsNonRoot: false}\ncontainers: [{name: a, image: x}]")
    )
    assert f"(pod {MUST_NOT})" in finding.message


def test_a_dapr_pod_is_clean_because_of_the_pod_level_setting() -> None:
    text = deployment(
        "securityContext: {runAsNonRoot: true}\ncontainers: [{name: app, image: x}]", DAPR
    )
    assert run(text) == []
    # daprd carries its own runAsNonRoot: true, so only the app container is named without it.
    [finding] = run(deployment("containers: [{name: app, image: x}]", DAPR))
    assert f'(pod or container "app" {MUST})' in finding.message


def test_a_dapr_pod_fails_only_because_of_ssl_cert_dir_on_the_sidecar() -> None:
    spec = "securityContext: {runAsNonRoot: true}\ncontainers: [{name: app, image: x}]"
    annotations = '{dapr.io/enabled: "true", dapr.io/env: "LOG_LEVEL=debug,SSL_CERT_DIR=/certs"}'
    [finding] = run(deployment(spec, annotations))
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.WARNING,
        "/spec/template/metadata/annotations/dapr.io~1env",
    )
    assert f'(container "daprd" {MUST_NOT}; "daprd" is the sidecar the Dapr injector adds' in (
        finding.message
    )
    assert "dapr.io/env puts SSL_CERT_DIR in its environment" in finding.message
    secret = '{dapr.io/enabled: "true", dapr.io/env-from-secret: "SSL_CERT_DIR=certs"}'
    assert found(deployment(spec, secret)) == [
        (ID, Severity.WARNING, "/spec/template/metadata/annotations/dapr.io~1env-from-secret")
    ]
    # Not injected: the annotation does nothing.
    assert run(deployment(spec, '{dapr.io/env: "SSL_CERT_DIR=/certs"}')) == []


def test_templates_and_the_namespace_label() -> None:
    text = cronjob("containers: [{name: job, image: x}]")
    [finding] = run(text + namespace("pod-security.kubernetes.io/enforce: restricted"))
    assert (finding.severity, finding.path) == (
        Severity.ERROR,
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/runAsNonRoot",
    )
    assert run(text + namespace("pod-security.kubernetes.io/warn: privileged")) == []


def test_values_of_the_wrong_type_are_left_to_the_schema_rules() -> None:
    # A pod value that cannot be decoded: no container is blamed for not inheriting it.
    assert (
        run(pod('securityContext: {runAsNonRoot: "true"}\ncontainers: [{name: a, image: x}]')) == []
    )
    text = pod(
        """
securityContext: {runAsNonRoot: true}
containers:
  - {name: a, image: x, securityContext: {runAsNonRoot: "false"}}
  - {name: b, image: x, securityContext: false}
"""
    )
    assert run(text) == []
    [finding] = run(pod("containers: [{name: a}]", '{dapr.io/enabled: "true", dapr.io/env: 5}'))
    assert f'(pod or container "a" {MUST})' in finding.message
