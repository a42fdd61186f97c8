"""security-dapr-access-control-default: access control whose default lets every app in."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Severity
from tools.rules.security.dapr_access_control_default import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {{name: todo-config, namespace: todo}}
spec:
  accessControl:
{body}
"""

POLICY = """\
    policies:
      - {appId: todo-web, namespace: todo, trustDomain: public, defaultAction: deny}
"""


def run(body: str) -> list[tuple[str, Severity, str]]:
    return [(f.rule, f.severity, f.path) for f in check(RULE, CONFIG.format(body=body))]


def messages(body: str) -> list[str]:
    return [f.message for f in check(RULE, CONFIG.format(body=body))]


def test_allow_without_policies_restricts_nothing() -> None:
    for action in ("allow", "Allow", "ALLOW"):
        body = f"    defaultAction: {action}\n    trustDomain: public"
        assert run(body) == [
            (
                "security-dapr-access-control-default",
                Severity.WARNING,
                "/spec/accessControl/defaultAction",
            )
        ]
    [message] = messages("    defaultAction: allow\n    policies: []")
    assert "restricts nothing" in message
    assert "any namespace" in message


def test_unset_default_without_policies_is_allow() -> None:
    assert run("    trustDomain: public") == [
        ("security-dapr-access-control-default", Severity.WARNING, "/spec/accessControl")
    ]
    [message] = messages("    trustDomain: public")
    assert "fills in allow" in message
    assert run("    defaultAction: ''\n    trustDomain: public") == [
        (
            "security-dapr-access-control-default",
            Severity.WARNING,
            "/spec/accessControl/defaultAction",
        )
    ]


def test_empty_section_is_allow() -> None:
    text = CONFIG.format(body="").replace("accessControl:\n", "accessControl: {}\n")
    [finding] = check(RULE, text)
    assert (finding.severity, finding.path) == (Severity.WARNING, "/spec/accessControl")


def test_unset_default_with_policies_lets_unlisted_apps_in() -> None:
    assert run("    trustDomain: public\n" + POLICY) == [
        ("security-dapr-access-control-default", Severity.WARNING, "/spec/accessControl")
    ]
    [message] = messages("    trustDomain: public\n" + POLICY)
    assert "not deny" in message
    assert "every app without a policy" in message


def test_deny_or_allow_with_policies_passes() -> None:
    assert run("    defaultAction: deny\n    trustDomain: public") == []
    assert run("    defaultAction: DENY") == []
    assert run("    defaultAction: allow\n" + POLICY) == []
    assert run("    defaultAction: deny\n" + POLICY) == []


def test_invalid_actions_are_left_to_dapr_access_control() -> None:
    assert run("    defaultAction: permit") == []


def test_absent_or_hostile_sections_pass() -> None:
    text = CONFIG.format(body="").replace("  accessControl:\n", "  metric: {enabled: true}\n")
    assert check(RULE, text) == []
    assert (
        check(RULE, CONFIG.format(body="").replace("accessControl:\n", "accessControl: null\n"))
        == []
    )
    assert (
        check(RULE, CONFIG.format(body="").replace("accessControl:\n", "accessControl: [x]\n"))
        == []
    )
    assert run("    defaultAction: [allow]") == []
    assert run("    defaultAction: allow\n    policies: {a: b}") == []
    assert run("    policies: yes") == []
