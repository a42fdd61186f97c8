"""security-pss-capabilities-baseline: capabilities added beyond the runtime's default set."""

from __future__ import annotations

from pss_text import DAPR, cronjob, deployment, found_by, namespace, pod, run_rule

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules.security.pss_capabilities_baseline import RULE


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    return run_rule(RULE, text, context)


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return found_by(RULE, text, context)


ID = "security-pss-capabilities-baseline"


def test_a_capability_beyond_the_default_set_is_refused() -> None:
    text = pod(
        """
containers:
  - {name: app, image: x, securityContext: {capabilities: {add: [CHOWN, NET_ADMIN]}}}
"""
    )
    [finding] = run(text)
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.ERROR,
        "/spec/containers/0/securityContext/capabilities/add/1",
    )
    assert finding.message.startswith(
        'non-default capabilities (container "app" must not include "NET_ADMIN" in '
        "securityContext.capabilities.add). The namespace enforces the 'baseline'"
    )


def test_every_container_kind_is_one_finding() -> None:
    text = pod(
        """
initContainers:
  - {name: init, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}
containers:
  - {name: app, image: x, securityContext: {capabilities: {add: [net_raw, NET_RAW, ALL]}}}
ephemeralContainers:
  - {name: debug, image: x, securityContext: {capabilities: {add: [SYS_PTRACE]}}}
"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/initContainers/0/securityContext/capabilities/add/0"
    assert (
        'containers "init", "app", "debug" must not include "ALL", "NET_RAW", "SYS_ADMIN", '
        '"SYS_PTRACE", "net_raw" in securityContext.capabilities.add' in finding.message
    )


def test_the_default_set_and_dropping_pass() -> None:
    defaults = (
        "AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, "
        "SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT"
    )
    text = pod(
        f"""
containers:
  - {{name: app, image: x, securityContext: {{capabilities: {{add: [{defaults}]}}}}}}
  - {{name: b, image: x, securityContext: {{capabilities: {{drop: [SYS_ADMIN, ALL]}}}}}}
"""
    )
    assert run(text) == []


def test_a_template_and_a_dapr_pod() -> None:
    spec = """
containers:
  - {name: app, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}
"""
    assert found(deployment(spec, DAPR)) == [
        (ID, Severity.ERROR, "/spec/template/spec/containers/0/securityContext/capabilities/add/0")
    ]
    # The injected daprd adds nothing: a clean Dapr pod stays clean.
    assert run(deployment("containers: [{name: app, image: x}]", DAPR)) == []
    [finding] = run(cronjob(spec))
    assert finding.path == (
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/capabilities/add/0"
    )


def test_restricted_evaluation_replaces_this_check() -> None:
    text = pod(
        """
containers:
  - {name: app, image: x, securityContext: {capabilities: {add: [SYS_ADMIN]}}}
"""
    )
    assert run(text + namespace("pod-security.kubernetes.io/enforce: restricted")) == []
    assert run(text + namespace("pod-security.kubernetes.io/enforce: privileged")) == []
    warn = (
        "pod-security.kubernetes.io/enforce: privileged, pod-security.kubernetes.io/warn: baseline"
    )
    assert found(text + namespace(warn)) == [
        (ID, Severity.WARNING, "/spec/containers/0/securityContext/capabilities/add/0")
    ]
    assert RULE.severity_note.endswith("where security-pss-capabilities-restricted replaces it")


def test_values_of_the_wrong_type_are_left_to_the_schema_rules() -> None:
    text = pod(
        """
containers:
  - {name: a, image: x, securityContext: {capabilities: {add: SYS_ADMIN}}}
  - {name: b, image: x, securityContext: {capabilities: [SYS_ADMIN]}}
  - {name: c, image: x, securityContext: {capabilities: {add: [7, null, {x: 1}]}}}
  - {name: d, image: x, securityContext: {capabilities: null}}
"""
    )
    assert run(text) == []
