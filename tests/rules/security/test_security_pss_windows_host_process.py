"""security-pss-windows-host-process: windowsOptions.hostProcess (PSS baseline)."""

from __future__ import annotations

from pss_text import NAMESPACE
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_windows_host_process import RULE

POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: p, namespace: todo}}
spec:
{body}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: todo}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata: {labels: {app: d}}
    spec:
      securityContext: {windowsOptions: {hostProcess: true}}
      hostNetwork: true
      containers: [{name: app, image: "registry.example/app:1.0"}]
"""

HOST_PROCESS = "securityContext: {windowsOptions: {hostProcess: true}}"


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_a_container_host_process_is_refused() -> None:
    text = POD.format(
        body=f"  containers:\n    - {{name: ok}}\n    - {{name: app, {HOST_PROCESS}}}"
    )
    [finding] = run(text)
    assert (finding.rule, finding.severity, finding.path) == (
        "security-pss-windows-host-process",
        Severity.ERROR,
        "/spec/containers/1/securityContext/windowsOptions/hostProcess",
    )
    assert finding.message.startswith(
        'hostProcess (container "app" must not set '
        "securityContext.windowsOptions.hostProcess=true). "
    )
    assert "refuses this Pod" in finding.message


def test_the_pod_level_setting_alone_is_refused() -> None:
    [finding] = run(POD.format(body=f"  {HOST_PROCESS}\n  containers: [{{name: app}}]"))
    assert finding.path == "/spec/securityContext/windowsOptions/hostProcess"
    assert "hostProcess (pod must not set" in finding.message


def test_pod_and_every_container_kind_are_one_finding_at_the_pod() -> None:
    text = POD.format(
        body=f"""\
  {HOST_PROCESS}
  initContainers: [{{name: init, {HOST_PROCESS}}}]
  containers: [{{name: app, {HOST_PROCESS}}}]
  ephemeralContainers: [{{name: debug, {HOST_PROCESS}}}]"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/securityContext/windowsOptions/hostProcess"
    assert 'hostProcess (pod and containers "init", "app", "debug" must not set' in finding.message


def test_false_unset_and_other_types_pass() -> None:
    for value in ("false", "null", '"true"', "1"):
        context = f"securityContext: {{windowsOptions: {{hostProcess: {value}}}}}"
        assert run(POD.format(body=f"  {context}\n  containers: [{{name: a, {context}}}]")) == []
    assert run(POD.format(body="  containers: [{name: a}]")) == []
    # Values that fail to decode are the schema rules' business.
    assert run(POD.format(body="  securityContext: [windowsOptions]\n  containers: []")) == []
    assert run(POD.format(body="  securityContext: {windowsOptions: true}")) == []
    assert run(POD.format(body="  containers: [{name: a, securityContext: true}]")) == []
    assert run(POD.format(body="  containers: [hostProcess]")) == []


def test_a_deployment_template_is_checked() -> None:
    [finding] = run(DEPLOYMENT)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/template/spec/securityContext/windowsOptions/hostProcess"
    assert "admits the Deployment with a warning, then refuses every Pod" in finding.message


def test_the_namespace_label_decides_the_level() -> None:
    text = POD.format(body=f"  containers: [{{name: app, {HOST_PROCESS}}}]")
    privileged = "pod-security.kubernetes.io/enforce: privileged"
    [finding] = run(text + NAMESPACE.format(labels=privileged))
    assert finding.severity is Severity.WARNING
    assert "--pod-security-warn" in finding.message
    both = privileged + ", pod-security.kubernetes.io/warn: privileged"
    assert run(text + NAMESPACE.format(labels=both)) == []
