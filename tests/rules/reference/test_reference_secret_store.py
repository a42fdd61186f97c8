"""reference-secret-store: auth.secretStore must be loaded wherever the component is."""

from __future__ import annotations

from rule_check import check

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle
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


ENDPOINT = """\
apiVersion: dapr.io/v1alpha1
kind: HTTPEndpoint
metadata: {name: payments}
spec:
  baseUrl: https://payments.example
  headers:
    - {name: X-Plain, value: a}
    - name: Authorization
      secretKeyRef: {name: payments, key: token}
  clientTLS:
    rootCA: {secretKeyRef: {name: payments-tls, key: ca.crt}}
"""


def run_in(text: str, mode: str) -> list[Finding]:
    resources = load_text(text, "t.yaml").resources
    bundle = Bundle(resources, RunContext(dapr_mode=mode))
    return [f for r in resources if RULE.applies_to(r) for f in RULE.check(r, bundle)]


def test_endpoint_secret_refs_without_store_are_empty_self_hosted() -> None:
    # processHTTPEndpointSecrets → secret.ProcessResource with AuthSecretStoreOrDefault "":
    # daprd warns "references a secret store that isn't loaded" and the values stay empty.
    (finding,) = run_in(ENDPOINT, "self-hosted")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/headers/1/secretKeyRef"
    assert "keeps these values empty" in finding.message and "token" not in finding.message
    tls_only = ENDPOINT.replace(
        "      secretKeyRef: {name: payments, key: token}", "      value: x"
    )
    (tls,) = run_in(tls_only, "self-hosted")
    assert tls.path == "/spec/clientTLS/rootCA/secretKeyRef"


def test_endpoint_secret_refs_pass_with_a_store_in_kubernetes_or_without_names() -> None:
    assert run_in(ENDPOINT, "kubernetes") == []  # the operator resolves them
    assert run_in(ENDPOINT + "auth: {secretStore: local}\n", "self-hosted") == []
    nameless = ENDPOINT.replace("name: payments, key", "key").replace("name: payments-tls, ", "")
    assert run_in(nameless, "self-hosted") == []  # ProcessResource skips an empty name
    # A header with an envRef and no value is read from the environment first.
    env_first = ENDPOINT.replace(
        "    - name: Authorization\n", "    - name: Authorization\n      envRef: TOKEN\n"
    )
    no_tls = env_first.replace(
        "  clientTLS:\n    rootCA: {secretKeyRef: {name: payments-tls, key: ca.crt}}\n", ""
    )
    assert run_in(no_tls, "self-hosted") == []
