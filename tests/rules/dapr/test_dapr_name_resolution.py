"""dapr-name-resolution: resolvers and versions daprd registers."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.name_resolution import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: nr}
spec:
  nameResolution:
    component: "@NAME@"
    version: "@VERSION@"
    configuration: {}
"""


def run(name: str, version: str = "v1") -> list[Finding]:
    text = CONFIG.replace("@NAME@", name).replace("@VERSION@", version)
    return check(RULE, text)


@pytest.mark.parametrize(
    ("name", "version"),
    [("kubernetes", "v1"), ("Consul", "v1"), ("hashicorp.consul", ""), ("sqlite", "V0")],
)
def test_registered_resolvers_pass(name: str, version: str) -> None:
    assert run(name, version) == []


def test_unknown_resolver_is_an_error() -> None:
    (finding,) = run("dns")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/nameResolution/component"
    assert "service invocation" in finding.message


def test_unknown_version_is_an_error() -> None:
    (finding,) = run("kubernetes", "v2")
    assert finding.path == "/spec/nameResolution/version"


def _on(release: str, name: str) -> list[Finding]:
    text = CONFIG.replace("@NAME@", name).replace("@VERSION@", "v1")
    return check(RULE, text, release=release)


def test_nameformat_is_registered_from_1_18_on() -> None:
    # cmd/daprd/components/nameresolution_nameformat.go exists from v1.18.0 on.
    assert _on("1.18", "nameformat") == []
    for release in ("1.16", "1.17"):
        (finding,) = _on(release, "nameformat")
        assert f"does not exist in Dapr {release} (added in Dapr 1.18)" in finding.message
        assert "nameformat" not in finding.message.partition("Use one of")[2]
