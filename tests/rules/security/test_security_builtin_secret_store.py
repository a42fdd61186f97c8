"""security-builtin-secret-store."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding
from tools.rules.security.builtin_secret_store import RULE

CONFIG = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: dapr-config}
spec:
  secrets:
    scopes:
      - {storeName: kubernetes-secrets, defaultAccess: deny, allowedSecrets: [app-secrets]}
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_scopes_without_the_builtin_store_warn() -> None:
    (finding,) = run(CONFIG)
    assert finding.severity.value == "warning"
    assert finding.path == "/spec/secrets/scopes"


def test_builtin_store_left_allowed_warns_at_its_entry() -> None:
    (finding,) = run(CONFIG + "      - {storeName: kubernetes, defaultAccess: allow}\n")
    assert finding.path == "/spec/secrets/scopes/1"


def test_denied_or_allow_listed_builtin_store_passes() -> None:
    assert run(CONFIG + "      - {storeName: kubernetes, defaultAccess: deny}\n") == []
    assert run(CONFIG + "      - {storeName: kubernetes, allowedSecrets: [a]}\n") == []


def test_configuration_without_secret_scopes_passes() -> None:
    assert run(CONFIG.split("  secrets:", maxsplit=1)[0] + "  tracing: {samplingRate: '1'}\n") == []
