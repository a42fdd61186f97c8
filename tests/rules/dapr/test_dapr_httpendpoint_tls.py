"""dapr-httpendpoint-tls: clientTLS halves, PEM content and the empty TLS block."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from programs import require
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.httpendpoint_tls import RULE

ENDPOINT = """\
apiVersion: dapr.io/v1alpha1
kind: HTTPEndpoint
metadata: {name: payments}
spec:
  baseUrl: https://payments.example.com
  clientTLS: @TLS@
"""


@pytest.fixture(scope="module")
def pem(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A real self-signed certificate and its EC key, made by openssl for this run only."""
    openssl = require("openssl", "openssl")
    folder: Path = tmp_path_factory.mktemp("pem")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=test",
            "-days",
            "1",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return {
        "cert": (folder / "cert.pem").read_text(),
        "key": (folder / "key.pem").read_text(),
    }


def run(tls: dict[str, object]) -> list[Finding]:
    return check(RULE, ENDPOINT.replace("@TLS@", json.dumps(tls)))


def test_complete_pairs_and_root_ca_pass(pem: dict[str, str]) -> None:
    assert run({"rootCA": {"value": pem["cert"]}}) == []
    assert run({"certificate": {"value": pem["cert"]}, "privateKey": {"value": pem["key"]}}) == []
    refs = {
        "rootCA": {"secretKeyRef": {"name": "tls", "key": "ca.crt"}},
        "certificate": {"secretKeyRef": {"name": "tls", "key": "tls.crt"}},
        "privateKey": {"secretKeyRef": {"name": "tls", "key": "tls.key"}},
        "renegotiation": "OnceAsClient",
    }
    assert run(refs) == []


def test_key_without_certificate_crashes_the_sidecar(pem: dict[str, str]) -> None:
    (finding,) = run({"rootCA": {"value": pem["cert"]}, "privateKey": {"value": pem["key"]}})
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/clientTLS/privateKey"
    assert "crashes" in finding.message
    assert "PRIVATE" not in finding.message and pem["key"][40:60] not in finding.message


def test_certificate_without_key_is_never_presented(pem: dict[str, str]) -> None:
    found = run({"rootCA": {"value": pem["cert"]}, "certificate": {"value": pem["cert"]}})
    (finding,) = found
    assert finding.path == "/spec/clientTLS/certificate"
    assert "never presented" in finding.message


def test_tls_block_without_root_ca_or_key_crashes_on_kubernetes() -> None:
    (finding,) = run({"renegotiation": "Never"})
    assert finding.path == "/spec/clientTLS" and "renegotiation" in finding.message


def test_inline_values_that_are_not_pem_are_errors(pem: dict[str, str]) -> None:
    (root,) = run({"rootCA": {"value": "ca.crt"}})
    assert root.path == "/spec/clientTLS/rootCA/value"
    assert "no PEM block labelled CERTIFICATE" in root.message
    broken = pem["cert"].replace("\n-----END", "A\n-----END")  # base64 no longer decodes
    (cert,) = run({"rootCA": {"value": broken}})
    assert "CERTIFICATE" in cert.message
    (key,) = run({"certificate": {"value": pem["cert"]}, "privateKey": {"value": pem["cert"]}})
    assert key.path == "/spec/clientTLS/privateKey/value"
    assert "PRIVATE KEY" in key.message


def test_value_and_secret_ref_together(pem: dict[str, str]) -> None:
    (finding,) = run({"rootCA": {"value": pem["cert"], "secretKeyRef": {"name": "tls"}}})
    assert "secret silently replaces" in finding.message
