"""CRD -> strict JSON Schema import; agreement of the committed schemas with upstream CRDs."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from tools.core.resource import Resource
from tools.core.resources import load_bytes, load_text
from tools.importers.crds import CrdImportError, import_crd_files, schemas_from_crd
from tools.kubernetes.compiled_schema import CompiledSchema
from tools.kubernetes.schemas import DAPR_SCHEMA_DIR, crd_schema

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM = ROOT.parent / "shared" / "reference" / "upstream"
EXAMPLES = ROOT.parent / "shared" / "reference" / "examples"
DAPR_CRDS = UPSTREAM / "dapr-dapr"
FIXTURES = Path(__file__).parent / "fixtures" / "dapr"

needs_upstream = pytest.mark.skipif(
    not (DAPR_CRDS / "v1.18.3").is_dir(),
    reason=f"upstream Dapr CRDs not found at {DAPR_CRDS} (CI checks them out)",
)

# A small CRD written for these tests: one of every construct the importer converts.
WIDGET_CRD: dict[str, Any] = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Widget", "plural": "widgets"},
        "scope": "Namespaced",
        "versions": [
            {"name": "v1alpha1", "served": False, "storage": False, "schema": {}},
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "apiVersion": {"type": "string"},
                            "kind": {"type": "string"},
                            "metadata": {"type": "object"},
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "format": "int32"},
                                    "port": {"x-kubernetes-int-or-string": True},
                                    "mode": {"type": "string", "enum": ["a", "b"]},
                                    "note": {"type": "string", "nullable": True},
                                    "ratio": {
                                        "type": "number",
                                        "minimum": 0,
                                        "exclusiveMinimum": True,
                                    },
                                    "extra": {
                                        "type": "object",
                                        "properties": {"known": {"type": "string"}},
                                        "x-kubernetes-preserve-unknown-fields": True,
                                    },
                                    "labels": {
                                        "type": "object",
                                        "additionalProperties": {"type": "string"},
                                    },
                                    "tags": {
                                        "type": "array",
                                        "items": {"type": "string"},
                                        "x-kubernetes-list-type": "set",
                                    },
                                    "choice": {
                                        "type": "object",
                                        "properties": {"x": {"type": "string"}},
                                        "anyOf": [{"required": ["x"]}],
                                    },
                                },
                            },
                        },
                    }
                },
            },
        ],
    },
}


def widget(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": spec,
    }


@pytest.fixture(scope="module")
def widget_schema() -> CompiledSchema:
    schemas = schemas_from_crd(WIDGET_CRD)
    assert list(schemas) == [("example.com/v1", "Widget")]  # v1alpha1 is not served
    schema = schemas[("example.com/v1", "Widget")]
    Draft202012Validator.check_schema(schema)
    return CompiledSchema("example.com/v1", "Widget", schema, "test")


def test_import_is_strict_where_the_crd_is_structural(widget_schema: CompiledSchema) -> None:
    spec = widget_schema.schema["properties"]["spec"]
    assert spec["additionalProperties"] is False
    assert "additionalProperties" not in spec["properties"]["extra"]  # preserve-unknown-fields
    assert "additionalProperties" not in spec["properties"]["choice"]["anyOf"][0]
    assert widget_schema.schema["required"] == ["apiVersion", "kind"]
    assert widget_schema.is_valid(
        widget(
            {
                "size": 3,
                "port": "http",
                "mode": "a",
                "note": None,
                "ratio": 0.5,
                "extra": {"anything": [1]},
                "labels": {"a": "b"},
                "tags": ["x", "y"],
                "choice": {"x": "1"},
            }
        )
    )
    assert widget_schema.is_valid(widget({"size": 1, "port": 8080}))


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        ({"size": 1, "sise": 2}, ("spec", "sise")),
        ({}, ("spec",)),
        ({"size": 2**31}, ("spec", "size")),
        ({"size": 1, "port": 1.5}, ("spec", "port")),
        ({"size": 1, "mode": "c"}, ("spec", "mode")),
        ({"size": 1, "ratio": 0}, ("spec", "ratio")),
        ({"size": 1, "labels": {"a": 1}}, ("spec", "labels", "a")),
        ({"size": 1, "tags": ["x", "x"]}, ("spec", "tags")),
        ({"size": 1, "choice": {}}, ("spec", "choice")),
    ],
)
def test_import_refuses(
    widget_schema: CompiledSchema, spec: dict[str, Any], path: tuple[Any, ...]
) -> None:
    issues = widget_schema.issues(widget(spec))
    assert [i.path for i in issues] == [path], [i.message for i in issues]


def test_import_pins_apiversion_and_kind(widget_schema: CompiledSchema) -> None:
    doc = widget({"size": 1})
    doc["apiVersion"] = "example.com/v2"
    (issue,) = widget_schema.issues(doc)
    assert issue.path == ("apiVersion",)
    assert '"example.com/v1"' in issue.message


def test_import_writes_one_file_per_version(tmp_path: Path) -> None:
    crd_file = tmp_path / "widgets.yaml"
    crd_file.write_text("---\n" + yaml.safe_dump(WIDGET_CRD))
    written = import_crd_files([crd_file], tmp_path / "out", label="test 1.0")
    assert [p.name for p in written] == ["widget-v1.json"]
    schema = json.loads(written[0].read_text())
    assert schema["x-api-version"] == "example.com/v1"
    assert schema["x-kind"] == "Widget"
    assert schema["x-source"] == "test 1.0"
    assert schema["x-crd"] == "widgets.example.com"
    # The validator picks imported schemas up from a schema directory.
    compiled = crd_schema("example.com/v1", "Widget", (tmp_path / "out",))
    assert compiled is not None and not compiled.is_valid(widget({}))


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n", "a Deployment, not"),
        ("- just\n- a list\n", "not a Kubernetes object"),
        ("", "empty file"),
        ("kind: [unclosed\n", "not valid YAML"),
        (
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            "spec: {group: g.io, names: {kind: K}, versions: []}\n",
            "no versions",
        ),
        (
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            "spec: {group: g.io, names: {kind: K}, versions: [{name: v1, served: true}]}\n",
            "no schema.openAPIV3Schema",
        ),
    ],
)
def test_not_a_crd_is_a_clear_error(tmp_path: Path, content: str, words: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    with pytest.raises(CrdImportError) as info:
        import_crd_files([bad], tmp_path / "out")
    assert str(bad) in str(info.value)
    assert words in str(info.value)
    assert info.value.exit_status == 2
    assert not (tmp_path / "out").exists()


def test_second_document_is_named(tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.yaml"
    mixed.write_text(yaml.safe_dump(WIDGET_CRD) + "---\napiVersion: v1\nkind: Secret\n")
    with pytest.raises(CrdImportError, match=r"\(document 2\): document is a Secret"):
        import_crd_files([mixed], tmp_path / "out")


# --- against the upstream Dapr CRDs ---------------------------------------------------------------


@pytest.fixture(scope="module")
def imported_118(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (DAPR_CRDS / "v1.18.3").is_dir():
        pytest.skip(f"upstream Dapr CRDs not found at {DAPR_CRDS}")
    out = tmp_path_factory.mktemp("dapr-1.18.3")
    files = sorted((DAPR_CRDS / "v1.18.3" / "charts" / "dapr" / "crds").glob("*.yaml"))
    import_crd_files(files, out, label="dapr 1.18.3")
    return out


def _documents() -> Iterator[tuple[str, Resource]]:
    """Every Dapr document of the fixtures and, when present, of the real-world examples."""
    files = sorted(FIXTURES.rglob("*.yaml"))
    if EXAMPLES.is_dir():
        files += sorted(EXAMPLES.rglob("*.yaml"))
    for file in files:
        for resource in load_bytes(file.read_bytes(), str(file)).resources:
            if resource.group == "dapr.io":
                yield f"{file.name}:{resource.line}", resource


def _mutations(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Copies of ``doc`` with one field removed or one unknown field added, anywhere."""
    if isinstance(doc, dict):
        for key in doc:
            trimmed = copy.deepcopy(doc)
            del trimmed[key]
            yield f"-{'/'.join(map(str, (*path, key)))}", trimmed
        grown = copy.deepcopy(doc)
        grown["zzUnknown"] = "x"
        yield f"+{'/'.join(map(str, path))}/zzUnknown", grown
        for key, value in doc.items():
            for label, changed in _mutations(value, (*path, key)):
                whole = copy.deepcopy(doc)
                whole[key] = changed
                yield label, whole
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            for label, changed in _mutations(value, (*path, index)):
                whole = copy.deepcopy(doc)
                whole[index] = changed
                yield label, whole


