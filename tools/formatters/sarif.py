"""SARIF 2.1.0, the format GitHub code scanning uploads accept.

Locations are made for code scanning, which can only annotate files in the repository:

- a finding in rendered chart output is located in the chart *template* it came from (the
  ``# Source:`` path Helm writes, e.g. ``todo-dapr/templates/components/pubsub-kafka.yaml``),
  as the repository-relative file ``charts/todo-dapr/templates/components/pubsub-kafka.yaml``.
  Rendered lines do not map back to template lines exactly (directives, ``include``, ``range``
  and values change the line count), so that location carries no region rather than a guessed
  one; the rendered file and its exact line follow as a related location;
- any other finding is located in the validated file, relative to the repository root
  (``uriBaseId`` ``%SRCROOT%``), with its line.

The repository root is the nearest directory at or above the working directory holding ``.git``
or ``ct.yaml``. Template paths are looked up in an index made by listing the repository's charts,
so no manifest text is ever joined into a filesystem path.

Each result carries a ``partialFingerprints`` entry, so that code scanning keeps one alert for
one problem across runs although a template location has no line to hash: the rule, the primary
location's URI, the resource (kind, namespace, name) and the JSON pointer inside it. Messages and
lines are left out because they change when unrelated text moves; the same template problem in
several profiles' renders is one alert on that template. A finding outside any resource (a YAML
syntax error) is identified by its rule, file and message. All of these are the redacted texts
(``tools/redaction/masking.py`` scrubs every finding before a format sees it), so a fingerprint is
never a hash of a secret that could confirm a guess, and a changed password keeps its alert.

Each rule descriptor links its page with ``helpUri`` when the base URL of the docs folder is
known (``TODO_DAPR_DOCS_URL``, e.g. ``https://github.com/OWNER/REPO/blob/SHA/docs/``); SARIF
requires an absolute URI there, so without it the page's repository path is given in ``help``
and ``properties.docs``. Security rules carry ``security-severity`` and the ``security`` tag, which
GitHub uses to rank alerts.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tools import __version__
from tools.core import yaml_text
from tools.core.findings import Finding, Severity
from tools.core.path_ignores import ORIGIN_KEY
from tools.formatters._common import resource_label, rule_docs_path

if TYPE_CHECKING:
    from tools.validate import Report

NAME = "sarif"

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
DOCS_URL_ENV = "TODO_DAPR_DOCS_URL"
_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub ranks 9.0+ critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.0", Severity.INFO: "2.0"}
_ROOT_MARKERS = (".git", "ct.yaml")
_CONFIG_ORIGIN = f" ({ORIGIN_KEY}["


def source_root(start: Path | None = None) -> Path:
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if any((candidate / marker).exists() for marker in _ROOT_MARKERS):
            return candidate
    return here


@cache
def template_index(root: Path) -> dict[str, str]:
    """``<chart name>/<path in chart>`` -> repository-relative path, for every chart file."""
    from tools.chart.profiles import find_charts

    try:
        charts = find_charts(root)
    except Exception:  # an unreadable ct.yaml leaves templates unmapped, not the report unwritten
        charts = []
    if (root / "Chart.yaml").is_file():
        charts.append(root)
    index: dict[str, str] = {}
    for chart in charts:
        name = _chart_name(chart)
        for file in sorted(chart.rglob("*")):
            if file.is_file():
                inside = file.relative_to(chart).as_posix()
                index.setdefault(f"{name}/{inside}", file.relative_to(root).as_posix())
    return index


def _chart_name(chart: Path) -> str:
    import yaml

    try:
        data = yaml_text.load((chart / "Chart.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return chart.name
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else chart.name


def _file_location(file: str, line: int | None, root: Path) -> dict[str, Any] | None:
    """A physicalLocation for a validated file: repository-relative when it lies inside."""
    if file == "<stdin>":
        return None
    path = Path(file).resolve()
    try:
        artifact: dict[str, Any] = {
            "uri": quote(path.relative_to(root).as_posix()),
            "uriBaseId": SRCROOT,
        }
    except ValueError:
        artifact = {"uri": path.as_uri()}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line:
        physical["region"] = {"startLine": line}
    return physical


def _docs(rule_id: str, known: bool) -> tuple[str, str | None]:
    """The page's repository path and, when a base URL is set, its absolute URL."""
    page = rule_docs_path(rule_id) if known else "docs/rules.md"
    base = os.environ.get(DOCS_URL_ENV, "").strip()
    if not base:
        return page, None
    return page, base.rstrip("/") + "/" + page.removeprefix("docs/")


