"""security-pss-host-path-volumes: hostPath volumes in the pod spec (PSS baseline)."""

from __future__ import annotations

from pss_text import NAMESPACE
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_host_path_volumes import RULE

POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: p, namespace: todo}}
spec:
  containers: [{{name: app, image: "registry.example/app:1.0"}}]
{volumes}
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
      containers: [{name: app, image: "registry.example/app:1.0"}]
      volumes:
        - {name: tmp, emptyDir: {}}
        - {name: sock, hostPath: {path: /var/run/docker.sock}}
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def pod(*volumes: str) -> str:
    return POD.format(volumes="  volumes:\n" + "\n".join(f"    - {v}" for v in volumes))


def test_a_host_path_volume_is_refused() -> None:
    [finding] = run(pod("{name: data, hostPath: {path: /data, type: Directory}}"))
    assert (finding.rule, finding.severity, finding.path) == (
        "security-pss-host-path-volumes",
        Severity.ERROR,
        "/spec/volumes/0/hostPath",
    )
    assert finding.message.startswith('hostPath volumes (volume "data"). ')
    assert "refuses this Pod" in finding.message


def test_all_host_path_volumes_are_one_finding_at_the_first() -> None:
    text = pod(
        "{name: tmp, emptyDir: {}}",
        "{name: logs, hostPath: {path: /var/log}}",
        "{name: etc, hostPath: {path: /etc}}",
    )
    [finding] = run(text)
    assert finding.path == "/spec/volumes/1/hostPath"
    assert 'hostPath volumes (volumes "logs", "etc")' in finding.message


def test_an_empty_host_path_counts_even_unmounted() -> None:
    [finding] = run(pod("{name: x, hostPath: {}}"))
    assert finding.path == "/spec/volumes/0/hostPath"


def test_other_volumes_null_and_other_types_pass() -> None:
    assert run(POD.format(volumes="")) == []
    assert run(pod("{name: tmp, emptyDir: {}}", "{name: cfg, configMap: {name: c}}")) == []
    assert run(pod("{name: x, hostPath: null}")) == []
    # Values that fail to decode are the schema rules' business.
    assert run(pod("{name: x, hostPath: /data}")) == []
    assert run(pod("{name: x, hostPath: [/data]}")) == []
    assert run(pod("hostPath")) == []
    assert run(POD.format(volumes="  volumes: {name: x, hostPath: {path: /}}")) == []


def test_a_volume_without_a_usable_name_is_still_counted() -> None:
    [finding] = run(pod("{name: 7, hostPath: {path: /}}"))
    assert 'hostPath volumes (volume "")' in finding.message


def test_a_deployment_template_is_checked() -> None:
    [finding] = run(DEPLOYMENT)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/template/spec/volumes/1/hostPath"
    assert "admits the Deployment with a warning, then refuses every Pod" in finding.message


def test_the_namespace_label_decides_the_level() -> None:
    text = pod("{name: data, hostPath: {path: /data}}")
    privileged = "pod-security.kubernetes.io/enforce: privileged"
    # The warn setting defaults to restricted, where security-pss-restricted-volumes replaces
    # this check (OverrideCheckIDs): that rule reports the volume, this one does not.
    assert run(text + NAMESPACE.format(labels=privileged)) == []
    warn = privileged + ", pod-security.kubernetes.io/warn: baseline"
    [finding] = run(text + NAMESPACE.format(labels=warn))
    assert finding.severity is Severity.WARNING
    assert "warn label on Namespace 'todo'" in finding.message
    both = privileged + ", pod-security.kubernetes.io/warn: privileged"
    assert run(text + NAMESPACE.format(labels=both)) == []
