"""dapr-unchecked-metadata: a registered component without a metadata description."""

from __future__ import annotations

from manifests import component

from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.dapr.unchecked_metadata import RULE
from tools.rules.dapr.unknown_metadata import RULE as UNKNOWN

DOC = component("{name: direction, value: both}", type_="TYPE", name="c")


def run(type_: str, rule: object = RULE) -> list[Finding]:
    resources = load_text(DOC.replace("TYPE", type_), "test.yaml").resources
    bundle = Bundle(resources)
    return [f for r in resources for f in rule.check(r, bundle)]  # type: ignore[attr-defined]


def test_uppercase_middleware_metadata_is_unchecked_info() -> None:
    (finding,) = run("middleware.http.uppercase")
    assert finding.severity is Severity.INFO
    assert "middleware_http_uppercase.go" in finding.message
    assert run("middleware.http.uppercase", rule=UNKNOWN) == []


def test_components_with_a_metadata_description_are_checked_instead() -> None:
    assert run("pubsub.kafka") == []
    assert run("pubsub.nosuch") == []  # dapr-unknown-type reports it
