"""security-inline-secret: literal secrets in Component metadata, and what is not one."""

from __future__ import annotations

from manifests import KAFKA_BROKERS, component
from rule_check import check

from tools.core.findings import Finding
from tools.rules.security.inline_secret import RULE


def run(text: str) -> list[Finding]:
    return check(RULE, text)


BAD = component(
    KAFKA_BROKERS,
    "{name: authType, value: password}",
    "{name: saslUsername, value: todo}",
    '{name: saslPassword, value: "hunter2-but-longer"}',
    scopes="backend",
)


def test_literal_password_is_an_error_naming_the_field_not_the_value() -> None:
    (finding,) = run(BAD)
    assert finding.rule == "security-inline-secret"
    assert finding.severity.value == "error"
    assert finding.path == "/spec/metadata/3/value"
    assert finding.line == 11
    assert "saslPassword" in finding.message
    assert "hunter2" not in finding.message
    assert '"****" (18 characters)' in finding.message


GOOD = component(
    KAFKA_BROKERS,
    "name: saslPassword\n      secretKeyRef: {name: kafka-secrets, key: password}",
    "{name: oidcClientSecret, envRef: KAFKA_OIDC_SECRET}",
    '{name: clientKey, value: ""}',
    '{name: vaultToken, value: "${{VAULT_TOKEN}}"}',
    "{name: saslMechanism, value: SHA-256}",
    "{name: keyPrefix, value: appid}",
    '{name: partitionKey, value: "tenant-42"}',
    '{name: oidcTokenEndpoint, value: "https://idp.example.com/token"}',
    scopes="backend",
)


def test_references_empty_values_placeholders_and_non_secret_names_pass() -> None:
    assert run(GOOD) == []


def test_connection_string_is_a_secret_only_when_it_embeds_a_credential() -> None:
    template = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: store}}
spec:
  type: state.postgresql
  version: v1
  metadata:
    - {{name: connectionString, value: "{value}"}}
scopes: [backend]
"""
    with_password = run(template.format(value="host=db user=app password=s3cr3tpw dbname=x"))
    assert [f.rule for f in with_password] == ["security-inline-secret"]
    assert "s3cr3tpw" not in with_password[0].message
    assert run(template.format(value="postgres://app:pw0rd@db:5432/todo")) != []
    assert run(template.format(value="app:pw0rd@tcp(db:3306)/todo")) != []
    assert run(template.format(value="host=db user=app dbname=x sslmode=require")) == []
    assert run(template.format(value="mongodb://db:27017/admin")) == []


def test_unknown_type_uses_the_name_heuristic() -> None:
    text = BAD.replace("pubsub.kafka", "pubsub.somethingnew").replace(
        "saslPassword", "adminApiToken"
    )
    (finding,) = run(text)
    assert "adminApiToken" in finding.message


def test_key_file_path_is_not_a_literal_key() -> None:
    text = BAD.replace("saslPassword", "privateKey").replace("hunter2-but-longer", "keys/app.pem")
    assert run(text) == []
