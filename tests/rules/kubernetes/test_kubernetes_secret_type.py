"""kubernetes-secret-type: the per-type switch of ValidateSecret."""

from __future__ import annotations

from k8s_rule_util import errors

from tools.rules.kubernetes.secret_type import RULE

SECRET = """\
apiVersion: v1
kind: Secret
metadata: {name: s, namespace: todo, annotations: ANNOTATIONS}
type: TYPE
"""


def secret(type_: str, body: str = "", annotations: str = "{}") -> list[str]:
    text = SECRET.replace("TYPE", type_).replace("ANNOTATIONS", annotations)
    return errors(RULE, text + body)


def test_complete_secrets_pass() -> None:
    assert secret("Opaque") == []
    assert secret("example.com/custom") == []
    assert secret("kubernetes.io/tls", "stringData: {tls.crt: c, tls.key: k}") == []
    assert secret("kubernetes.io/basic-auth", "stringData: {password: ''}") == []
    assert secret("kubernetes.io/ssh-auth", "data: {ssh-privatekey: a2V5}") == []
    assert secret("kubernetes.io/dockerconfigjson", "stringData: {.dockerconfigjson: '{}'}") == []
    assert (
        secret(
            "kubernetes.io/service-account-token",
            annotations="{kubernetes.io/service-account.name: default}",
        )
        == []
    )


def test_tls_needs_both_keys() -> None:
    assert secret("kubernetes.io/tls", "stringData: {tls.crt: c}") == [
        "data[tls.key]: Required value"
    ]


def test_other_types() -> None:
    assert len(secret("kubernetes.io/basic-auth", "stringData: {user: x}")) == 2
    assert len(secret("kubernetes.io/ssh-auth", "stringData: {ssh-privatekey: ''}")) == 1
    assert secret("kubernetes.io/service-account-token") == [
        "metadata.annotations[kubernetes.io/service-account.name]: Required value"
    ]
    assert secret("kubernetes.io/dockercfg") == ["data[.dockercfg]: Required value"]


def test_docker_config_must_be_a_json_object() -> None:
    for bad in ("'{\"auths\": '", "'[1]'", "'{\"a\": NaN}'"):
        (message,) = secret(
            "kubernetes.io/dockerconfigjson", f"stringData: {{.dockerconfigjson: {bad}}}"
        )
        assert message.startswith(
            'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>"'
        )
        assert "auths" not in message
