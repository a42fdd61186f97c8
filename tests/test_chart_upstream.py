"""Conformance of the rendered chart with upstream Dapr: CRD schemas and component metadata.

Reads the upstream CRDs and components-contrib metadata.yaml files from
``../shared/reference/upstream`` at test time (nothing is copied into this repository) and skips,
with the reason, when that directory is absent.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from chartutil import PROFILES, UPSTREAM, render, render_profile

pytestmark = pytest.mark.skipif(
    not UPSTREAM.is_dir(), reason=f"upstream reference data not found at {UPSTREAM}"
)

DAPR_RELEASE = "v1.18.3"
CONTRIB_RELEASE = "v1.18.4"
CRD_FILES = ("components.yaml", "subscription.yaml", "configuration.yaml", "resiliency.yaml")

# Keys the Dapr runtime reads itself, which no metadata.yaml lists (dapr-facts §A.0).
RUNTIME_KEYS: dict[str, set[str]] = {
    "state": {
        "keyPrefix",
        "actorStateStore",
        "outboxPublishPubsub",
        "outboxPublishTopic",
        "outboxPubsub",
        "outboxDiscardWhenMissingState",
        "primaryEncryptionKey",
        "secondaryEncryptionKey",
    },
    "pubsub": {
        "consumerID",
        "publishingScopes",
        "subscriptionScopes",
        "allowedTopics",
        "protectedTopics",
    },
    "bindings": {"direction", "route"},
}
KAFKA_BACKOFF_KEYS = {
    "backOffPolicy",
    "backOffDuration",
    "backOffInitialInterval",
    "backOffRandomizationFactor",
    "backOffMultiplier",
    "backOffMaxInterval",
    "backOffMaxElapsedTime",
    "backOffMaxRetries",
}


def _close_objects(node: Any) -> Any:
    """Fallback strictifier: additionalProperties false wherever properties are declared."""
    if isinstance(node, list):
        return [_close_objects(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _close_objects(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
    if (
        "properties" in node
        and "additionalProperties" not in node
        and node.get("x-kubernetes-preserve-unknown-fields") is not True
    ):
        out["additionalProperties"] = False
    return out


def _local_schemas_from_crd(crd: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    result = {}
    for version in crd["spec"]["versions"]:
        body = _close_objects(version["schema"]["openAPIV3Schema"])
        body["properties"]["metadata"] = {"type": "object"}
        result[(f"{group}/{version['name']}", kind)] = body
    return result


@cache
def crd_validators() -> dict[tuple[str, str], jsonschema.Draft202012Validator]:
    try:
        from tools.importers.crds import schemas_from_crd
    except ImportError:
        schemas_from_crd = _local_schemas_from_crd  # type: ignore[assignment]
    crds = UPSTREAM / "dapr-dapr" / DAPR_RELEASE / "charts" / "dapr" / "crds"
    validators = {}
    for name in CRD_FILES:
        for document in yaml.safe_load_all((crds / name).read_text(encoding="utf-8")):
            if document:
                for key, body in schemas_from_crd(document).items():
                    validators[key] = jsonschema.Draft202012Validator(body)
    return validators


def metadata_file(component_type: str, version: str) -> Path:
    category, _, name = component_type.partition(".")
    base = UPSTREAM / "components-contrib" / CONTRIB_RELEASE / category / Path(*name.split("."))
    versioned = base / version / "metadata.yaml"
    return versioned if versioned.is_file() else base / "metadata.yaml"


@cache
def builtin_profiles() -> dict[str, list[dict[str, Any]]]:
    path = (
        UPSTREAM
        / "components-contrib"
        / CONTRIB_RELEASE
        / ".build-tools"
        / "builtin-authentication-profiles.yaml"
    )
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@cache
def known_fields(component_type: str, version: str) -> frozenset[str]:
    """Top-level metadata, every authentication profile's metadata, and the runtime keys."""
    path = metadata_file(component_type, version)
    assert path.is_file(), f"no upstream metadata.yaml for {component_type} {version}"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["type"] == component_type.partition(".")[0]
    names = {m["name"] for m in data.get("metadata") or []}
    for profile in data.get("authenticationProfiles") or []:
        names |= {m["name"] for m in profile.get("metadata") or []}
    for builtin in data.get("builtinAuthenticationProfiles") or []:
        for profile in builtin_profiles().get(builtin["name"], []):
            names |= {m["name"] for m in profile.get("metadata") or []}
        names |= {m["name"] for m in builtin.get("metadata") or []}
    category = component_type.partition(".")[0]
    names |= RUNTIME_KEYS.get(category, set())
    if component_type == "pubsub.kafka":
        names |= KAFKA_BACKOFF_KEYS
    return frozenset(names)


