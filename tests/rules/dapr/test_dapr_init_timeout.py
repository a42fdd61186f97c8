"""dapr-init-timeout: spec.initTimeout as time.ParseDuration reads it."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.init_timeout import RULE

COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec:
  type: state.redis
  version: v1
  initTimeout: TIMEOUT
  metadata: []
"""


def run(timeout: str) -> list[Finding]:
    return check(RULE, COMPONENT.replace("TIMEOUT", timeout))


@pytest.mark.parametrize("timeout", ['"30s"', '"1h30m"', '"1.5m"', '"500ms"', '"2µs"', '""'])
def test_go_durations_pass(timeout: str) -> None:
    assert run(timeout) == []


def test_bare_number_silently_becomes_five_seconds() -> None:
    (finding,) = run('"60"')
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/initTimeout"
    assert 'write "60s"' in finding.message and "5s" in finding.message


@pytest.mark.parametrize("timeout", ['"1 m"', '"5sec"', '"3000000h"', '"1d"'])
def test_other_unparsable_values_are_errors(timeout: str) -> None:
    (finding,) = run(timeout)
    assert "not a Go duration" in finding.message


@pytest.mark.parametrize("timeout", ['"0"', '"-5s"'])
def test_zero_or_negative_warns(timeout: str) -> None:
    (finding,) = run(timeout)
    assert finding.severity is Severity.WARNING
