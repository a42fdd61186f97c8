"""dapr-sampling-rate: samplingRate as strconv.ParseFloat reads it."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.sampling_rate import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: tracing}
spec:
  tracing:
    samplingRate: RATE
"""


def run(rate: str) -> list[Finding]:
    return check(RULE, CONFIG.replace("RATE", rate))


@pytest.mark.parametrize("rate", ['"25%"', '" 1"', '"0.5 "', '"1e400"', '"one"', '"1,5"', '"1__0"'])
def test_rates_parsefloat_refuses_are_errors(rate: str) -> None:
    (finding,) = run(rate)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/tracing/samplingRate"
    assert "0.0001" in finding.message


@pytest.mark.parametrize(
    "rate", ['"1"', '"0.5"', '"0"', '"0.0001"', '"1e-3"', '".5"', '"1."', '"0x1p-2"', '"1_0e-1"']
)
def test_go_float_forms_pass(rate: str) -> None:
    assert run(rate) == []


@pytest.mark.parametrize("rate", ['"2"', '"-0.5"', '"NaN"', '"Inf"'])
def test_rates_outside_zero_to_one_warn(rate: str) -> None:
    (finding,) = run(rate)
    assert finding.severity is Severity.WARNING
    assert "outside 0..1" in finding.message


def test_empty_rate_warns_about_the_fallback() -> None:
    (finding,) = run('""')
    assert finding.severity is Severity.WARNING and "0.0001" in finding.message


def test_a_number_instead_of_a_string_is_left_to_the_schema() -> None:
    assert run("1") == []
