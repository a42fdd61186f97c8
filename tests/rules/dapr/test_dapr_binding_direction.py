"""dapr-binding-direction: a direction the binding type is not registered for."""

from __future__ import annotations

import pytest
from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.binding_direction import RULE

DOC = component('{name: NAME, value: "VALUE"}', type_="TYPE", name="c")


def run(type_: str, value: str, name: str = "direction") -> list[Finding]:
    text = DOC.replace("TYPE", type_).replace("VALUE", value).replace("NAME", name)
    return check(RULE, text)


def test_only_an_unregistered_direction_is_an_error() -> None:
    # bindings_cron.go registers cron with RegisterInputBinding only.
    (finding,) = run("bindings.cron", "output")
    assert finding.severity is Severity.ERROR
    assert "silently not loaded" in finding.message and "bindings_cron.go" in finding.message
    (http,) = run("bindings.http", "input", name="Direction")  # matched with EqualFold
    assert http.severity is Severity.ERROR


def test_an_extra_unregistered_direction_is_a_warning() -> None:
    (finding,) = run("bindings.cron", "input, output")
    assert finding.severity is Severity.WARNING and "no output side" in finding.message


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("bindings.cron", "input"),
        ("bindings.kafka", "input, output"),
        ("bindings.kafka", "OUTPUT"),
        ("bindings.cron", "both"),  # no direction named: dapr-metadata-value reports it
        ("bindings.nosuch", "output"),  # dapr-unknown-type reports it
    ],
)
def test_registered_directions_pass(type_: str, value: str) -> None:
    assert run(type_, value) == []
