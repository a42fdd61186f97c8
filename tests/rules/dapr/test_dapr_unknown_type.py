"""dapr-unknown-type: a type or version the catalog does not know, in a known category."""

from __future__ import annotations

from tools.findings import Finding, Severity
from tools.resources import load_text
from tools.rules import Bundle
from tools.rules.dapr.unknown_type import RULE

DOC = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: c}
spec:
  type: TYPE
  version: VERSION
  metadata: []
"""


def run(type_: str, version: str = "v1", extra: str = "") -> list[Finding]:
    text = DOC.replace("TYPE", type_).replace("VERSION", version) + extra
    resources = load_text(text, "test.yaml").resources
    bundle = Bundle(resources)
    return [f for r in resources for f in RULE.check(r, bundle)]


def test_misspelt_type_warns_with_a_suggestion() -> None:
    (finding,) = run("pubsub.kafak")
    assert finding.severity is Severity.WARNING
    assert finding.path == "/spec/type"
    assert '"pubsub.kafka"' in finding.message and "exits" in finding.message


def test_unknown_version_names_the_known_ones() -> None:
    (finding,) = run("state.postgresql", "v3")
    assert finding.path == "/spec/version"
    assert "v1, v2" in finding.message


def test_ignore_errors_changes_the_runtime_effect() -> None:
    (finding,) = run("state.nosuchstore", extra="  ignoreErrors: true\n")
    assert "runs without this component" in finding.message


def test_known_types_aliases_and_initial_versions_pass() -> None:
    assert run("pubsub.kafka") == []
    assert run("state.postgresql", "v2") == []
    assert run("state.redis", "") == []
    assert run("pubsub.snssqs") == []
    assert run("bindings.zeebe.command") == []


def test_unknown_category_is_left_to_the_category_rule() -> None:
    assert run("scheduler.kubernetes") == []
