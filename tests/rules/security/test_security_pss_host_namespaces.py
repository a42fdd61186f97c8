"""security-pss-host-namespaces: hostNetwork, hostPID and hostIPC (PSS baseline)."""

from __future__ import annotations

from pss_text import NAMESPACE
from rule_check import check

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.security.pss_host_namespaces import RULE

POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: p, namespace: todo}}
spec:
{fields}
  containers: [{{name: app, image: "registry.example/app:1.0"}}]
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: d, namespace: todo}}
spec:
  selector: {{matchLabels: {{app: d}}}}
  template:
    metadata: {{labels: {{app: d}}}}
    spec:
{fields}
      containers: [{{name: app, image: "registry.example/app:1.0"}}]
"""


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    if context is None:
        return check(RULE, text)
    resources = load_text(text, "test.yaml").resources
    bundle = Bundle(resources, context)
    return [f for r in resources if RULE.applies_to(r) for f in RULE.check(r, bundle)]


def test_each_host_namespace_is_refused_under_the_default_baseline() -> None:
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        findings = run(POD.format(fields=f"  {field}: true"))
        assert [(f.severity, f.path) for f in findings] == [(Severity.ERROR, f"/spec/{field}")]
        assert f"{field}=true" in findings[0].message
        assert "refuses this Pod" in findings[0].message


def test_all_three_are_one_finding_as_podsecurity_words_it() -> None:
    text = POD.format(fields="  hostNetwork: true\n  hostPID: true\n  hostIPC: true")
    [finding] = run(text)
    assert "host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)" in finding.message


def test_false_unset_and_non_booleans_pass() -> None:
    assert run(POD.format(fields="  hostNetwork: false\n  hostPID: false")) == []
    assert run(POD.format(fields="  dnsPolicy: ClusterFirst")) == []
    # "true" as a string fails to decode at all: the schema rules report it, not this one.
    assert run(POD.format(fields='  hostNetwork: "true"')) == []


def test_a_template_is_admitted_but_its_pods_are_refused() -> None:
    [finding] = run(DEPLOYMENT.format(fields="      hostNetwork: true"))
    assert finding.path == "/spec/template/spec/hostNetwork"
    assert "admits the Deployment with a warning, then refuses every Pod" in finding.message


def test_the_namespace_label_decides_the_level() -> None:
    text = POD.format(fields="  hostPID: true")
    privileged = "pod-security.kubernetes.io/enforce: privileged"
    # The warn label is absent: the warn setting (default restricted) still applies.
    [finding] = run(text + NAMESPACE.format(labels=privileged))
    assert finding.severity is Severity.WARNING
    assert "--pod-security-warn" in finding.message
    warn = privileged + ", pod-security.kubernetes.io/warn: baseline"
    [finding] = run(text + NAMESPACE.format(labels=warn))
    assert finding.severity is Severity.WARNING
    assert "warn label on Namespace 'todo'" in finding.message
    both = privileged + ", pod-security.kubernetes.io/warn: privileged"
    assert run(text + NAMESPACE.format(labels=both)) == []


def test_a_namespace_of_another_name_does_not_apply() -> None:
    other = NAMESPACE.format(labels="pod-security.kubernetes.io/enforce: privileged").replace(
        "name: todo", "name: other"
    )
    [finding] = run(POD.format(fields="  hostPID: true") + other)
    assert finding.severity is Severity.ERROR


def test_the_settings_apply_where_no_label_does() -> None:
    text = POD.format(fields="  hostIPC: true")
    lenient = RunContext(pod_security_enforce="privileged", pod_security_warn="baseline")
    [finding] = run(text, lenient)
    assert finding.severity is Severity.WARNING
    assert "--pod-security-warn" in finding.message
    off = RunContext(pod_security_enforce="privileged", pod_security_warn="privileged")
    assert run(text, off) == []
