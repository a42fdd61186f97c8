"""reference-secret-store: auth.secretStore must be loaded wherever the component is."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding
from tools.rules.reference.secret_store import RULE

STORE = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: vault}
spec: {type: secretstores.hashicorp.vault, version: v1, metadata: []}
scopes: [backend]
---
"""
STATE = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec:
  type: state.postgresql
  version: v1
  metadata:
    - name: connectionString
      secretKeyRef: {name: db, key: url}
auth: {secretStore: vault}
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_store_not_loaded_by_every_user_is_an_error() -> None:
    (finding,) = run(STORE + STATE + "scopes: [backend, chat-api]\n")
    assert finding.path == "/auth/secretStore"
    assert "in chat-api the store is absent" in finding.message
    (unscoped,) = run(STORE + STATE)
    assert "in every app" in unscoped.message


def test_store_loaded_by_every_user_passes() -> None:
    assert run(STORE + STATE + "scopes: [backend]\n") == []
    assert run(STORE.replace("scopes: [backend]\n", "") + STATE + "scopes: [a, b]\n") == []


def test_not_a_secret_store_is_an_error() -> None:
    (finding,) = run(STORE.replace("secretstores.hashicorp.vault", "pubsub.redis") + STATE)
    assert "not a secret store" in finding.message


def test_builtin_store_absent_store_and_no_secret_refs_pass() -> None:
    assert run(STATE.replace("secretStore: vault", "secretStore: kubernetes")) == []
    assert run(STATE + "scopes: [backend]\n") == []  # reference-unresolved's case
    no_refs = STATE.replace(
        "      secretKeyRef: {name: db, key: url}", "      value: host=db user=app"
    )
    assert run(STORE + no_refs + "scopes: [chat-api]\n") == []
