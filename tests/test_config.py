"""The config file, --schema-dir, --output and colour, through the real CLI in a scratch dir."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from forked_cli import run_tools
from manifests import LOGGING_CONFIGURATION, custom_kind_schema

ROOT = Path(__file__).resolve().parent.parent

# schema-dapr refuses spec.logging.level; nothing else fires on it.
CONFIGURATION = LOGGING_CONFIGURATION

WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: one
spec:
  size: 3
  colour: red
"""

GADGET = """\
apiVersion: gadgets.example.org/v1alpha1
kind: Gadget
metadata:
  name: two
spec:
  size: 3
  colour: red
"""


def _crd_schema() -> dict[str, Any]:
    return custom_kind_schema(
        {
            "properties": {"size": {"type": "integer"}, "color": {"type": "string"}},
            "additionalProperties": False,
        }
    )


def run(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    full_env.update({"PYTHONPATH": str(ROOT), **(env or {})})
    result = run_tools("validate", *args, cwd=cwd, env=full_env, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def findings(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    data = json.loads(result.stdout)
    found: list[dict[str, Any]] = data["findings"]
    return found


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "config.yaml").write_text(CONFIGURATION, encoding="utf-8")
    return tmp_path


def test_without_a_config_the_error_is_reported(project: Path) -> None:
    result = run(project, "--format", "json", "deploy")
    assert result.returncode == 1
    assert [f["rule"] for f in findings(result)] == ["schema-dapr"]


def test_config_is_found_from_the_working_directory_upward(project: Path) -> None:
    (project / ".todo-dapr.yaml").write_text("ignore: [schema-dapr]\n", encoding="utf-8")
    deeper = project / "a" / "b"
    deeper.mkdir(parents=True)
    result = run(deeper, "--format", "json", str(project / "deploy"))
    assert result.returncode == 0, result.stdout
    assert findings(result) == []
    # --no-config turns it off again.
    assert run(deeper, "--no-config", str(project / "deploy")).returncode == 1


def test_pyproject_table_is_read_and_yaml_wins_in_the_same_directory(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.todo-dapr]\nformat = "json"\nignore = ["schema"]\n',
        encoding="utf-8",
    )
    from_toml = run(project, "deploy")
    assert from_toml.returncode == 0
    assert findings(from_toml) == []  # JSON because the table says so
    (project / ".todo-dapr.yaml").write_text("format: junit\n", encoding="utf-8")
    from_yaml = run(project, "deploy")
    assert from_yaml.returncode == 1
    assert from_yaml.stdout.startswith("<?xml")


def test_a_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    (project / ".todo-dapr.yaml").write_text("format: json\n", encoding="utf-8")
    inner = project / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "y"\n', encoding="utf-8")
    result = run(inner, str(project / "deploy"))
    assert json.loads(result.stdout)["summary"]["errors"] == 1


def test_flags_override_the_file(project: Path) -> None:
    (project / ".todo-dapr.yaml").write_text("format: json\nselect: [security]\n", encoding="utf-8")
    from_file = run(project, "deploy")
    assert from_file.returncode == 0 and findings(from_file) == []
    flagged = run(project, "--select", "schema", "--format", "text", "deploy")
    assert flagged.returncode == 1
    assert "schema-dapr" in flagged.stdout and not flagged.stdout.startswith("{")


HOST_PID_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: todo}
spec:
  hostPID: true
  automountServiceAccountToken: false
  containers: [{name: app, image: "registry.example/app:1.0"}]
"""


def test_pod_security_levels_from_the_file_and_the_flags(project: Path) -> None:
    (project / "deploy" / "pod.yaml").write_text(HOST_PID_POD, encoding="utf-8")
    select = ("--select", "security-pss-host-namespaces", "--format", "json")

    def severities(result: subprocess.CompletedProcess[str]) -> list[str]:
        return [f["severity"] for f in findings(result)]

    assert severities(run(project, *select, "deploy")) == ["error"]  # baseline enforced
    (project / ".todo-dapr.yaml").write_text(
        "pod-security-enforce: privileged\npod-security-warn: privileged\n", encoding="utf-8"
    )
    quiet = run(project, *select, "deploy")
    assert quiet.returncode == 0 and severities(quiet) == []
    warned = run(project, *select, "--pod-security-warn", "baseline", "deploy")
    assert warned.returncode == 0 and severities(warned) == ["warning"]
    bad = run(project, "--pod-security-enforce", "strict", "deploy")
    assert bad.returncode == 2 and "--pod-security-enforce" in bad.stderr


UNSCOPED_COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec: {type: state.in-memory, version: v1, metadata: []}
"""


