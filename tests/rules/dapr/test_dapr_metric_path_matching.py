"""dapr-metric-path-matching: pathMatching entries as Go ServeMux patterns."""

from __future__ import annotations

import json

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.metric_path_matching import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: metrics}
spec:
  metrics:
    enabled: true
    http:
      pathMatching: @PATHS@
"""


def run(*paths: str) -> list[Finding]:
    return check(RULE, CONFIG.replace("@PATHS@", json.dumps(list(paths))), "t.yaml")


def test_valid_patterns_pass() -> None:
    assert (
        run(
            "/orders/{orderID}",
            "/orders/{orderID}/items/{itemID}",
            "users/{id}",  # daprd adds the leading slash
            "/files/{path...}",
            "/v1.0/invoke/{app_id}/method/status",
            "/exact/{$}",
            "/",
            "/orders/{orderID}",  # an exact duplicate is dropped by daprd
            "/weird}literal",
        )
        == []
    )


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/orders/id{x}", "does not start"),
        ("/orders/{x", "does not end"),
        ("/orders/{x}/{x}", "twice"),
        ("/apps/{app_id}", "service-invocation variant"),
        ("/orders/{1st}", "not a Go identifier"),
        ("/files/{path...}/more", "before the end"),
        ("/a/{$}/b", "before the end"),
        ("/orders/{id} ", "space"),
    ],
)
def test_patterns_servemux_refuses_are_errors(path: str, words: str) -> None:
    (finding,) = run(path)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/metrics/http/pathMatching/0"
    assert words in finding.message and "panics" in finding.message


def test_same_shape_under_other_wildcard_names_conflicts() -> None:
    (finding,) = run("/orders/{id}", "/orders/{orderID}")
    assert finding.path == "/spec/metrics/http/pathMatching/1"
    assert "(entry 0)" in finding.message


def test_a_path_conflicting_with_another_paths_invoke_variant() -> None:
    (finding,) = run("/v1.0/invoke/{target}/method/a", "/a")
    assert finding.path == "/spec/metrics/http/pathMatching/1"
    assert "/v1.0/invoke/{app_id}/method/a" in finding.message
