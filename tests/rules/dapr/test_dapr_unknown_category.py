"""dapr-unknown-category: a type outside Dapr's categories makes the sidecar exit."""

from __future__ import annotations

import pytest
from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.unknown_category import RULE

DOC = component(type_="TYPE", name="scheduler", scopes="backend")


def run(text: str) -> list[Finding]:
    return check(RULE, text)


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
    "type_", ["pubsub.kafka", "state.whatever", "bindings.Cron", "middleware.http.uppercase"]
)
def test_categories_daprd_loads_pass(type_: str) -> None:
    assert run(DOC.replace("TYPE", type_)) == []


def test_category_case_matters() -> None:
    # processor.category compares the prefix with strings.HasPrefix: case-sensitive.
    (finding,) = run(DOC.replace("TYPE", "Bindings.cron"))
    assert 'written "bindings"' in finding.message and "exit" in finding.message


@pytest.mark.parametrize(
    "type_", ["workflowbackend.actors", "workflow.dapr", "nameresolution.mdns"]
)
def test_categories_without_a_component_manager_are_errors(type_: str) -> None:
    # pkg/components/category.go names them, but the processor's managers map has none.
    (finding,) = run(DOC.replace("TYPE", type_))
    assert finding.severity is Severity.ERROR and "loads only" in finding.message


def test_other_kinds_and_missing_types_are_ignored() -> None:
    assert run(DOC.replace("kind: Component", "kind: Subscription").replace("TYPE", "x")) == []
    assert run(DOC.replace("  type: TYPE\n", "")) == []
