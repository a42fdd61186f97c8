"""The committed strict Dapr schemas and the schema-dapr rule, over good and bad fixtures."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from manifests import SPEC_CONFIGURATION

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.core.resources import load_bytes, load_text
from tools.kubernetes.compiled_schema import CompiledSchema
from tools.kubernetes.schemas import DAPR_SCHEMA_DIR, SCHEMA_DIR_ENV, SchemaStoreError, crd_schema
from tools.rules import Bundle
from tools.rules.schema.dapr import RULE as DAPR_RULE
from tools.rules.schema.kubernetes import RULE as KUBERNETES_RULE
from tools.rules.schema.not_checked import RULE as NOT_CHECKED_RULE
from tools.rules.schema.object import RULE as OBJECT_RULE

FIXTURES = Path(__file__).parent / "fixtures" / "dapr"
GOOD = sorted((FIXTURES / "good").glob("*.yaml"))
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
SCHEMA_RULES = (DAPR_RULE, OBJECT_RULE, KUBERNETES_RULE, NOT_CHECKED_RULE)
EXPECT = re.compile(r"^# expect: (\S+)(?: (\S+))?\s*$", re.MULTILINE)

EXPECTED_KINDS = {
    ("dapr.io/v1alpha1", "Component"),
    ("dapr.io/v1alpha1", "Subscription"),
    ("dapr.io/v2alpha1", "Subscription"),
    ("dapr.io/v1alpha1", "Configuration"),
    ("dapr.io/v1alpha1", "Resiliency"),
    ("dapr.io/v1alpha1", "HTTPEndpoint"),
}


def check(resources: list[Resource], schema_dirs: tuple[Path, ...] = ()) -> list[Finding]:
    bundle = Bundle(resources=resources, context=RunContext(schema_dirs=schema_dirs))
    found: list[Finding] = []
    for resource in resources:
        for rule in SCHEMA_RULES:
            found.extend(rule.check(resource, bundle))
    return found


def load_file(path: Path) -> list[Resource]:
    loaded = load_bytes(path.read_bytes(), str(path))
    assert not loaded.findings, [f.message for f in loaded.findings]
    return loaded.resources


def errors(found: list[Finding]) -> set[tuple[str, str]]:
    return {(f.rule, f.path) for f in found if f.severity is Severity.ERROR}


def expected(path: Path) -> set[tuple[str, str]]:
    return {(rule, pointer or "") for rule, pointer in EXPECT.findall(path.read_text())}


def schema_files() -> list[Path]:
    return sorted(DAPR_SCHEMA_DIR.glob("*.json"))


def test_committed_schemas_cover_the_dapr_kinds() -> None:
    keys = set()
    for file in schema_files():
        schema = json.loads(file.read_text())
        keys.add((schema["x-api-version"], schema["x-kind"]))
        version = schema["x-api-version"].rpartition("/")[2]
        assert file.name == f"{schema['x-kind'].lower()}-{version}.json"
        assert schema["x-dapr-version"] == "1.18"
    assert keys == EXPECTED_KINDS


def _open_objects(node: Any, where: str = "") -> list[str]:
    """Paths of schema objects that list properties but do not refuse other fields."""
    out: list[str] = []
    if isinstance(node, dict):
        if "properties" in node and node.get("additionalProperties") is not False:
            out.append(where or "/")
        for key, value in node.items():
            out.extend(_open_objects(value, f"{where}/{key}"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.extend(_open_objects(value, f"{where}/{index}"))
    return out


@pytest.mark.parametrize("file", schema_files(), ids=lambda p: p.name)
def test_committed_schema_is_valid_and_strict(file: Path) -> None:
    schema = json.loads(file.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert _open_objects(schema) == []
    assert set(schema["required"]) >= {"apiVersion", "kind"}


@pytest.mark.parametrize("file", GOOD, ids=lambda p: p.name)
def test_good_fixture_has_no_schema_errors(file: Path) -> None:
    resources = load_file(file)
    assert resources
    assert errors(check(resources)) == set()


@pytest.mark.parametrize("file", BAD, ids=lambda p: p.name)
def test_bad_fixture_reports_exactly_the_expected_errors(file: Path) -> None:
    want = expected(file)
    assert want, f"{file.name} declares no '# expect:' line"
    assert errors(check(load_file(file))) == want


def _scalars(node: Any, keys: set[str]) -> set[str]:
    """Leaf values of a document (not its keys), as text."""
    if isinstance(node, dict):
        out: set[str] = set()
        for key, value in node.items():
            keys.add(str(key))
            out |= _scalars(value, keys)
        return out
    if isinstance(node, list):
        return set().union(*(_scalars(item, keys) for item in node)) if node else set()
    return {str(node)} if node is not None else set()


@pytest.mark.parametrize("file", BAD, ids=lambda p: p.name)
def test_messages_never_echo_document_values(file: Path) -> None:
    resources = load_file(file)
    found = check(resources)
    for resource in resources:
        keys: set[str] = set()
        values = {v for v in _scalars(resource.doc, keys) if len(v) >= 4} - keys
        values -= {resource.api_version, resource.kind}
        for finding in found:
            for value in values:
                assert value not in finding.message, (value, finding.message)


def test_secret_value_with_wrong_type_is_not_printed() -> None:
    text = (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: s}\n"
        "spec:\n  type: state.postgresql\n  version: v1\n  metadata:\n"
        "    - name: connectionString\n      secretKeyRef: {name: 734982178342, key: pw}\n"
    )
    found = check(load_text(text, "c.yaml").resources)
    assert errors(found) == {("schema-dapr", "/spec/metadata/0/secretKeyRef/name")}
    assert all("734982178342" not in f.message for f in found)
    assert "must be a string" in found[0].message


def test_spec_configuration_logging_level_is_flagged_with_advice() -> None:
    found = check(load_text(SPEC_CONFIGURATION, "spec.yaml").resources)
    assert errors(found) == {("schema-dapr", "/spec/logging/level")}
    (finding,) = found
    assert finding.message.startswith('spec.logging: unknown field "level"')
    assert "dapr.io/log-level" in finding.message
    assert "apiLogging" in finding.message
    assert finding.line == 11  # the line of `level: info`
    assert finding.category == "schema"


def test_unknown_field_lists_allowed_fields_and_suggests_near_miss() -> None:
    text = (
        "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata: {name: r}\n"
        "spec:\n  policies: {}\n  targets: {}\n  polices: {}\n"
    )
    (finding,) = check(load_text(text, "r.yaml").resources)
    assert finding.path == "/spec/polices"
    assert 'did you mean "policies"?' in finding.message
    assert "(allowed: policies, targets)" in finding.message


def test_misspelt_required_field_is_reported_once() -> None:
    text = (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: c}\n"
        "spec: {type: state.redis, version: v1, metadata: []}\nauth: {secretstore: vault}\n"
    )
    found = check(load_text(text, "c.yaml").resources)
    assert errors(found) == {("schema-dapr", "/auth/secretstore")}
    assert 'did you mean "secretStore"?' in found[0].message


def test_null_optional_field_is_pruned_but_null_required_field_is_missing() -> None:
    text = (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: c}\n"
        "spec:\n  type: state.redis\n  version: v1\n  initTimeout:\n  metadata:\n"
    )
    found = check(load_text(text, "c.yaml").resources)
    assert errors(found) == {("schema-dapr", "/spec")}
    assert 'required field "metadata" is empty (null)' in found[0].message
    assert "[]" in found[0].message


def test_v1alpha1_subscription_with_routes_points_to_v2alpha1() -> None:
    text = (
        "apiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata: {name: s}\n"
        "spec: {pubsubname: p, topic: t, route: /x, routes: {default: /x}}\n"
    )
    (finding,) = check(load_text(text, "s.yaml").resources)
    assert finding.path == "/spec/routes"
    assert "dapr.io/v2alpha1" in finding.message


def test_dapr_kind_without_schema_is_not_checked_not_failed() -> None:
    text = "apiVersion: dapr.io/v1alpha1\nkind: WorkflowAccessPolicy\nmetadata: {name: w}\n"
    (finding,) = check(load_text(text, "w.yaml").resources)
    assert finding.rule == "schema-not-checked"
    assert finding.severity is Severity.INFO
    assert "not checked" in finding.message


@pytest.mark.parametrize("file", BAD, ids=lambda p: p.name)
def test_python_fallback_engine_finds_the_same_errors(file: Path) -> None:
    for resource in load_file(file):
        fast = crd_schema(resource.api_version, resource.kind)
        if fast is None:
            continue
        slow = CompiledSchema(
            fast.api_version, fast.kind, fast.schema, fast.source, engine="python", prune_nulls=True
        )
        assert type(slow._checker).__name__ == "_PythonChecker"
        assert type(fast._checker).__name__ == "_RustChecker"
        assert slow.is_valid(resource.doc) == fast.is_valid(resource.doc)
        assert [(i.path, i.message) for i in slow.issues(resource.doc)] == [
            (i.path, i.message) for i in fast.issues(resource.doc)
        ]


def test_schema_dir_override_is_searched_before_the_committed_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = json.loads((DAPR_SCHEMA_DIR / "configuration-v1alpha1.json").read_text())
    schema["$defs"]["logging"]["properties"]["level"] = {"type": "string"}
    schema["x-dapr-version"] = "test"
    (tmp_path / "configuration-v1alpha1.json").write_text(json.dumps(schema))
    resources = load_text(SPEC_CONFIGURATION, "spec.yaml").resources

    assert errors(check(resources, (tmp_path,))) == set()
    monkeypatch.setenv(SCHEMA_DIR_ENV, str(tmp_path))
    assert errors(check(resources)) == set()
    # Kinds the override does not hold still come from the committed schemas.
    component = crd_schema("dapr.io/v1alpha1", "Component")
    assert component is not None and "built-in" in component.source
    monkeypatch.delenv(SCHEMA_DIR_ENV)
    assert errors(check(resources)) == {("schema-dapr", "/spec/logging/level")}


def test_missing_schema_dir_override_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaStoreError, match=r"does not exist.*import-crd"):
        crd_schema("dapr.io/v1alpha1", "Component", (tmp_path / "absent",))


def test_validators_are_compiled_once() -> None:
    first = crd_schema("dapr.io/v1alpha1", "Component")
    assert first is crd_schema("dapr.io/v1alpha1", "Component")
