"""dapr-duplicate-metadata: names differing only in case make daprd refuse the component."""

from __future__ import annotations

from manifests import KAFKA_BROKERS, component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.duplicate_metadata import RULE

DOC = component(KAFKA_BROKERS, '{name: FIRST, value: "a"}', '{name: SECOND, value: "b"}')


def run(first: str, second: str) -> list[Finding]:
    text = DOC.replace("FIRST", first).replace("SECOND", second)
    return check(RULE, text)


def test_case_only_difference_is_an_error() -> None:
    (finding,) = run("clientID", "clientId")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/metadata/2/name"
    assert "duplicate in the metadata" in finding.message


def test_exact_repeat_is_a_warning() -> None:
    (finding,) = run("backOffDuration", "backOffDuration")
    assert finding.severity is Severity.WARNING
    assert "twice" in finding.message


def test_distinct_names_pass() -> None:
    assert run("clientID", "consumerGroup") == []
