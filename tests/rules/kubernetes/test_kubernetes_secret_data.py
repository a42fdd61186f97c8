"""kubernetes-secret-data: the key, base64 and size checks of ValidateSecret."""

from __future__ import annotations

import base64

from k8s_rule_util import errors, run

from tools.rules.kubernetes.secret_data import RULE

SECRET = """\
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: todo}
"""


def secret(body: str) -> list[str]:
    return errors(RULE, SECRET + body)


def test_valid_secrets_pass() -> None:
    assert secret("data: {password: cGFzcw==, .env: '', tls.crt: null}") == []
    assert secret("stringData: {KEY_NAME: x, key-name: y}") == []
    assert secret('data: {a: "YWJj\\nZGVm"}') == []  # line breaks are ignored, as in Go
    exactly = base64.b64encode(b"x" * (1024 * 1024)).decode()
    assert secret(f"data: {{blob: {exactly}}}") == []


def test_key_names() -> None:
    (slash,) = secret("stringData: {a/b: x}")
    assert slash.startswith('data[a/b]: Invalid value: "a/b": a valid config key must consist')
    (dots,) = secret("data: {..data: eA==}")
    assert dots.endswith("must not start with '..'")
    (finding,) = run(RULE, SECRET + "stringData: {'bad key': x}")
    assert finding.path == "/stringData/bad key"


def test_bad_base64_is_refused_without_showing_the_value() -> None:
    (message,) = secret("data: {password: hunter2}")
    assert "hunter2" not in message
    assert "<secret contents redacted>" in message and "base64" in message
    assert len(secret("data: {a: YQ}")) == 1  # missing padding
    assert len(secret("data: {a: 'YQ==YQ=='}")) == 1


def test_total_size_over_one_mebibyte() -> None:
    half = "x" * (512 * 1024)
    (message,) = secret(f"stringData: {{a: {half}, b: {half}y}}")
    assert message == "data: Too long: must have at most 1048576 bytes"
    # stringData replaces the data value of the same key rather than adding to it
    assert (
        secret(
            f"data: {{a: {base64.b64encode(half.encode()).decode()}}}\n"
            f"stringData: {{a: {half}, b: {half}}}"
        )
        == []
    )
