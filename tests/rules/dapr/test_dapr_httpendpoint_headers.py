"""dapr-httpendpoint-headers: one value source per header, one entry per header name."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.httpendpoint_headers import RULE

ENDPOINT = """\
apiVersion: dapr.io/v1alpha1
kind: HTTPEndpoint
metadata: {name: github}
spec:
  baseUrl: https://api.github.com
  headers:
HEADERS
"""


def run(*headers: str) -> list[Finding]:
    text = ENDPOINT.replace("HEADERS", "\n".join(f"    - {h}" for h in headers))
    return check(RULE, text)


def test_one_source_per_header_passes() -> None:
    assert (
        run(
            "{name: Accept, value: application/json}",
            "{name: Authorization, secretKeyRef: {name: gh, key: token}}",
            "{name: X-Env, envRef: REGION}",
        )
        == []
    )


def test_value_and_secret_ref_together_is_an_error() -> None:
    (finding,) = run("{name: Authorization, value: x, secretKeyRef: {name: gh, key: token}}")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/headers/0"
    assert "value and secretKeyRef" in finding.message


def test_repeated_header_name_keeps_the_last() -> None:
    (finding,) = run("{name: Accept, value: a}", "{name: accept, value: b}")
    assert finding.path == "/spec/headers/1/name" and "last entry" in finding.message
