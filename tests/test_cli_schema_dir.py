"""--schema-dir through the real CLI: a CRD schema imported with `schemas import-crd` into a
--schema-dir directory is the schema of its kind for every schema rule."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from manifests import custom_kind_schema

from tests.conftest import CliRunner

GADGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets.example.com"},
    "spec": {
        "group": "example.com",
        "names": {"kind": "Gadget", "plural": "gadgets"},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": custom_kind_schema(
                        {"properties": {"color": {"type": "string"}}}
                    )
                },
            }
        ],
    },
}

GADGET = """\
apiVersion: example.com/v1
kind: Gadget
metadata:
  name: g
spec:
  colour: red
"""


def test_an_imported_crd_schema_in_a_schema_dir_checks_its_kind(
    cli: CliRunner, tmp_path: Path
) -> None:
    crd = tmp_path / "gadgets.yaml"
    crd.write_text(yaml.safe_dump(GADGET_CRD), encoding="utf-8")
    schemas = tmp_path / "schemas"
    imported = cli("schemas", "import-crd", str(crd), "--out", str(schemas))
    assert imported.returncode == 0, imported.stderr
    manifest = tmp_path / "gadget.yaml"
    manifest.write_text(GADGET, encoding="utf-8")

    unchecked = cli("validate", "--no-config", "--format", "json", str(manifest))
    assert unchecked.returncode == 0, unchecked.stderr
    assert [f["rule"] for f in json.loads(unchecked.stdout)["findings"]] == ["schema-not-checked"]

    result = cli(
        "validate", "--no-config", "--format", "json", "--schema-dir", str(schemas), str(manifest)
    )
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["category"], finding["path"]) == ("schema", "/spec/colour")
    assert 'did you mean "color"' in finding["message"]
