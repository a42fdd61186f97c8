"""security-pss-capabilities-restricted: drop ALL, add at most NET_BIND_SERVICE; daprd included."""

from __future__ import annotations

from pss_text import DAPR, ENABLED, cronjob, deployment, found_by, namespace, pod, run_rule

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules.security.pss_capabilities_restricted import RULE


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    return run_rule(RULE, text, context)


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return found_by(RULE, text, context)


ID = "security-pss-capabilities-restricted"
DROP = 'must set securityContext.capabilities.drop=["ALL"]'
CLEAN = "{name: app, image: x, securityContext: {capabilities: {drop: [ALL]}}}"


def test_a_container_that_keeps_its_capabilities_draws_the_warning() -> None:
    [finding] = run(pod("containers: [{name: app, image: x}]"))
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.WARNING,
        "/spec/containers/0/securityContext/capabilities/drop",
    )
    assert finding.message.startswith(
        f'unrestricted capabilities (container "app" {DROP}). The namespace warns at the '
        "'restricted' Pod Security level"
    )


def test_drop_all_and_net_bind_service_pass() -> None:
    text = pod(
        """
initContainers:
  - {name: init, image: x, securityContext: {capabilities: {drop: [ALL]}}}
containers:
  - name: app
    image: x
    securityContext: {capabilities: {drop: [CHOWN, ALL], add: [NET_BIND_SERVICE]}}
"""
    )
    assert run(text) == []


def test_both_problems_are_one_finding_in_podsecurity_order() -> None:
    text = pod(
        """
containers:
  - name: a
    image: x
    securityContext: {capabilities: {drop: [ALL], add: [CHOWN, NET_BIND_SERVICE]}}
  - {name: b, image: x, securityContext: {capabilities: {drop: [all], add: [SYS_ADMIN]}}}
  - {name: c, image: x, securityContext: {runAsNonRoot: true}}
"""
    )
    [finding] = run(text)
    # drop=["ALL"] is reported first, so the path is the first container missing it.
    assert finding.path == "/spec/containers/1/securityContext/capabilities/drop"
    assert (
        f'unrestricted capabilities (containers "b", "c" {DROP}; containers "a", "b" must not '
        'include "CHOWN", "SYS_ADMIN" in securityContext.capabilities.add)' in finding.message
    )
    only_add = pod(
        """
containers:
  - name: a
    image: x
    securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE, KILL]}}
"""
    )
    assert found(only_add) == [
        (ID, Severity.WARNING, "/spec/containers/0/securityContext/capabilities/add/1")
    ]


def test_windows_pods_pass() -> None:
    assert run(pod("os: {name: windows}\ncontainers: [{name: app, image: x}]")) == []


def test_a_dapr_pod_fails_only_because_of_the_injected_sidecar() -> None:
    assert run(deployment(f"containers: [{CLEAN}]")) == []
    [finding] = run(deployment(f"containers: [{CLEAN}]", DAPR))
    assert (finding.rule, finding.severity, finding.path) == (ID, Severity.WARNING, ENABLED)
    assert f'(container "daprd" {DROP}; "daprd" is the sidecar the Dapr injector adds' in (
        finding.message
    )
    assert "dapr_sidecar_injector.sidecarDropALLCapabilities=true" in finding.message


def test_an_injector_that_drops_all_clears_the_sidecar() -> None:
    dropping = RunContext(dapr_sidecar_drop_all=True)
    assert run(deployment(f"containers: [{CLEAN}]", DAPR), dropping) == []
    [finding] = run(deployment("containers: [{name: app, image: x}]", DAPR), dropping)
    assert f'container "app" {DROP}' in finding.message and "daprd" not in finding.message


def test_the_app_container_comes_first_when_both_fail() -> None:
    [finding] = run(deployment("containers: [{name: app, image: x}]", DAPR))
    assert finding.path == "/spec/template/spec/containers/0/securityContext/capabilities/drop"
    assert f'containers "app", "daprd" {DROP}' in finding.message


def test_a_pod_of_its_own_with_a_daprd_container_gets_no_injection() -> None:
    text = pod(f"containers: [{CLEAN}, {CLEAN.replace('app', 'daprd')}]", DAPR)
    assert run(text) == []


def test_templates_and_the_namespace_label() -> None:
    text = cronjob("containers: [{name: job, image: x}]")
    [finding] = run(text + namespace("pod-security.kubernetes.io/enforce: restricted"))
    assert (finding.severity, finding.path) == (
        Severity.ERROR,
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/capabilities/drop",
    )
    assert "label on Namespace 'todo'" in finding.message
    quiet = "pod-security.kubernetes.io/warn: baseline"
    assert run(text + namespace(quiet)) == []


def test_values_of_the_wrong_type_are_left_to_the_schema_rules() -> None:
    text = pod(
        """
containers:
  - {name: a, image: x, securityContext: {capabilities: [ALL]}}
  - {name: b, image: x, securityContext: {capabilities: {drop: [ALL], add: [5, null]}}}
  - {name: c, image: x, securityContext: "drop all"}
"""
    )
    assert run(text) == []
    # drop as a string is no list: ALL is not dropped.
    [finding] = run(
        pod("containers: [{name: a, image: x, securityContext: {capabilities: {drop: ALL}}}]")
    )
    assert finding.path == "/spec/containers/0/securityContext/capabilities/drop"
