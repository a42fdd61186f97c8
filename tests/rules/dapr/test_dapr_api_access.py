"""dapr-api-access: API allow/deny entries daprd keeps and those it drops."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.api_access import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: api}
spec:
  api:
    allowed:
ALLOWED
"""


def run(*rules: str) -> list[Finding]:
    text = CONFIG.replace("ALLOWED", "\n".join(f"      - {r}" for r in rules))
    return check(RULE, text)


def test_valid_rules_pass() -> None:
    assert (
        run(
            "{name: state, version: v1.0, protocol: http}",
            "{name: publish, version: v1.0, protocol: HTTP}",
            "{name: state, version: v1, protocol: grpc}",
            "{name: workflows, version: v1beta1, protocol: grpc}",
        )
        == []
    )


def test_rule_without_protocol_applies_to_nothing() -> None:
    (finding,) = run("{name: state, version: v1.0}")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/api/allowed/0/protocol"
    assert "neither API" in finding.message


def test_upper_case_grpc_is_ignored_by_the_grpc_server() -> None:
    (finding,) = run("{name: state, version: v1, protocol: GRPC}")
    assert "case-sensitively" in finding.message
    (other,) = run("{name: state, version: v1, protocol: websocket}")
    assert "neither http nor grpc" in other.message


def test_unknown_grpc_api_opens_everything_when_it_is_the_only_entry() -> None:
    (finding,) = run("{name: state, version: v1.0, protocol: grpc}")
    assert finding.path == "/spec/api/allowed/0"
    assert "every gRPC API stays open" in finding.message
    (lone,) = run(
        "{name: state, version: v1, protocol: grpc}",
        "{name: statestore, version: v1, protocol: grpc}",
    )
    assert "no effect" in lone.message


def test_grpc_apis_follow_the_release() -> None:
    # pkg/api/grpc/endpoints.go gains jobs.v1 and actors.v1alpha1 in v1.18.0.
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: api}
spec:
  api:
    denied:
      - {name: jobs, version: v1, protocol: grpc}
"""

    def on(release: str) -> list[Finding]:
        return check(RULE, text, release=release)

    assert on("1.18") == []
    (finding,) = on("1.17")
    assert "does not exist in daprd 1.17 (added in Dapr 1.18)" in finding.message
