"""security-pss-host-probes: a host in probes and lifecycle handlers (PSS baseline, 1.34+)."""

from __future__ import annotations

from pss_text import NAMESPACE
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_host_probes import RULE

POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: p, namespace: todo}}
spec:
{body}
"""

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: todo}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: job
              image: registry.example/job:1.0
              lifecycle:
                preStop: {httpGet: {host: 169.254.169.254, path: /, port: 80}}
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def pod(fields: str, name: str = "app") -> str:
    return POD.format(body=f"  containers:\n    - {{name: {name}, {fields}}}")


def test_each_probe_and_handler_with_a_host_is_refused() -> None:
    cases = {
        "livenessProbe: {httpGet: {host: h, port: 80}}": "/livenessProbe/httpGet/host",
        "readinessProbe: {tcpSocket: {host: h, port: 80}}": "/readinessProbe/tcpSocket/host",
        "startupProbe: {httpGet: {host: h, port: 80}}": "/startupProbe/httpGet/host",
        "lifecycle: {postStart: {httpGet: {host: h}}}": "/lifecycle/postStart/httpGet/host",
        "lifecycle: {preStop: {tcpSocket: {host: h}}}": "/lifecycle/preStop/tcpSocket/host",
    }
    for fields, tail in cases.items():
        [finding] = run(pod(fields))
        assert (finding.rule, finding.severity, finding.path) == (
            "security-pss-host-probes",
            Severity.ERROR,
            "/spec/containers/0" + tail,
        )
        assert finding.message.startswith(
            'probe or lifecycle host (container "app" uses probe or lifecycle host "h"). '
        )
        assert "refuses this Pod" in finding.message


def test_one_finding_lists_sorted_distinct_containers_and_hosts() -> None:
    text = POD.format(
        body="""\
  initContainers:
    - name: zinit
      startupProbe: {tcpSocket: {host: 10.0.0.2, port: 1}}
  containers:
    - name: app
      livenessProbe: {httpGet: {host: 10.0.0.1, port: 1}, tcpSocket: {host: 10.0.0.2, port: 1}}
      lifecycle: {preStop: {httpGet: {host: 10.0.0.1, port: 1}}}
  ephemeralContainers:
    - name: debug
      readinessProbe: {httpGet: {host: 10.0.0.3, port: 1}}"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/initContainers/0/startupProbe/tcpSocket/host"
    assert (
        'probe or lifecycle host (containers "app", "debug", "zinit" use probe or lifecycle '
        'hosts "10.0.0.1", "10.0.0.2", "10.0.0.3")' in finding.message
    )


def test_the_first_path_follows_probes_before_handlers() -> None:
    fields = (
        "lifecycle: {postStart: {httpGet: {host: a, port: 1}}}, "
        "readinessProbe: {httpGet: {host: b, port: 1}}"
    )
    [finding] = run(pod(fields))
    assert finding.path == "/spec/containers/0/readinessProbe/httpGet/host"
    assert 'hosts "a", "b"' in finding.message


def test_empty_unset_and_other_types_pass() -> None:
    assert run(pod("livenessProbe: {httpGet: {path: /healthz, port: 8080}}")) == []
    assert run(pod('livenessProbe: {httpGet: {host: "", port: 8080}}')) == []
    assert run(pod("livenessProbe: {exec: {command: [true]}}")) == []
    assert run(pod("lifecycle: {preStop: {sleep: {seconds: 5}}}")) == []
    # Values that fail to decode are the schema rules' business.
    assert run(pod("livenessProbe: {httpGet: {host: 10, port: 8080}}")) == []
    assert run(pod("livenessProbe: {httpGet: [host, h]}")) == []
    assert run(pod("livenessProbe: [httpGet]")) == []
    assert run(pod("lifecycle: [preStop]")) == []
    assert run(pod("lifecycle: {preStop: host}")) == []
    assert run(POD.format(body="  containers: [[livenessProbe]]")) == []


def test_a_long_host_is_shortened() -> None:
    [finding] = run(pod(f"livenessProbe: {{httpGet: {{host: {'h' * 500}, port: 1}}}}"))
    assert len(finding.message) < 500


def test_a_cronjob_template_is_checked() -> None:
    [finding] = run(CRONJOB)
    assert finding.severity is Severity.ERROR
    assert finding.path == (
        "/spec/jobTemplate/spec/template/spec/containers/0/lifecycle/preStop/httpGet/host"
    )
    assert '"169.254.169.254"' in finding.message
    assert "admits the CronJob with a warning, then refuses every Pod" in finding.message


def test_the_namespace_label_decides_the_level() -> None:
    text = pod("livenessProbe: {httpGet: {host: h, port: 80}}")
    privileged = "pod-security.kubernetes.io/enforce: privileged"
    warn = privileged + ", pod-security.kubernetes.io/warn: baseline"
    [finding] = run(text + NAMESPACE.format(labels=warn))
    assert finding.severity is Severity.WARNING
    assert "warn label on Namespace 'todo'" in finding.message
    both = privileged + ", pod-security.kubernetes.io/warn: privileged"
    assert run(text + NAMESPACE.format(labels=both)) == []
