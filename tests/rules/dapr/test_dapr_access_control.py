"""dapr-access-control: what ParseAccessControlSpec refuses and what the lookup never matches."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.access_control import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: acl}
spec:
  accessControl:
    defaultAction: DEFAULT
    trustDomain: public
    policies:
POLICIES
"""

GOOD = (
    "    - appId: backend\n"
    "      defaultAction: Deny\n"
    "      trustDomain: public\n"
    "      namespace: todo\n"
    "      operations:\n"
    "        - {name: /tasks/*, httpVerb: [GET, POST, '*'], action: allow}\n"
    "        - {name: /admin, action: DENY}\n"
)


def run(policies: str = GOOD, default: str = "deny") -> list[Finding]:
    text = CONFIG.replace("DEFAULT", default).replace("POLICIES\n", policies)
    return check(RULE, text)


def test_valid_policies_pass_whatever_the_case_of_actions() -> None:
    assert run() == []
    assert run(default="Allow") == []


def test_policy_without_trust_domain_or_namespace_stops_the_sidecar() -> None:
    (finding,) = run("    - {appId: backend, defaultAction: deny}\n")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/accessControl/policies/0"
    assert "trustDomain, namespace" in finding.message and "exits" in finding.message


def test_action_other_than_allow_or_deny_means_deny() -> None:
    (finding,) = run(default="permit")
    assert finding.path == "/spec/accessControl/defaultAction"
    assert "silently means deny" in finding.message
    (op,) = run(GOOD.replace("action: allow", "action: allowed"))
    assert op.path == "/spec/accessControl/policies/0/operations/0/action"


def test_lower_case_http_verb_never_matches() -> None:
    (finding,) = run(GOOD.replace("[GET, POST", "[get, POST"))
    assert finding.path == "/spec/accessControl/policies/0/operations/0/httpVerb/0"
    assert 'write "GET"' in finding.message
    (other,) = run(GOOD.replace("[GET, POST", "[FETCH, POST"))
    assert "use GET" in other.message


def test_second_policy_for_the_same_app_replaces_the_first() -> None:
    (finding,) = run(GOOD + GOOD.replace("/tasks/*", "/other"))
    assert finding.path == "/spec/accessControl/policies/1/appId"
    assert "policy 0 is silently" in finding.message
    assert run(GOOD + GOOD.replace("namespace: todo", "namespace: other")) == []
