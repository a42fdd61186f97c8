"""dapr-httpendpoint-url: baseUrl needs an http(s) scheme and a host."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.httpendpoint_url import RULE

ENDPOINT = """\
apiVersion: dapr.io/v1alpha1
kind: HTTPEndpoint
metadata: {name: github}
spec:
  baseUrl: URL
"""


def run(url: str) -> list[Finding]:
    return check(RULE, ENDPOINT.replace("URL", url))


@pytest.mark.parametrize(
    "url",
    ['"https://api.github.com"', '"http://svc.ns.svc.cluster.local:8080/api/v1"', '"HTTPS://x.io"'],
)
def test_http_urls_pass(url: str) -> None:
    assert run(url) == []


@pytest.mark.parametrize(
    "url",
    [
        '"api.github.com"',
        '"ftp://files.example.com"',
        '"https://"',
        '"https://a b.io"',
        '"https://x.io/?v=1"',
        '""',
    ],
)
def test_unusable_urls_are_errors(url: str) -> None:
    (finding,) = run(url)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/baseUrl"


def test_trailing_slash_warns() -> None:
    (finding,) = run('"https://api.github.com/"')
    assert finding.severity is Severity.WARNING and "'//<method>'" in finding.message
