"""dapr-metric-regex: label regexes compiled as RE2."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.metric_regex import RULE, go_regex_problem

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: metrics}
spec:
  metrics:
    enabled: true
    rules:
      - name: dapr_runtime_service_invocation_req_sent_total
        labels:
          - name: method
            regex:
              "orders/": REGEX
"""


def run(regex: str) -> list[Finding]:
    return check(RULE, CONFIG.replace("REGEX", regex))


@pytest.mark.parametrize(
    "regex", ["'orders/a+'", "'(?P<id>[0-9]+)'", "'(?i)^orders/.*$'", "'\\pL+'", "'[[:digit:]]+'"]
)
def test_re2_syntax_passes(regex: str) -> None:
    assert run(regex) == []


@pytest.mark.parametrize(
    "regex", ["'orders/(?=x)'", "'(a)\\1'", "'a++'", "'orders/('", "'a{1001}'", "'\\C'", "'\\Z'"]
)
def test_what_go_refuses_is_an_error(regex: str) -> None:
    (finding,) = run(regex)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/metrics/rules/0/labels/0/regex/orders~1"
    assert "applies none of them" in finding.message


def test_an_escaped_backslash_before_c_is_not_the_any_byte_escape() -> None:
    assert go_regex_problem("\\\\C") is None
    assert go_regex_problem("\\\\\\C") is not None