def _rule_descriptors(findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    from tools.rules import all_rules

    known = {r.id: r for r in all_rules()}
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for f in findings:
        if f.rule in index:
            continue
        index[f.rule] = len(descriptors)
        rule = known.get(f.rule)
        summary = rule.summary if rule else f.rule
        severity = rule.severity if rule else f.severity
        page, url = _docs(f.rule, rule is not None)
        properties: dict[str, Any] = {"tags": [f.category], "docs": page}
        if f.category == "security":
            properties["security-severity"] = _SECURITY_SEVERITY[severity]
        descriptor: dict[str, Any] = {
            "id": f.rule,
            "shortDescription": {"text": summary},
            "defaultConfiguration": {"level": _LEVELS[severity]},
            "properties": properties,
        }
        if url:
            descriptor["helpUri"] = url
        if rule and rule.aliases:
            # Code scanning carries alerts raised under a former id over to the rule.
            descriptor["deprecatedIds"] = list(rule.aliases)
        explanation = rule.explanation if rule and rule.explanation else summary
        descriptor["help"] = {"text": f"{explanation}\n\nSee {page}."}
        descriptors.append(descriptor)
    return descriptors, index


FINGERPRINT = "todoDaprFinding/v1"


def _fingerprint(f: Finding, location: dict[str, Any]) -> str:
    artifact = location.get("physicalLocation", {}).get("artifactLocation", {})
    parts = [f.rule, str(artifact.get("uriBaseId", "")), str(artifact.get("uri", f.file))]
    if f.resource is not None:
        resource = f.resource
        parts += [resource.kind or "", resource.namespace or "", resource.name or "", f.path]
    else:
        parts += [f.message]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _result(f: Finding, rule_index: int, root: Path) -> dict[str, Any]:
    rendered = _file_location(f.file, f.line, root)
    template = template_index(root).get(f.template) if f.template else None
    location: dict[str, Any] = {}
    related: list[dict[str, Any]] = []
    if template is not None:
        location["physicalLocation"] = {
            "artifactLocation": {"uri": quote(template), "uriBaseId": SRCROOT}
        }
        if rendered is not None:
            related.append(
                {
                    "id": 1,
                    "physicalLocation": rendered,
                    "message": {"text": "rendered output"},
                }
            )
    elif rendered is not None:
        location["physicalLocation"] = rendered
    label = resource_label(f)
    if label:
        location["logicalLocations"] = [
            {"fullyQualifiedName": f"{label}{f.path}", "kind": "resource"}
        ]
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: _fingerprint(f, location)},
    }
    if related:
        result["relatedLocations"] = related
    properties: dict[str, Any] = {"category": f.category, "file": f.file}
    if f.template:
        properties["template"] = f.template
    result["properties"] = properties
    if f.suppressed is not None:
        # An annotation sits in the manifest; a per-path ignore in the config file.
        from_config = _CONFIG_ORIGIN in f.suppressed and f.suppressed.endswith(")")
        kind = "external" if from_config else "inSource"
        result["suppressions"] = [{"kind": kind, "justification": f.suppressed}]
    return result


def format_report(report: Report, color: bool = False) -> str:
    del color
    root = source_root()
    descriptors, index = _rule_descriptors(report.findings)
    sarif = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "todo-dapr",
                        "version": __version__,
                        "informationUri": "https://dapr.io/",
                        "rules": descriptors,
                    }
                },
                "results": [_result(f, index[f.rule], root) for f in report.findings],
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"
