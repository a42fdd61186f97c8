"""kubernetes-configmap: ValidateConfigMap."""

from __future__ import annotations

from k8s_rule_util import errors

from tools.rules.kubernetes.configmap import RULE

CONFIG_MAP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: todo}
"""


def config_map(body: str) -> list[str]:
    return errors(RULE, CONFIG_MAP + body)


def test_valid_config_maps_pass() -> None:
    assert (
        config_map("data: {app.yaml: 'a: 1', LOG_LEVEL: info}\nbinaryData: {logo.png: iVBO}") == []
    )
    assert config_map("data: {}") == []


def test_keys_and_overlap() -> None:
    (bad,) = config_map("data: {'a b': x}")
    assert bad.startswith('data[a b]: Invalid value: "a b": a valid config key')
    (overlap,) = config_map("data: {k: x}\nbinaryData: {k: eA==}")
    assert overlap == 'data[k]: Invalid value: "k": duplicate of key present in binaryData'
    assert len(config_map("binaryData: {k: 'not base64!'}")) == 1


def test_size_limit() -> None:
    value = "x" * (1024 * 1024)
    assert config_map(f"data: {{a: {value}}}") == []
    (message,) = config_map(f"data: {{a: {value}, b: y}}")
    assert message == "<object>: Too long: must have at most 1048576 bytes"
