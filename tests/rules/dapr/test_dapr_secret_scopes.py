"""dapr-secret-scopes: defaultAccess allow/deny only, one entry per store."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.secret_scopes import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: appconfig}
spec:
  secrets:
    scopes:
SCOPES
"""


def run(*scopes: str) -> list[Finding]:
    text = CONFIG.replace("SCOPES", "\n".join(f"      - {s}" for s in scopes))
    return check(RULE, text)


def test_default_access_other_than_allow_or_deny() -> None:
    (finding,) = run("{storeName: kubernetes, defaultAccess: block}")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/secrets/scopes/0/defaultAccess"
    assert '"block"' in finding.message and "refuses" in finding.message


def test_store_scoped_twice() -> None:
    (finding,) = run(
        "{storeName: kubernetes, defaultAccess: deny}",
        "{storeName: kubernetes, defaultAccess: allow}",
    )
    assert finding.path == "/spec/secrets/scopes/1/storeName"


def test_valid_scopes_pass() -> None:
    assert (
        run(
            "{storeName: kubernetes, defaultAccess: deny}",
            "{storeName: app-secrets, defaultAccess: Deny, allowedSecrets: [a]}",
            "{storeName: app2, defaultAccess: Allow, deniedSecrets: [a]}",
            "{storeName: other}",
        )
        == []
    )


def test_allowed_secrets_decide_alone() -> None:
    (both,) = run(
        "{storeName: vault, defaultAccess: deny, allowedSecrets: [a, b], deniedSecrets: [b]}"
    )
    assert both.severity is Severity.ERROR
    assert both.path == "/spec/secrets/scopes/0/deniedSecrets" and '"b"' in both.message
    (allow,) = run("{storeName: vault, defaultAccess: allow, allowedSecrets: [a]}")
    assert allow.severity is Severity.WARNING and "only the listed" in allow.message
    assert run("{storeName: vault, defaultAccess: allow, deniedSecrets: [a]}") == []
