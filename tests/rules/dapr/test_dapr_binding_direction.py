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


@pytest.mark.parametrize("value", ["both", "", " , ", "in"])
def test_a_value_naming_no_direction_is_an_error(value: str) -> None:
    # isBindingOfDirection matches no comma-separated part: neither side is initialised, and
    # binding.Init still reports success (daprd 1.18.2 loads it without an error).
    (finding,) = run("bindings.cron", value)
    assert finding.severity is Severity.ERROR and finding.path == "/spec/metadata/0/value"
    assert "names neither input nor output" in finding.message
    assert 'Set direction to "input"' in finding.message
    (kafka,) = run("bindings.kafka", value)
    assert 'Set direction to "input, output"' in kafka.message


def test_an_unknown_part_besides_a_direction_is_an_error() -> None:
    (finding,) = run("bindings.kafka", "input, outptu")
    assert finding.severity is Severity.ERROR
    assert '"outptu"' in finding.message and "only the input side" in finding.message


def test_a_direction_item_without_a_value_names_no_direction() -> None:
    text = DOC.replace("TYPE", "bindings.cron").replace(
        '{name: NAME, value: "VALUE"}', "{name: direction}"
    )
    (finding,) = check(RULE, text)
    assert "names neither input nor output" in finding.message


@pytest.mark.parametrize(
    ("type_", "value"),
    [
        ("bindings.cron", "input"),
        ("bindings.kafka", "input, output"),
        ("bindings.kafka", "OUTPUT"),
        ("bindings.kafka", "input,,output, "),  # empty parts are harmless
        ("bindings.nosuch", "output"),  # dapr-unknown-type reports it
        ("bindings.nosuch", "both"),
    ],
)
def test_registered_directions_pass(type_: str, value: str) -> None:
    assert run(type_, value) == []


def test_a_placeholder_direction_is_not_judged() -> None:
    doc = DOC.replace("TYPE", "bindings.cron").replace("NAME", "direction")
    doc = doc.replace('"VALUE"}', '"${{DIRECTION}}"}\n    - {name: schedule, value: "@daily"}')
    assert check(RULE, doc) == []


def test_a_side_named_by_another_direction_item_is_loaded() -> None:
    # isBindingOfDirection looks at every direction item: the input side is initialised.
    doc = DOC.replace("TYPE", "bindings.cron").replace("NAME", "direction")
    doc = doc.replace('"VALUE"}', '"output"}\n    - {name: Direction, value: input}')
    assert check(RULE, doc) == []
