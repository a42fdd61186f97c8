"""dapr-resiliency-timeout-shorter: a Resiliency timeout below the component's own timeout."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.resiliency_timeout_shorter import RULE

DOCS = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec:
  type: state.postgresql
  version: v1
  metadata:
    - name: connectionString
      secretKeyRef: {name: app-secrets, key: database-url}
    - {name: NAME, value: "COMPONENT"}
---
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: r}
spec:
  policies:
    timeouts: {t: POLICY}
  targets:
    components:
      statestore:
        outbound: {timeout: t}
"""


def run(component: str, policy: str, name: str = "timeout") -> list[Finding]:
    text = DOCS.replace("COMPONENT", component).replace("POLICY", policy).replace("NAME", name)
    return check(RULE, text)


def test_a_shorter_resiliency_timeout_warns() -> None:
    (finding,) = run("20s", "5s")
    assert finding.severity is Severity.WARNING
    assert finding.path == "/spec/targets/components/statestore/outbound/timeout"
    assert "(5s)" in finding.message and "(20s)" in finding.message


def test_aliases_and_plain_seconds_are_read_as_the_component_reads_them() -> None:
    (finding,) = run("20", "1500ms", name="timeoutInSeconds")
    assert "(1.5s)" in finding.message


def test_an_equal_or_longer_timeout_passes() -> None:
    assert run("20s", "20s") == []
    assert run("20s", "1m") == []
    assert run("not-a-duration", "5s") == []  # dapr-metadata-value reports the value
