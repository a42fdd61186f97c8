"""security-dapr-mtls: mTLS off in daprsystem, mTLS settings in an app Configuration."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Severity
from tools.rules.security.dapr_mtls import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {{name: {name}, namespace: {namespace}}}
spec:
{spec}
"""


def run(
    spec: str, name: str = "daprsystem", namespace: str = "dapr-system"
) -> list[tuple[str, Severity, str]]:
    text = CONFIG.format(name=name, namespace=namespace, spec=spec)
    return [(f.rule, f.severity, f.path) for f in check(RULE, text)]


def test_disabled_in_daprsystem_is_a_breach() -> None:
    text = CONFIG.format(
        name="daprsystem", namespace="dapr-system", spec="  mtls: {enabled: false}"
    )
    [finding] = check(RULE, text)
    assert (finding.rule, finding.severity, finding.path) == (
        "security-dapr-mtls",
        Severity.ERROR,
        "/spec/mtls/enabled",
    )
    assert "namespace 'dapr-system'" in finding.message
    assert "plain text" in finding.message
    assert "--enable-mtls" in finding.message


def test_daprsystem_with_mtls_on_or_unset_passes() -> None:
    assert run("  mtls: {enabled: true, workloadCertTTL: 24h, allowedClockSkew: 15m}") == []
    assert run("  mtls: {workloadCertTTL: 24h}") == []
    assert run("  metric: {enabled: true}") == []
    # Not a boolean: the CRD schema reports it; GetEnabled never sees "false" as false.
    assert run('  mtls: {enabled: "false"}') == []


def test_disabled_in_an_app_configuration_is_silently_ignored() -> None:
    [finding] = check(
        RULE, CONFIG.format(name="todo-config", namespace="todo", spec="  mtls: {enabled: false}")
    )
    assert (finding.severity, finding.path) == (Severity.ERROR, "/spec/mtls/enabled")
    assert "silently ignored" in finding.message
    assert "'daprsystem'" in finding.message


def test_other_mtls_fields_in_an_app_configuration_have_no_effect() -> None:
    spec = "  mtls: {workloadCertTTL: 1h, enabled: true}"
    assert run(spec, name="todo-config", namespace="todo") == [
        ("security-dapr-mtls", Severity.WARNING, "/spec/mtls")
    ]
    [finding] = check(RULE, CONFIG.format(name="todo-config", namespace="todo", spec=spec))
    assert "(enabled, workloadCertTTL)" in finding.message


def test_an_app_configuration_without_mtls_passes() -> None:
    assert run("  mtls: {}", name="todo-config", namespace="todo") == []
    assert run("  mtls: [enabled]", name="todo-config", namespace="todo") == []
    assert run("  tracing: {samplingRate: '1'}", name="todo-config", namespace="todo") == []


def test_hostile_shapes_do_not_crash() -> None:
    assert run("  mtls: null") == []
    assert run("  mtls: false") == []
    text = CONFIG.format(name="daprsystem", namespace="dapr-system", spec="").replace(
        "spec:\n", "spec: []\n"
    )
    assert check(RULE, text) == []


def test_a_non_dapr_kind_named_configuration_is_ignored() -> None:
    text = CONFIG.format(name="daprsystem", namespace="x", spec="  mtls: {enabled: false}").replace(
        "dapr.io/v1alpha1", "example.com/v1"
    )
    assert check(RULE, text) == []