@needs_upstream
def test_committed_and_imported_schemas_cover_the_same_kinds(imported_118: Path) -> None:
    for file in DAPR_SCHEMA_DIR.glob("*.json"):
        assert (imported_118 / file.name).is_file(), file.name


@needs_upstream
def test_committed_and_imported_schemas_agree_on_every_document(imported_118: Path) -> None:
    compared = 0
    for label, resource in _documents():
        mine = crd_schema(resource.api_version, resource.kind)
        theirs = crd_schema(resource.api_version, resource.kind, (imported_118,))
        if mine is None:
            # Only kinds the project does not deploy are left to imported schemas.
            assert theirs is None or resource.kind in {"MCPServer", "WorkflowAccessPolicy"}, label
            continue
        assert theirs is not None and theirs.source.startswith(str(imported_118)), label
        for variant, doc in [("as is", resource.doc), *_mutations(resource.doc)]:
            assert mine.is_valid(doc) == theirs.is_valid(doc), (label, variant)
            assert [i.path for i in mine.issues(doc)] == [i.path for i in theirs.issues(doc)], (
                label,
                variant,
            )
            compared += 1
    assert compared > 500


@needs_upstream
def test_spec_configuration_is_refused_by_the_imported_schema(imported_118: Path) -> None:
    doc = yaml.safe_load((FIXTURES / "bad" / "configuration-logging-level.yaml").read_text())
    imported = crd_schema("dapr.io/v1alpha1", "Configuration", (imported_118,))
    assert imported is not None
    assert [i.path for i in imported.issues(doc)] == [("spec", "logging", "level")]


