"""dapr-unknown-type: a type or version daprd's registry cannot create."""

from __future__ import annotations

import pytest
from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.unknown_type import RULE

DOC = component(type_="TYPE", version="VERSION", name="c")


def run(type_: str, version: str = "v1", extra: str = "") -> list[Finding]:
    text = DOC.replace("TYPE", type_).replace("VERSION", version) + extra
    return check(RULE, text)


def test_misspelt_type_is_an_error_with_a_suggestion() -> None:
    (finding,) = run("pubsub.kafak")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/type"
    assert '"pubsub.kafka"' in finding.message and "sidecar exits" in finding.message


def test_unregistered_version_names_the_registered_ones() -> None:
    (finding,) = run("state.postgresql", "v3")
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/version"
    assert "v1, v2" in finding.message and "sidecar exits" in finding.message


def test_versioned_registration_refuses_v0_and_v1_where_not_registered() -> None:
    # RegisterComponentWithVersions registers only name/vN keys: v0 finds nothing, and
    # yugabytedb has only v2 (its Default), so v1 fails too.
    (v0,) = run("state.postgresql", "v0")
    assert v0.path == "/spec/version"
    (v1,) = run("state.yugabytedb", "v1")
    assert "v2" in v1.message
    assert run("state.yugabytedb", "") == []  # the Default, v2
    # Registered without a version: "", v0 and v1 all find it, v2 does not.
    assert run("pubsub.kafka", "v0") == []
    assert run("pubsub.kafka", "") == []
    assert run("pubsub.kafka", "v2") != []


def test_ignore_errors_changes_the_runtime_effect() -> None:
    (finding,) = run("state.nosuchstore", extra="  ignoreErrors: true\n")
    assert "runs without this component" in finding.message


def test_a_type_outside_the_released_image_is_an_error() -> None:
    # state.spiffeprobe is compiled only with the state_spiffeprobe build tag.
    (finding,) = run("state.spiffeprobe")
    assert finding.severity is Severity.ERROR
    assert "state_spiffeprobe" in finding.message and "allcomponents" in finding.message


def test_deprecated_version_is_a_warning() -> None:
    # state_etcd.go registers v1 under Deprecated, v2 as Preferred, Default v1.
    (finding,) = run("state.etcd", "")
    assert finding.severity is Severity.WARNING and "v2" in finding.message
    assert run("state.etcd", "v2") == []


@pytest.mark.parametrize(
    ("type_", "version"),
    [
        ("pubsub.kafka", "v1"),
        ("pubsub.azure.servicebus", "v1"),  # alias of azure.servicebus.topics
        ("pubsub.azure.servicebusqueues", "v1"),
        ("middleware.http.uppercase", "v1"),  # implemented in daprd, no metadata.yaml
        ("state.postgresql", "v2"),
        ("state.postgres", ""),
        ("state.redis", ""),
        ("pubsub.snssqs", "v1"),
        ("pubsub.mqtt", "v1"),
        ("bindings.zeebe.command", "v1"),
        ("PubSub.kafka".lower(), "V1"),  # name and version are lower-cased by the registry
        ("state.Redis", "v1"),
    ],
)
def test_registered_types_aliases_and_versions_pass(type_: str, version: str) -> None:
    assert run(type_, version) == []


def test_unknown_category_is_left_to_the_category_rule() -> None:
    assert run("scheduler.kubernetes") == []
    assert run("PubSub.kafka") == []
