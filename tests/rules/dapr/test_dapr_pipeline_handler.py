"""dapr-pipeline-handler: handlers must match a middleware Component exactly."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.pipeline_handler import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: pipeline}
spec:
  httpPipeline:
    handlers:
      - {name: HANDLER, type: TYPE}
"""

MIDDLEWARE = """\
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: uppercase}
spec:
  type: middleware.http.uppercase
  version: VERSION
  metadata: []
"""


def run(
    handler: str = "uppercase",
    type_: str = "middleware.http.uppercase",
    version: str = "v1",
    component: bool = True,
) -> list[Finding]:
    text = CONFIG.replace("HANDLER", handler).replace("TYPE", type_)
    if component:
        text += MIDDLEWARE.replace("VERSION", version)
    return check(RULE, text)


def test_matching_component_passes() -> None:
    assert run() == []
    assert run(version='""') == []


def test_type_mismatch_or_other_version_is_skipped_silently() -> None:
    (finding,) = run(type_="middleware.http.UpperCase")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/httpPipeline/handlers/0/type"
    assert "skips this handler" in finding.message
    (v2,) = run(version="v2")
    assert "middleware.http.uppercase/v2" in v2.message


def test_non_middleware_type_is_an_error() -> None:
    (finding,) = run(type_="bindings.http")
    assert "not an HTTP middleware" in finding.message


def test_missing_component_warns() -> None:
    (finding,) = run(handler="ratelimit", component=False)
    assert finding.severity is Severity.WARNING
    assert finding.path == "/spec/httpPipeline/handlers/0/name"
