"""kubernetes-name: the name format each kind's registry passes to ValidateObjectMeta."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.kubernetes.name import RULE


def run(kind: str, name: str, api_version: str = "v1", key: str = "name") -> list[Finding]:
    text = f'apiVersion: {api_version}\nkind: {kind}\nmetadata: {{{key}: "{name}"}}\n'
    return check(RULE, text)


DAPR = "dapr.io/v1alpha1"


@pytest.mark.parametrize(
    ("kind", "api_version", "name"),
    [
        ("Component", DAPR, "Kafka_PubSub"),
        ("Component", DAPR, "kafka-pubsub-"),
        ("Subscription", "dapr.io/v2alpha1", "UPPER"),
        ("Configuration", DAPR, "a" * 254),
        ("Resiliency", DAPR, "a..b"),
        ("HTTPEndpoint", DAPR, "-start"),
        ("ConfigMap", "v1", "has space"),
        ("NetworkPolicy", "networking.k8s.io/v1", "café"),
        ("Namespace", "v1", "todo.ns"),
        ("Namespace", "v1", "a" * 64),
        ("Service", "v1", "1abc"),
        ("Role", "rbac.authorization.k8s.io/v1", "a/b"),
        ("ClusterRoleBinding", "rbac.authorization.k8s.io/v1", ".."),
    ],
)
def test_names_the_api_server_refuses(kind: str, api_version: str, name: str) -> None:
    (finding,) = run(kind, name, api_version)
    assert finding.severity is Severity.ERROR
    assert finding.path == "/metadata/name"
    assert "refused by the API server" in finding.message


@pytest.mark.parametrize(
    ("kind", "api_version", "name"),
    [
        ("Component", DAPR, "kafka-pubsub"),
        ("Component", DAPR, "a" * 253),
        ("Component", DAPR, ".".join(["a" * 63] * 3) + "." + "b" * 61),
        ("Configuration", DAPR, "todo.app-1"),
        ("Secret", "v1", "0-starts-with-digit"),
        ("Namespace", "v1", "a" * 63),
        ("Service", "v1", "todo-api"),
        ("Role", "rbac.authorization.k8s.io/v1", "system:Controller_Name"),
        ("Widget", "example.com/v1", "x"),
    ],
)
def test_valid_names(kind: str, api_version: str, name: str) -> None:
    assert run(kind, name, api_version) == []


def test_messages_name_the_format_and_the_length() -> None:
    (long,) = run("Component", "a" * 254, DAPR)
    assert "no more than 253 characters" in long.message
    assert "(254 characters)" in long.message  # a long value is not echoed
    (dots,) = run("Namespace", "todo.ns")
    assert "must not contain dots" in dots.message
    (service,) = run("Service", "1abc")
    assert "RFC 1035" in service.message


def test_generate_name_may_end_in_a_dash() -> None:
    assert run("ConfigMap", "todo-", key="generateName") == []
    (finding,) = run("ConfigMap", "Todo-", key="generateName")
    assert finding.path == "/metadata/generateName"
