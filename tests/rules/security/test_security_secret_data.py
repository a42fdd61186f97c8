"""security-secret-data: Secrets with data in the output."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding
from tools.rules.security.secret_data import RULE


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_data_and_string_data_are_errors_without_values() -> None:
    text = """\
apiVersion: v1
kind: Secret
metadata: {name: kafka-secrets}
data:
  password: c3VwZXJzZWNyZXQ=
stringData:
  username: todo-user
"""
    findings = run(text)
    assert [(f.path, f.line) for f in findings] == [("/data", 4), ("/stringData", 6)]
    assert "password" in findings[0].message
    assert all(
        "c3VwZXJzZWNyZXQ" not in f.message and "todo-user" not in f.message for f in findings
    )


def test_secret_without_data_and_other_kinds_pass() -> None:
    assert run("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n") == []
    assert run("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {}\n") == []
    assert run("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s}\ndata: {a: b}\n") == []
    assert (
        run("apiVersion: example.com/v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: b}\n") == []
    )
