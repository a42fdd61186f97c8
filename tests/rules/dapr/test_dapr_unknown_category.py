"""dapr-unknown-category: a type outside Dapr's categories makes the sidecar exit."""

from __future__ import annotations

import pytest

from tools.findings import Finding, Severity
from tools.resources import load_text
from tools.rules import Bundle
from tools.rules.dapr.unknown_category import RULE

DOC = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: scheduler}
spec:
  type: TYPE
  version: v1
  metadata: []
scopes: [backend]
"""


def run(text: str) -> list[Finding]:
    resources = load_text(text, "test.yaml").resources
    bundle = Bundle(resources)
    return [f for r in resources for f in RULE.check(r, bundle)]


def test_scheduler_kubernetes_is_an_error_with_the_jobs_api_hint() -> None:
    (finding,) = run(DOC.replace("TYPE", "scheduler.kubernetes"))
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/type"
    assert "backend" in finding.message and "exit" in finding.message
    assert "bindings.cron" in finding.message and "Jobs API" in finding.message


def test_a_type_without_a_dot_is_an_error() -> None:
    (finding,) = run(DOC.replace("TYPE", "kafka"))
    assert "every sidecar" not in finding.message  # scoped to backend


@pytest.mark.parametrize(
    "type_", ["pubsub.kafka", "state.whatever", "Bindings.cron", "workflowbackend.actors"]
)
def test_known_categories_pass(type_: str) -> None:
    assert run(DOC.replace("TYPE", type_)) == []


def test_other_kinds_and_missing_types_are_ignored() -> None:
    assert run(DOC.replace("kind: Component", "kind: Subscription").replace("TYPE", "x")) == []
    assert run(DOC.replace("  type: TYPE\n", "")) == []