def dapr_documents(profile: str) -> list[dict[str, Any]]:
    return [
        d.doc
        for d in render_profile(4, profile).documents
        if str(d.doc.get("apiVersion", "")).startswith("dapr.io/")
    ]


@pytest.mark.parametrize("profile", PROFILES)
def test_every_dapr_resource_matches_the_upstream_crd(profile: str) -> None:
    validators = crd_validators()
    documents = dapr_documents(profile)
    assert documents
    for document in documents:
        key = (document["apiVersion"], document["kind"])
        assert key in validators, f"no upstream CRD for {key}"
        errors = [f"{e.json_path}: {e.message}" for e in validators[key].iter_errors(document)]
        assert errors == [], f"{document['kind']} {document['metadata']['name']}: {errors}"


def test_the_strict_crd_schemas_refuse_unknown_fields() -> None:
    """The spec's `logging.level` and a misspelt Component field must fail these schemas."""
    validators = crd_validators()
    config = next(d for d in dapr_documents("spec") if d["kind"] == "Configuration")
    broken = {**config, "spec": {**config["spec"], "logging": {"level": "info"}}}
    assert list(validators[("dapr.io/v1alpha1", "Configuration")].iter_errors(broken))
    component = next(d for d in dapr_documents("spec") if d["kind"] == "Component")
    broken = {**component, "spec": {**component["spec"], "metdata": []}}
    assert list(validators[("dapr.io/v1alpha1", "Component")].iter_errors(broken))


@pytest.mark.parametrize("profile", PROFILES)
def test_every_component_metadata_name_is_known_upstream(profile: str) -> None:
    for document in dapr_documents(profile):
        if document["kind"] != "Component":
            continue
        spec = document["spec"]
        fields = known_fields(spec["type"], spec["version"])
        names = [item["name"] for item in spec["metadata"]]
        unknown = sorted(set(names) - fields)
        assert unknown == [], f"{document['metadata']['name']} ({spec['type']}): {unknown}"
        lowered = [n.lower() for n in names]
        assert len(lowered) == len(set(lowered)), f"duplicate names in {names}"


def test_component_metadata_with_every_option_is_known_upstream() -> None:
    values = {
        "pubsub": {
            "kafka": {
                "auth": {"type": "password"},
                "tls": {"enabled": False},
                "consumerGroup": "{appID}",
                "clientId": "todo",
                "backOff": {"policy": "constant"},
            }
        },
        "stateStore": {"version": "v2", "tablePrefix": "todo_", "queryExecMode": "exec"},
    }
    rendered = render(4, values=values)
    assert rendered.returncode == 0, rendered.stderr
    for name, component in rendered.components().items():
        spec = component["spec"]
        unknown = {i["name"] for i in spec["metadata"]} - known_fields(
            spec["type"], spec["version"]
        )
        assert not unknown, f"{name}: {unknown}"


def test_the_metadata_check_can_fail() -> None:
    fields = known_fields("pubsub.kafka", "v1")
    assert "compression" in fields and "saslPassword" in fields
    assert "compressionType" not in fields and "enableIdempotence" not in fields
    assert "vaultName" not in known_fields("secretstores.kubernetes", "v1")
