"""kubernetes-annotations: qualified-name keys (case ignored) and 256 KiB in all."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.kubernetes.annotations import RULE, TOTAL_SIZE_LIMIT


def run(annotations: str) -> list[Finding]:
    text = (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: x\n"
        f"  annotations: {annotations}\n"
    )
    return check(RULE, text)


@pytest.mark.parametrize(
    "annotations", ['{"bad key!": x}', '{"a/b/c": x}', '{"-x": y}', '{"Bad_Domain/x": y}']
)
def test_invalid_keys_are_errors(annotations: str) -> None:
    (finding,) = run(annotations)
    assert finding.severity is Severity.ERROR
    assert "annotation key" in finding.message


@pytest.mark.parametrize(
    "annotations",
    [
        '{dapr.io/app-id: todo, "Example.COM/Name": "any value at all: !@#"}',
        '{"x": ""}',
        "{todo-dapr.io/ignore: 'rule=reason'}",
    ],
)
def test_valid_annotations(annotations: str) -> None:
    assert run(annotations) == []


def test_total_size_limit() -> None:
    key = "k"
    fits = "v" * (TOTAL_SIZE_LIMIT - len(key))
    assert run(f"{{{key}: {fits}}}") == []
    (finding,) = run(f"{{{key}: {fits}v}}")
    assert finding.path == "/metadata/annotations"
    assert str(TOTAL_SIZE_LIMIT + 1) in finding.message


def test_size_counts_utf8_bytes() -> None:
    value = "é" * (TOTAL_SIZE_LIMIT // 2)  # two bytes each: one byte over with the key
    (finding,) = run(f"{{k: {value}}}")
    assert "256 KiB" in finding.message
