"""security-pss-privileged: securityContext.privileged in any container (PSS baseline)."""

from __future__ import annotations

from pss_text import NAMESPACE
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_privileged import RULE

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
              securityContext: {privileged: true}
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def pod(*containers: str, key: str = "containers") -> str:
    return POD.format(body=f"  {key}:\n" + "\n".join(f"    - {c}" for c in containers))


def test_a_privileged_container_is_refused() -> None:
    [finding] = run(pod("{name: app, securityContext: {privileged: true}}"))
    assert (finding.rule, finding.severity, finding.path) == (
        "security-pss-privileged",
        Severity.ERROR,
        "/spec/containers/0/securityContext/privileged",
    )
    assert finding.message.startswith(
        'privileged (container "app" must not set securityContext.privileged=true). '
    )
    assert "refuses this Pod" in finding.message


def test_every_container_kind_is_visited_and_named_in_one_finding() -> None:
    text = POD.format(
        body="""\
  initContainers:
    - {name: init, securityContext: {privileged: true}}
  containers:
    - {name: ok}
    - {name: app, securityContext: {privileged: true}}
  ephemeralContainers:
    - {name: debug, securityContext: {privileged: true}}"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/initContainers/0/securityContext/privileged"
    assert 'containers "init", "app", "debug" must not set' in finding.message


def test_an_ephemeral_container_alone_is_enough() -> None:
    text = pod("{name: debug, securityContext: {privileged: true}}", key="ephemeralContainers")
    [finding] = run(text)
    assert finding.path == "/spec/ephemeralContainers/0/securityContext/privileged"


def test_false_null_unset_and_other_types_pass() -> None:
    assert run(pod("{name: a, securityContext: {privileged: false}}")) == []
    assert run(pod("{name: a, securityContext: {privileged: null}}")) == []
    assert run(pod("{name: a, securityContext: {runAsNonRoot: true}}")) == []
    assert run(pod("{name: a}")) == []
    # Values that fail to decode are the schema rules' business.
    assert run(pod('{name: a, securityContext: {privileged: "true"}}')) == []
    assert run(pod("{name: a, securityContext: [privileged]}")) == []
    assert run(pod("[name, a]", "just-a-string")) == []
    assert run(POD.format(body="  containers: {name: a}")) == []
    assert run(POD.format(body="  containers: null")) == []


def test_a_container_without_a_usable_name_is_still_counted() -> None:
    [finding] = run(pod("{name: [x], securityContext: {privileged: true}}"))
    assert 'container "" must not set' in finding.message


def test_a_cronjob_template_is_checked() -> None:
    [finding] = run(CRONJOB)
    assert finding.severity is Severity.ERROR
    assert finding.path == (
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged"
    )
    assert "admits the CronJob with a warning, then refuses every Pod" in finding.message


def test_the_namespace_label_decides_the_level() -> None:
    text = pod("{name: app, securityContext: {privileged: true}}")
    privileged = "pod-security.kubernetes.io/enforce: privileged"
    [finding] = run(text + NAMESPACE.format(labels=privileged))
    assert finding.severity is Severity.WARNING
    assert "--pod-security-warn" in finding.message
    both = privileged + ", pod-security.kubernetes.io/warn: privileged"
    assert run(text + NAMESPACE.format(labels=both)) == []
    restricted = "pod-security.kubernetes.io/enforce: restricted"
    [finding] = run(text + NAMESPACE.format(labels=restricted))
    assert finding.severity is Severity.ERROR
    assert "enforce label on Namespace 'todo'" in finding.message
