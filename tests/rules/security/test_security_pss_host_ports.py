"""security-pss-host-ports: hostPort in any container (PSS baseline)."""

from __future__ import annotations

from pss_text import NAMESPACE
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_host_ports import RULE

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
      containers:
        - name: app
          image: registry.example/app:1.0
          ports: [{containerPort: 8080}, {containerPort: 9090, hostPort: 9090}]
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def pod(*ports: str, name: str = "app") -> str:
    listed = ", ".join(ports)
    return POD.format(body=f"  containers:\n    - {{name: {name}, ports: [{listed}]}}")


def test_a_host_port_is_refused() -> None:
    [finding] = run(pod("{containerPort: 80}", "{containerPort: 8080, hostPort: 8080}"))
    assert (finding.rule, finding.severity, finding.path) == (
        "security-pss-host-ports",
        Severity.ERROR,
        "/spec/containers/0/ports/1/hostPort",
    )
    assert finding.message.startswith('hostPort (container "app" uses hostPort 8080). ')
    assert "refuses this Pod" in finding.message


def test_one_finding_names_containers_in_order_and_ports_sorted_as_text() -> None:
    text = POD.format(
        body="""\
  initContainers:
    - {name: init, ports: [{containerPort: 1, hostPort: 9000}]}
  containers:
    - {name: app, ports: [{containerPort: 2, hostPort: 10000}, {containerPort: 3, hostPort: 9000}]}
  ephemeralContainers:
    - {name: debug, ports: [{containerPort: 4, hostPort: 80}]}"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/initContainers/0/ports/0/hostPort"
    assert (
        'hostPort (containers "init", "app", "debug" use hostPorts 10000, 80, 9000)'
        in finding.message
    )


def test_zero_unset_and_other_types_pass() -> None:
    assert run(pod("{containerPort: 8080}")) == []
    assert run(pod("{containerPort: 8080, hostPort: 0}")) == []
    assert run(pod("{containerPort: 8080, hostPort: null}")) == []
    # Values that fail to decode (not an int32) are the schema rules' business.
    assert run(pod('{containerPort: 8080, hostPort: "8080"}')) == []
    assert run(pod("{containerPort: 8080, hostPort: true}")) == []
    assert run(pod("{containerPort: 8080, hostPort: 4294967296}")) == []
    assert run(pod("[hostPort, 80]")) == []
    assert run(POD.format(body="  containers: [{name: a, ports: {hostPort: 80}}]")) == []


def test_a_negative_port_still_fails_the_check() -> None:
    [finding] = run(pod("{containerPort: 1, hostPort: -1}"))
    assert "uses hostPort -1" in finding.message


def test_a_deployment_template_is_checked() -> None:
    [finding] = run(DEPLOYMENT)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/template/spec/containers/0/ports/1/hostPort"
    assert "admits the Deployment with a warning, then refuses every Pod" in finding.message


def test_the_namespace_label_decides_the_level() -> None:
    text = pod("{containerPort: 8080, hostPort: 8080}")
    privileged = "pod-security.kubernetes.io/enforce: privileged"
    [finding] = run(text + NAMESPACE.format(labels=privileged))
    assert finding.severity is Severity.WARNING
    assert "--pod-security-warn" in finding.message
    both = privileged + ", pod-security.kubernetes.io/warn: privileged"
    assert run(text + NAMESPACE.format(labels=both)) == []
