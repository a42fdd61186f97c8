"""dapr-config-duration: Go durations in a Configuration."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.config_duration import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: c}
spec:
  tracing:
    samplingRate: "1"
    otel: {endpointAddress: "collector:4317", isSecure: false, protocol: grpc, timeout: @OTEL@}
  workflow:
    stateRetentionPolicy: {anyTerminal: @ANY@, completed: "1h30m"}
  mtls:
    enabled: true
    sentryAddress: dapr-sentry:443
    controlPlaneTrustDomain: cluster.local
    workloadCertTTL: @TTL@
    allowedClockSkew: "15m"
"""


def run(otel: str = '"10s"', any_: str = '"168h"', ttl: str = '"24h"') -> list[Finding]:
    text = CONFIG.replace("@OTEL@", otel).replace("@ANY@", any_).replace("@TTL@", ttl)
    return check(RULE, text)


def test_go_durations_pass() -> None:
    assert run() == []
    assert run(otel='"1.5s"', any_='"0"', ttl='"-1h"') == []
    assert run(any_='"2562047h47m16.854775807s"') == []


@pytest.mark.parametrize("value", ['"7d"', '"60"', '"1h 30m"', '""', '"2562048h"'])
def test_values_parseduration_refuses_are_errors(value: str) -> None:
    (finding,) = run(any_=value)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/workflow/stateRetentionPolicy/anyTerminal"
    assert "fails to start" in finding.message


def test_otel_timeout_and_sentry_fields() -> None:
    (otel,) = run(otel='"10"')
    assert otel.path == "/spec/tracing/otel/timeout"
    (ttl,) = run(ttl='"1 day"')
    assert ttl.path == "/spec/mtls/workloadCertTTL" and "Sentry" in ttl.message
    assert run(ttl='""') == []
