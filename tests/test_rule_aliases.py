"""A renamed rule's former id keeps working, through the real CLI: --select/--ignore, the config
file (select, ignore, per-path-ignores), the ignore annotation, and SARIF's deprecatedIds."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from forked_cli import run_tools
from manifests import custom_kind_schema

from tools.rules import aliases, all_rules

ROOT = Path(__file__).resolve().parent.parent

# schema-dapr (formerly dapr-schema) refuses spec.logging.level; nothing else fires on it.
CONFIGURATION = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: dapr-config
  ANNOTATIONS
spec:
  logging:
    level: info
"""

WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: one
spec:
  colour: red
"""

WIDGET_SCHEMA = custom_kind_schema(
    {"properties": {"color": {"type": "string"}}, "additionalProperties": False}
)


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(ROOT)
    result = run_tools("validate", *args, cwd=cwd, env=env, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def findings(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(
        CONFIGURATION.replace("  ANNOTATIONS\n", ""), encoding="utf-8"
    )
    return tmp_path


def test_every_alias_is_a_former_id_not_a_current_one() -> None:
    ids = {r.id for r in all_rules()}
    assert aliases() == {
        "crd-schema": "schema-crd",
        "dapr-schema": "schema-dapr",
        "kubernetes-object": "schema-object",
        "kubernetes-schema": "schema-kubernetes",
    }
    assert not set(aliases()) & ids


def test_ignore_by_the_former_id_silences_the_renamed_rule(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog" / "example.com"
    catalog.mkdir(parents=True)
    (catalog / "widget_v1.json").write_text(json.dumps(WIDGET_SCHEMA), encoding="utf-8")
    (tmp_path / "crs.yaml").write_text(WIDGET, encoding="utf-8")
    schema_dir = ("--schema-dir", str(tmp_path / "catalog"))
    flagged = run(tmp_path, "--format", "json", *schema_dir, "crs.yaml")
    assert flagged.returncode == 1
    assert [f["rule"] for f in findings(flagged)] == ["schema-crd"]
    ignored = run(tmp_path, "--format", "json", *schema_dir, "--ignore", "crd-schema", "crs.yaml")
    assert ignored.returncode == 0, ignored.stdout
    assert findings(ignored) == []


def test_select_by_the_former_id_reports_under_the_new_one(project: Path) -> None:
    result = run(project, "--format", "json", "--select", "dapr-schema", "config.yaml")
    assert result.returncode == 1
    assert [f["rule"] for f in findings(result)] == ["schema-dapr"]


@pytest.mark.parametrize("key", ["ignore", "select"])
def test_a_config_file_naming_the_former_id_works(project: Path, key: str) -> None:
    (project / ".todo-dapr.yaml").write_text(
        f"format: json\n{key}: [dapr-schema]\n", encoding="utf-8"
    )
    result = run(project, "config.yaml")
    rules = [f["rule"] for f in findings(result)]
    assert rules == ([] if key == "ignore" else ["schema-dapr"])


def test_a_per_path_ignore_naming_the_former_id_suppresses(project: Path) -> None:
    (project / ".todo-dapr.yaml").write_text(
        "format: json\n"
        "per-path-ignores:\n"
        "  - path: config.yaml\n"
        "    rules: [dapr-schema]\n"
        "    reason: kept on purpose\n",
        encoding="utf-8",
    )
    result = run(project, "config.yaml")
    assert result.returncode == 0
    (finding,) = findings(result)
    assert finding["rule"] == "schema-dapr"
    assert finding["suppressed"].startswith("kept on purpose")


def test_an_ignore_annotation_naming_the_former_id_suppresses(tmp_path: Path) -> None:
    annotated = CONFIGURATION.replace(
        "ANNOTATIONS", 'annotations:\n    todo-dapr.io/ignore: "dapr-schema=kept on purpose"'
    )
    (tmp_path / "config.yaml").write_text(annotated, encoding="utf-8")
    result = run(tmp_path, "--format", "json", "config.yaml")
    assert result.returncode == 0
    (finding,) = findings(result)
    assert finding["rule"] == "schema-dapr"
    assert finding["suppressed"] == "kept on purpose"


def test_sarif_names_the_former_id_as_deprecated(project: Path) -> None:
    result = run(project, "--format", "sarif", "config.yaml")
    (descriptor,) = json.loads(result.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert descriptor["id"] == "schema-dapr"
    assert descriptor["deprecatedIds"] == ["dapr-schema"]
