"""security-secret-in-value: URL passwords, private keys and tokens in any value."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding
from tools.rules.security.secret_in_value import RULE


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def component(name: str, value: str) -> str:
    return f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: c}}
spec:
  type: bindings.rabbitmq
  version: v1
  metadata:
    - name: {name}
      value: {value}
scopes: [backend]
"""


TOKEN = "ghp_4fGh7Kq2LmN9pQr3StUv8WxYz1AbCdEfGh"
PRIVATE_KEY = (
    "|\n        -----BEGIN EC PRIVATE KEY-----\n"
    "        MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49\n"
    "        -----END EC PRIVATE KEY-----"
)


def test_url_with_password() -> None:
    # `endpoint` is not a sensitive field, so only the value itself gives the password away.
    (finding,) = run(component("endpoint", "amqp://todo:rabbitpw@rabbit:5672"))
    assert finding.path == "/spec/metadata/0/value"
    assert "password in a URL" in finding.message
    assert "rabbitpw" not in finding.message


def test_private_key_block() -> None:
    (finding,) = run(component("tlsClientCert", PRIVATE_KEY))
    assert "private key" in finding.message
    assert "MHcCAQEE" not in finding.message


def test_high_entropy_token_anywhere_in_a_dapr_resource() -> None:
    text = f"""\
apiVersion: dapr.io/v1alpha1
kind: HTTPEndpoint
metadata: {{name: api}}
spec:
  baseUrl: https://api.example.com
  headers:
    - {{name: X-Trace, value: "{TOKEN}"}}
"""
    (finding,) = run(text)
    assert finding.path == "/spec/headers/0/value"
    assert TOKEN not in finding.message


def test_configmap_data_is_checked() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata:\n"
    text += "  DATABASE_URL: postgres://app:letmein@db/todo\n"
    assert [f.path for f in run(text)] == ["/data/DATABASE_URL"]


def test_public_material_and_plain_values_pass() -> None:
    cert = PRIVATE_KEY.replace("EC PRIVATE KEY", "CERTIFICATE")
    assert run(component("caCert", cert)) == []
    assert run(component("host", "amqp://rabbit:5672")) == []
    assert run(component("host", "amqp://${{USER}}:${{PASSWORD}}@rabbit:5672")) == []
    assert run(component("consumerID", "3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60")) == []
    digest = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
    assert run(component("checksum", digest)) == []
    assert run(component("brokers", "seed-abc123.cloud.redpanda.com:9092")) == []
    assert run(component("topic", "TaskEventsNotificationServiceV2")) == []


def test_a_literal_secret_field_is_left_to_inline_secret() -> None:
    assert run(component("connectionString", "postgres://app:letmein@db/todo")) == []
