"""schema-crd: custom resources checked against the schemas of --schema-dir, found by listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from manifests import custom_kind_schema

from tools.core.context import RunContext
from tools.core.findings import Finding
from tools.core.resources import load_text
from tools.kubernetes.schema_dirs import SchemaDir, find_schema_file, index_schema_dir
from tools.kubernetes.schemas import SchemaStoreError
from tools.rules import Bundle
from tools.rules.schema.crd import RULE
from tools.rules.schema.not_checked import RULE as NOT_CHECKED_RULE

SCHEMA = custom_kind_schema(
    {
        "properties": {"secretName": {"type": "string"}},
        "required": ["secretName"],
        "additionalProperties": False,
    }
)

DOC = """\
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tls}
spec: SPEC
"""


@pytest.fixture
def catalog(tmp_path: Path) -> SchemaDir:
    (tmp_path / "cert-manager.io").mkdir()
    (tmp_path / "cert-manager.io" / "certificate_v1.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "cert-manager.io" / "notes.txt").write_text("not a schema")
    return index_schema_dir(tmp_path)


def run(spec: str, dirs: tuple[SchemaDir, ...]) -> list[Finding]:
    resources = load_text(DOC.replace("SPEC", spec), "test.yaml").resources
    bundle = Bundle(resources, RunContext(schema_dirs=tuple(d.root for d in dirs)))
    return [
        f for r in resources for rule in (RULE, NOT_CHECKED_RULE) for f in rule.check(r, bundle)
    ]


def test_valid_resource_is_clean_and_counts_as_checked(catalog: SchemaDir) -> None:
    assert run("{secretName: tls}", (catalog,)) == []


def test_unknown_and_missing_fields_are_errors(catalog: SchemaDir) -> None:
    found = run("{secretname: tls}", (catalog,))
    assert [(f.rule, f.path) for f in found] == [("schema-crd", "/spec/secretname")]
    assert 'did you mean "secretName"' in found[0].message
    assert "certificate_v1.json" in found[0].message


def test_without_schema_dirs_it_stays_not_checked() -> None:
    assert [f.rule for f in run("{secretname: tls}", ())] == ["schema-not-checked"]


def test_kubeconform_layout_keys_by_first_group_label(tmp_path: Path) -> None:
    (tmp_path / "certificate-cert-manager-v1.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "configmap-v1.json").write_text(json.dumps(SCHEMA))
    (tmp_path / "trainingjob_v1.json").write_text(json.dumps(SCHEMA))  # no group: not read
    index = index_schema_dir(tmp_path)
    assert find_schema_file((index,), "cert-manager.io/v1", "Certificate") is not None
    assert find_schema_file((index,), "v1", "ConfigMap") is not None
    assert find_schema_file((index,), "sagemaker.aws.amazon.com/v1", "TrainingJob") is None
    assert [f.rule for f in run("{secretname: tls}", (index,))] == ["schema-crd"]


def test_a_broken_schema_file_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "certificate-cert-manager-v1.json").write_text("{not json")
    (finding,) = run("{secretName: tls}", (index_schema_dir(tmp_path),))
    assert finding.rule == "schema-crd" and "cannot read the schema" in finding.message


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaStoreError, match="no such directory"):
        index_schema_dir(tmp_path / "absent")
