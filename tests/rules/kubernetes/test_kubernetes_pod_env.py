"""kubernetes-pod-env: ValidateEnv and ValidateEnvFrom with relaxed (1.34) names."""

from __future__ import annotations

from k8s_rule_util import errors
from pod_text import DEPLOYMENT, POD

from tools.rules.kubernetes.pod_env import RULE

ENV = '        - {name: TIMEOUT_SECONDS, value: "120"}'


def env(entry: str) -> list[str]:
    return errors(RULE, POD.replace(ENV, "        - " + entry))


def test_valid_env_passes() -> None:
    assert errors(RULE, POD) == []
    assert env("{name: '1st var.with-dots and spaces', value: x}") == []  # relaxed names
    assert env("{name: PASSWORD, valueFrom: {secretKeyRef: {name: db-creds, key: password}}}") == []
    assert env("{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}") == []


def test_names() -> None:
    (equals,) = env("{name: 'A=B', value: x}")
    assert equals == (
        'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable '
        "name must consist only of printable ASCII characters other than '='"
    )
    assert env("{name: '', value: x}") == ["spec.containers[0].env[0].name: Required value"]


def test_value_sources() -> None:
    (none,) = env("{name: A, valueFrom: {}}")
    assert "must specify one of: `fieldRef`" in none
    (both,) = env("{name: A, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}")
    assert "may not be specified when `value` is not empty" in both
    (two,) = env(
        "{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}, "
        "secretKeyRef: {name: s, key: k}}}"
    )
    assert "may not have more than one field specified at a time" in two
    (key,) = env("{name: A, valueFrom: {secretKeyRef: {name: s, key: 'a/b'}}}")
    assert key.startswith(
        'spec.containers[0].env[0].valueFrom.secretKeyRef.key: Invalid value: "a/b"'
    )
    assert len(env("{name: A, valueFrom: {configMapKeyRef: {name: Bad_Name, key: k}}}")) == 1


def test_env_from() -> None:
    template = DEPLOYMENT.replace('image: "nginx:1.27"}', 'image: "nginx:1.27", envFrom: ENVFROM}')
    assert (
        errors(RULE, template.replace("ENVFROM", "[{secretRef: {name: app-env}, prefix: APP_}]"))
        == []
    )
    assert len(errors(RULE, template.replace("ENVFROM", "[{prefix: X}]"))) == 1
    assert (
        len(
            errors(
                RULE,
                template.replace("ENVFROM", "[{secretRef: {name: a}, configMapRef: {name: b}}]"),
            )
        )
        == 1
    )
    assert len(errors(RULE, template.replace("ENVFROM", "[{secretRef: {name: ''}}]"))) == 1
