"""dapr-feature-name: feature flags daprd 1.18 knows."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.feature_name import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: features}
spec:
  features:
    - {name: NAME, enabled: ENABLED}
"""


def run(name: str, enabled: str = "true") -> list[Finding]:
    text = CONFIG.replace("NAME", name).replace("ENABLED", enabled)
    return check(RULE, text)


def test_known_features_pass() -> None:
    assert run("HotReload", "false") == []
    assert run("WorkflowHistorySigning") == []


def test_wrong_case_is_an_error_even_when_disabling() -> None:
    (finding,) = run("hotreload", "false")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/features/0/name"
    assert 'Write "HotReload"' in finding.message and "default" in finding.message


def test_unknown_feature_warns_enabled_or_not() -> None:
    (finding,) = run("IsEnabled")
    assert finding.severity is Severity.WARNING and "no behaviour" in finding.message
    (disabled,) = run("Resiliencyy", "false")
    assert disabled.severity is Severity.WARNING


def test_retired_feature_warns() -> None:
    (finding,) = run("SchedulerReminders")
    assert finding.severity is Severity.WARNING and "no longer exists" in finding.message


def test_flags_of_older_releases_are_retired() -> None:
    (finding,) = run("PubSub.Routing")
    assert "no longer exists" in finding.message


def _on(release: str, name: str) -> list[Finding]:
    text = CONFIG.replace("NAME", name).replace("ENABLED", "true")
    return check(RULE, text, release=release)


def test_features_follow_the_release() -> None:
    # pkg/config/configuration.go: SchedulerReminders exists in 1.16 only,
    # WorkflowsRemoteActivityReminder from 1.17, WorkflowHistorySigning from 1.18.
    assert _on("1.16", "SchedulerReminders") == []
    (retired,) = _on("1.17", "SchedulerReminders")
    assert "no longer exists in Dapr 1.17" in retired.message
    (added,) = _on("1.17", "WorkflowHistorySigning")
    assert "added in Dapr 1.18: daprd 1.17" in added.message
    assert added.severity is Severity.WARNING
    assert _on("1.17", "WorkflowsRemoteActivityReminder") == []
    (older,) = _on("1.16", "WorkflowsRemoteActivityReminder")
    assert "added in Dapr 1.17" in older.message
    (case,) = _on("1.16", "schedulerreminders")
    assert 'does not match "SchedulerReminders"' in case.message
    assert [f.severity for f in _on("1.18", "schedulerreminders")] == [Severity.WARNING]
