"""values.schema.json: strict at every depth, enforced by Helm 4 and Helm 3 alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from chartutil import CHART, PROFILES, profile_file, render

HELMS = (4, 3)
SCHEMA_FILE = CHART / "values.schema.json"
VALUES_FILES = [CHART / "values.yaml", *(profile_file(p) for p in PROFILES)]
A_SUBSCRIPTION: dict[str, Any] = {
    "name": "s",
    "topic": "task-events",
    "routes": {"default": "/events"},
    "deadLetterTopic": "task-events-dlq",
    "scopes": ["notification-service"],
}


def schema() -> dict[str, Any]:
    data = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def walk(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, child in node.items():
            yield from walk(child, f"{path}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from walk(child, f"{path}/{index}")


def nested(path: list[str | int], leaf: Any) -> Any:
    """{"a": {"b": leaf}} from ["a", "b"]; an int step makes a one-item list."""
    value = leaf
    for step in reversed(path):
        value = [value] if isinstance(step, int) else {step: value}
    return value


def helm_path(major: int, path: list[str | int]) -> str:
    """How each Helm spells a values path in schema errors."""
    parts = [str(p) for p in path]
    return "'/" + "/".join(parts) + "'" if major == 4 else ".".join(parts) + ":"


def test_schema_is_valid_draft_2020_12() -> None:
    data = schema()
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)


def test_every_object_is_closed() -> None:
    for path, node in walk(schema()):
        if path.rsplit("/", 1)[-1] in ("if", "then", "else"):
            continue  # a condition, or the narrowing of an object that is closed itself
        if "properties" in node or "patternProperties" in node:
            assert node.get("additionalProperties") is False, f"{path} accepts unknown keys"
        if node.get("type") == "object":
            assert "properties" in node or "patternProperties" in node, f"{path} is open"


def test_no_remote_references() -> None:
    for path, node in walk(schema()):
        ref = node.get("$ref")
        if isinstance(ref, str):
            assert ref.startswith("#/$defs/"), f"{path}: {ref} is not a local reference"


def test_top_level_settings_are_described() -> None:
    data = schema()
    for name, prop in data["properties"].items():
        target = prop
        if "$ref" in prop:
            target = data["$defs"][prop["$ref"].rsplit("/", 1)[-1]]
        assert prop.get("description") or target.get("description") or target.get("properties"), (
            name
        )


@pytest.mark.parametrize("path", VALUES_FILES, ids=lambda p: p.name)
def test_values_files_validate_and_carry_the_modeline(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    relative = "./values.schema.json" if path.parent == CHART else "../values.schema.json"
    assert first == f"# yaml-language-server: $schema={relative}"
    assert (path.parent / relative).resolve() == SCHEMA_FILE.resolve()
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft202012Validator(schema()).iter_errors(values)]
    assert errors == []


@pytest.mark.parametrize("path", [p for p in VALUES_FILES if p.parent != CHART], ids=str)
def test_profiles_are_complete(path: Path) -> None:
    """Each profile sets every key values.yaml sets (so it reads as a whole configuration)."""

    def keys(node: Any, prefix: str = "") -> set[str]:
        if not isinstance(node, dict):
            return set()
        found: set[str] = set()
        for key, child in node.items():
            found.add(prefix + key)
            found |= keys(child, f"{prefix}{key}.")
        return found

    defaults = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    profile = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert keys(defaults) <= keys(profile)


TYPOS: list[tuple[list[str | int], str, Any]] = [
    ([], "pubsb", {}),
    (["pubsub", "kafka", "auth"], "mechansim", "SHA-256"),
    (["apps", "backend"], "publishs", ["task-events"]),
    (["stateStore"], "conectionString", {"name": "a", "key": "b"}),
    (["configuration", "tracing", "otel"], "endpoint", "collector:4317"),
    (["resiliency", "pubsub", "retry"], "maxRetry", 3),
    (["networkPolicy", "kafka"], "cidr", "10.0.0.0/8"),
    (["tests", "image"], "tagg", "1"),
]


@pytest.mark.parametrize("major", HELMS)
@pytest.mark.parametrize(("parent", "typo", "value"), TYPOS, ids=str)
def test_a_typo_at_any_depth_is_refused_with_its_path(
    major: int, parent: list[str | int], typo: str, value: Any
) -> None:
    rendered = render(major, values=nested([*parent, typo], value))
    assert rendered.returncode != 0
    if parent:
        assert helm_path(major, parent) in rendered.stderr, rendered.stderr
    assert typo in rendered.stderr
    assert "Traceback" not in rendered.stderr


@pytest.mark.parametrize("major", HELMS)
def test_a_typo_inside_a_list_item_is_refused_with_its_path(major: int) -> None:
    item = {**A_SUBSCRIPTION, "routes": {"default": "/events", "defualt": "/x"}}
    rendered = render(major, values={"subscriptions": [item]})
    assert rendered.returncode != 0
    assert helm_path(major, ["subscriptions", 0, "routes"]) in rendered.stderr, rendered.stderr
    assert "defualt" in rendered.stderr


LITERALS: list[tuple[list[str | int], str]] = [
    (["pubsub", "kafka", "auth", "password"], "hunter2-literal"),
    (["pubsub", "kafka", "auth", "username"], "svc-user-literal"),
    (["stateStore", "connectionString"], "postgres://u:hunter2-literal@db/todo"),
]


@pytest.mark.parametrize("major", HELMS)
@pytest.mark.parametrize(("path", "literal"), LITERALS, ids=str)
def test_a_literal_where_a_secret_reference_belongs_is_refused(
    major: int, path: list[str | int], literal: str
) -> None:
    rendered = render(major, values=nested(path, literal))
    assert rendered.returncode != 0
    assert helm_path(major, path) in rendered.stderr, rendered.stderr
    assert literal not in rendered.stderr + rendered.stdout


@pytest.mark.parametrize("major", HELMS)
@pytest.mark.parametrize(
    "name",
    [
        "saslPassword",
        "password",
        "connectionString",
        "apiToken",
        "clientKey",
        "schemaRegistryAPISecret",
        "url",
    ],
)
def test_a_literal_credential_in_extra_metadata_is_refused(major: int, name: str) -> None:
    values = {"stateStore": {"extraMetadata": [{"name": name, "value": "hunter2-literal"}]}}
    rendered = render(major, values=values)
    assert rendered.returncode != 0
    assert helm_path(major, ["stateStore", "extraMetadata", 0]) in rendered.stderr
    assert "hunter2-literal" not in rendered.stderr + rendered.stdout


@pytest.mark.parametrize("major", HELMS)
@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["pubsub", "kafka", "auth", "mechanism"], "SCRAM-SHA-256"),
        (["pubsub", "kafka", "compression"], "snapy"),
        (["stateStore", "version"], "v3"),
        (["stateStore", "timeout"], "20 seconds"),
        (["scheduler", "schedule"], "2026-03-01T09:00:00Z"),
        (["tests", "image", "tag"], "latest"),
        (["pubsub", "name"], "Kafka_PubSub"),
        (["pubsub", "kafka", "backOff", "maxRetries"], -2),
        (["networkPolicy", "kafka", "cidrs", 0], "not-a-cidr"),
        (["networkPolicy", "kafka", "cidrs", 0], "300.1.1.1/99"),
        (["networkPolicy", "kafka", "cidrs", 0], "10.0.0.0/33"),
        (["networkPolicy", "kafka", "cidrs", 0], "2001:db8::/129"),
        (["networkPolicy", "kafka", "cidrs", 0], "1::2::3/64"),
        (["configuration", "tracing", "otel", "endpointAddress"], "collector:70000"),
        (["configuration", "api", "denied", 0], {"name": "state", "version": "v1alpha1"}),
        (["tests", "image", "digest"], "sha256:abc"),
        # durations past int64 nanoseconds, which daprd's time.ParseDuration refuses
        (["pubsub", "initTimeout"], "99999999999h"),
        (["resiliency", "pubsub", "timeout"], "100000h"),
        (["pubsub", "kafka", "backOff", "maxInterval"], "2562048h"),
    ],
    ids=str,
)
def test_invalid_values_are_refused_with_their_path(
    major: int, path: list[str | int], value: Any
) -> None:
    rendered = render(major, values=nested(path, value))
    assert rendered.returncode != 0
    assert helm_path(major, path) in rendered.stderr, rendered.stderr


@pytest.mark.parametrize("major", HELMS)
def test_valid_variations_render(major: int) -> None:
    values = {
        "pubsub": {"kafka": {"auth": {"mechanism": "SHA-512"}, "consumerGroup": "{appID}"}},
        "scheduler": {"schedule": "0 30 * * * *"},
        "stateStore": {"extraMetadata": [{"name": "maxConns", "value": "8"}]},
        "commonLabels": {"team": "platform"},
    }
    rendered = render(major, values=values)
    assert rendered.returncode == 0, rendered.stderr