def test_dapr_mode_from_the_file_and_the_flags(project: Path) -> None:
    (project / "deploy" / "statestore.yaml").write_text(UNSCOPED_COMPONENT, encoding="utf-8")
    select = ("--select", "security-missing-scopes", "--format", "json")

    def severities(result: subprocess.CompletedProcess[str]) -> list[str]:
        return [f["severity"] for f in findings(result)]

    assert severities(run(project, *select, "deploy")) == ["error"]  # kubernetes by default
    (project / ".todo-dapr.yaml").write_text("dapr-mode: self-hosted\n", encoding="utf-8")
    hosted = run(project, *select, "deploy")
    assert hosted.returncode == 0 and severities(hosted) == ["info"]
    flagged = run(project, *select, "--dapr-mode", "kubernetes", "deploy")
    assert flagged.returncode == 1 and severities(flagged) == ["error"]
    bad = run(project, "--dapr-mode", "standalone", "deploy")
    assert bad.returncode == 2 and "--dapr-mode" in bad.stderr


DAPR_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: todo
  annotations: {dapr.io/enabled: "true", dapr.io/app-id: p}
spec:
  containers:
    - name: app
      image: registry.example/app:1.0
      securityContext: {capabilities: {drop: [ALL]}}
"""


def test_the_injector_setting_from_the_file_and_the_flag(project: Path) -> None:
    (project / "deploy" / "pod.yaml").write_text(DAPR_POD, encoding="utf-8")
    select = ("--select", "security-pss-capabilities-restricted", "--format", "json")
    [daprd] = findings(run(project, *select, "deploy"))
    assert 'container "daprd"' in daprd["message"] and daprd["severity"] == "warning"
    assert findings(run(project, *select, "--dapr-sidecar-drop-all", "deploy")) == []
    (project / ".todo-dapr.yaml").write_text("dapr-sidecar-drop-all: true\n", encoding="utf-8")
    assert findings(run(project, *select, "deploy")) == []


def test_explicit_config_file(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "policy.yaml"
    elsewhere.write_text("ignore: [schema-dapr]\n", encoding="utf-8")
    (project / ".todo-dapr.yaml").write_text("format: json\n", encoding="utf-8")
    result = run(project, "--config", str(elsewhere), "deploy")
    assert result.returncode == 0
    assert not result.stdout.startswith("{")  # the discovered file was not read


def test_per_path_ignore_is_reported_as_suppressed_with_its_reason(project: Path) -> None:
    (project / "kept").mkdir()
    (project / "kept" / "config.yaml").write_text(CONFIGURATION, encoding="utf-8")
    (project / ".todo-dapr.yaml").write_text(
        "per-path-ignores:\n"
        "  - path: deploy/*.yaml\n"
        "    rules: [schema-dapr]\n"
        "    reason: rendered by the platform team's chart\n",
        encoding="utf-8",
    )
    sub = project / "deploy"
    result = run(sub, "--format", "json", ".", "../kept")
    assert result.returncode == 1  # kept/config.yaml is not covered
    by_file = {(sub / f["file"]).resolve().parent.name: f for f in findings(result)}
    assert by_file["deploy"]["suppressed"].startswith("rendered by the platform team's chart")
    assert by_file["kept"]["suppressed"] is None
    text = run(project, "deploy")
    assert text.returncode == 0
    assert "suppressed: rendered by the platform team's chart" in text.stdout
    assert "1 suppressed" in text.stdout


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        ("selekt: [schema]\n", ["selekt", "unknown key"]),
        ("select: schema\n", ["select", "list"]),
        ("kube-version: 1.30\n", ["kube-version", "quote"]),
        ("kube-version: '1.99'\n", ["kube-version", "newer"]),
        ("ignore: [no-such-rule]\n", ["ignore", "no-such-rule"]),
        ("format: xml\n", ["format", "sarif"]),
        ("schema-dir: [missing]\n", ["schema-dir", "missing"]),
        (
            "per-path-ignores:\n  - {path: '*.yaml', rules: [schema]}\n",
            ["per-path-ignores[0]", "reason"],
        ),
        (
            "per-path-ignores:\n  - {path: '*.yaml', rules: [schema], reason: ' '}\n",
            ["per-path-ignores[0].reason"],
        ),
        ("pod-security-enforce: strict\n", ["pod-security-enforce", "restricted"]),
        ("pod-security-warn: [baseline]\n", ["pod-security-warn", "privileged"]),
        ("dapr-sidecar-drop-all: yes please\n", ["dapr-sidecar-drop-all", "true or false"]),
        ("dapr-mode: standalone\n", ["dapr-mode", "self-hosted"]),
        ("- a list\n", ["mapping"]),
        ("select: [a\n", ["not valid YAML"]),
    ],
)
def test_bad_config_exits_2_naming_file_and_key(
    project: Path, content: str, needles: list[str]
) -> None:
    (project / ".todo-dapr.yaml").write_text(content, encoding="utf-8")
    result = run(project, "deploy")
    assert result.returncode == 2, result.stdout
    assert ".todo-dapr.yaml" in result.stderr
    for needle in needles:
        assert needle in result.stderr


def test_bad_pyproject_table_names_the_file(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.todo-dapr]\nformat = 3\n", encoding="utf-8")
    result = run(project, "deploy")
    assert result.returncode == 2
    assert "pyproject.toml: format:" in result.stderr


def _schema_dirs(root: Path) -> tuple[Path, Path]:
    catalog = root / "catalog"
    (catalog / "example.com").mkdir(parents=True)
    (catalog / "example.com" / "widget_v1.json").write_text(
        json.dumps(_crd_schema()), encoding="utf-8"
    )
    kubeconform = root / "kubeconform"
    kubeconform.mkdir()
    (kubeconform / "gadget-gadgets-v1alpha1.json").write_text(
        json.dumps(_crd_schema()), encoding="utf-8"
    )
    return catalog, kubeconform


def test_schema_dir_layouts_catch_unknown_fields_in_custom_resources(tmp_path: Path) -> None:
    catalog, _ = _schema_dirs(tmp_path)
    (tmp_path / "crs.yaml").write_text(f"{WIDGET}---\n{GADGET}", encoding="utf-8")
    unchecked = run(tmp_path, "--format", "json", "crs.yaml")
    assert unchecked.returncode == 0
    assert {f["rule"] for f in findings(unchecked)} == {"schema-not-checked"}
    result = run(
        tmp_path,
        "--format",
        "json",
        "--schema-dir",
        str(catalog),
        "--schema-dir",
        "kubeconform",
        "crs.yaml",
    )
    assert result.returncode == 1
    found = findings(result)
    assert {(f["rule"], f["resource"]["kind"], f["path"]) for f in found} == {
        ("schema-crd", "Widget", "/spec/colour"),
        ("schema-crd", "Gadget", "/spec/colour"),
    }
    assert all('did you mean "color"' in f["message"] for f in found)


def test_schema_dir_from_the_config_relative_to_the_file(tmp_path: Path) -> None:
    _schema_dirs(tmp_path)
    (tmp_path / ".todo-dapr.yaml").write_text(
        "format: json\nschema-dir: [catalog, kubeconform]\n", encoding="utf-8"
    )
    work = tmp_path / "work"
    work.mkdir()
    (work / "good.yaml").write_text(WIDGET.replace("colour", "color"), encoding="utf-8")
    (work / "bad.yaml").write_text(GADGET, encoding="utf-8")
    result = run(work, ".")
    assert result.returncode == 1
    assert [(Path(f["file"]).name, f["rule"]) for f in findings(result)] == [
        ("bad.yaml", "schema-crd")
    ]


def test_schema_dir_lookup_never_follows_manifest_text(tmp_path: Path) -> None:
    catalog, _ = _schema_dirs(tmp_path)
    sneaky = WIDGET.replace("example.com/v1", "../catalog/example.com/v1")
    (tmp_path / "cr.yaml").write_text(sneaky, encoding="utf-8")
    result = run(tmp_path, "--format", "json", "--schema-dir", str(catalog), "cr.yaml")
    assert "schema-crd" not in {f["rule"] for f in findings(result)}


def test_missing_schema_dir_exits_2(tmp_path: Path) -> None:
    (tmp_path / "cr.yaml").write_text(WIDGET, encoding="utf-8")
    result = run(tmp_path, "--schema-dir", "nope", "cr.yaml")
    assert result.returncode == 2
    assert "nope" in result.stderr


def test_output_file_is_written_instead_of_stdout(project: Path) -> None:
    target = project / "report.sarif"
    target.write_text("previous", encoding="utf-8")
    result = run(project, "--format", "sarif", "--output", "report.sarif", "deploy")
    assert result.returncode == 1
    assert result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert [p.name for p in project.iterdir() if p.name.startswith(".report")] == []
    bad = run(project, "--output", "no/such/dir/report.txt", "deploy")
    assert bad.returncode == 2 and "--output" in bad.stderr


def test_force_color_and_no_color(project: Path) -> None:
    plain = run(project, "deploy")
    assert "\033[" not in plain.stdout
    forced = run(project, "deploy", env={"FORCE_COLOR": "1"})
    assert "\033[31m" in forced.stdout
    both = run(project, "deploy", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\033[" not in both.stdout
    as_json = run(project, "--format", "json", "deploy", env={"FORCE_COLOR": "1"})
    assert "\033[" not in as_json.stdout


def test_render_reads_the_config_too(tmp_path: Path, helm4: Path) -> None:
    (tmp_path / ".todo-dapr.yaml").write_text(
        "format: json\n"
        "per-path-ignores:\n"
        "  - {path: 'out/dev.yaml', rules: [schema], reason: demo}\n",
        encoding="utf-8",
    )
    chart = ROOT / "charts" / "todo-dapr"
    args = ("--chart", str(chart), "--profile", "dev", "--out", "out", "--quiet")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HELM": str(helm4)}
    result = run_tools("render", *args, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["resources"] > 0
    assert (tmp_path / "out" / "dev.yaml").is_file()