WORKFLOW_CONFIGURATION = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: wf}
spec:
  workflow:
    maxConcurrentWorkflowInvocations: 10
    globalMaxConcurrentWorkflowInvocations: 100
    stateRetentionPolicy: {completed: 24h}
  tracing:
    samplingRate: "1"
    otel: {endpointAddress: c:4317, isSecure: false, protocol: grpc, timeout: 5s}
"""


@needs_upstream
@pytest.mark.parametrize(
    ("release", "refused"),
    [
        (
            "v1.16.19",
            {
                ("spec", "workflow", "globalMaxConcurrentWorkflowInvocations"),
                ("spec", "workflow", "stateRetentionPolicy"),
                ("spec", "tracing", "otel", "timeout"),
            },
        ),
        ("v1.17.13", {("spec", "workflow", "globalMaxConcurrentWorkflowInvocations")}),
        ("v1.18.3", set()),
    ],
)
def test_older_configuration_crds_import_and_pin_validation(
    tmp_path: Path, release: str, refused: set[tuple[str, ...]]
) -> None:
    crd = DAPR_CRDS / release / "charts" / "dapr" / "crds" / "configuration.yaml"
    if not crd.is_file():
        pytest.skip(f"{crd} not found")
    written = import_crd_files([crd], tmp_path, label=f"dapr {release}")
    assert [p.name for p in written] == ["configuration-v1alpha1.json"]
    pinned = crd_schema("dapr.io/v1alpha1", "Configuration", (tmp_path,))
    assert pinned is not None
    (resource,) = load_text(WORKFLOW_CONFIGURATION, "wf.yaml").resources
    assert {i.path for i in pinned.issues(resource.doc)} == refused
    spec_config = yaml.safe_load(
        (FIXTURES / "bad" / "configuration-logging-level.yaml").read_text()
    )
    assert [i.path for i in pinned.issues(spec_config)] == [("spec", "logging", "level")]
