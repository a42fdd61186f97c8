"""dapr-otel-protocol: exactly http or grpc."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.otel_protocol import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: tracing}
spec:
  tracing:
    samplingRate: "1"
    otel: {endpointAddress: ENDPOINT, isSecure: false, protocol: PROTOCOL}
"""


def run(protocol: str, endpoint: str = '"otel-collector:4317"') -> list[Finding]:
    text = CONFIG.replace("PROTOCOL", protocol).replace("ENDPOINT", endpoint)
    return check(RULE, text)


@pytest.mark.parametrize("protocol", ["http", "grpc"])
def test_http_and_grpc_pass(protocol: str) -> None:
    assert run(protocol) == []


def test_upper_case_is_a_start_up_error_with_the_fix() -> None:
    (finding,) = run("GRPC")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/tracing/otel/protocol"
    assert 'write "grpc"' in finding.message and "exits" in finding.message


def test_other_protocol_is_an_error() -> None:
    (finding,) = run("http/protobuf")
    assert "neither" in finding.message


def test_empty_protocol_or_endpoint_disables_the_exporter() -> None:
    (finding,) = run('""')
    assert "creates no" in finding.message and finding.severity is Severity.ERROR
    (finding,) = run("grpc", endpoint='""')
    assert finding.path == "/spec/tracing/otel/endpointAddress"
    assert finding.severity is Severity.WARNING and "OTEL_EXPORTER_OTLP_ENDPOINT" in finding.message
