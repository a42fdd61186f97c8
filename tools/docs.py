"""Generated documentation: the chart README's values table, docs/rules.md and one page per rule
under docs/rules/ (from the rule modules' docstrings and tools/core/input_rules.py), and the
descriptions in values.schema.json that values.yaml's ``# --`` comments give
(tools/chart/values_docs.py).

The values table comes from values.schema.json (types, enums, descriptions) and values.yaml
(defaults, since that file is what Helm really uses). It is written between two marker
comments in the chart README so the hand-written parts around it stay untouched.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

from tools.chart import values_docs
from tools.core import yaml_text
from tools.core.findings import EXIT_FINDINGS, EXIT_OK

# How docs name a rule's Dapr mode (Rule.modes_label) when it is not both.
_MODE_NAMES = {"kubernetes": "Kubernetes only", "self-hosted": "self-hosted only"}

START = "<!-- values-table:start -->"
END = "<!-- values-table:end -->"


class DocsError(Exception):
    exit_status = 2


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return _resolve(merged, root)
    return schema


def _type_of(schema: dict[str, Any], root: dict[str, Any]) -> str:
    schema = _resolve(schema, root)
    if "enum" in schema:
        return " \\| ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " or ".join(_type_of(s, root) for s in schema[key])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(kind)
    if kind in ("array", "object") and "title" in schema:
        return str(schema["title"])
    if kind == "array":
        items = schema.get("items")
        inner = _type_of(items, root) if isinstance(items, dict) else "any"
        return f"list of {inner}"
    return str(kind or "any")


def _rows(
    schema: dict[str, Any], root: dict[str, Any], values: Any, prefix: str
) -> Iterator[tuple[str, str, str, str]]:
    schema = _resolve(schema, root)
    props = schema.get("properties")
    if schema.get("type") == "object" and isinstance(props, dict) and props:
        for name, sub in props.items():
            child = values.get(name) if isinstance(values, dict) else None
            yield from _rows(sub, root, child, f"{prefix}.{name}" if prefix else name)
        return
    default = "" if values is None else f"`{json.dumps(values, separators=(',', ':'))}`"
    if len(default) > 80:
        default = "see values.yaml"
    description = " ".join(str(schema.get("description", "")).split())
    yield prefix, _type_of(schema, root), default, description


def values_table(chart: Path, schema: dict[str, Any] | None = None) -> str:
    schema_path = chart / "values.schema.json"
    try:
        if schema is None:
            schema = dict(json.loads(schema_path.read_text(encoding="utf-8")))
        values = yaml_text.load((chart / "values.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise DocsError(f"cannot read the chart's values or schema: {exc}") from exc
    lines = ["| Key | Type | Default | Description |", "|---|---|---|---|"]
    for key, kind, default, description in _rows(schema, schema, values, ""):
        cell = description.replace("|", "\\|")
        lines.append(f"| `{key}` | {kind} | {default} | {cell} |")
    return "\n".join(lines) + "\n"


def _page(
    rule_id: str, category: str, severity: str, body: str, aliases: Sequence[str], *, modes: str
) -> str:
    mode = "" if modes == "both" else f" · **Dapr mode:** {_MODE_NAMES[modes]}"
    lines = [f"# {rule_id}", "", f"**Category:** {category} · **Severity:** {severity}{mode}", ""]
    if aliases:
        names = ", ".join(f"`{a}`" for a in aliases)
        lines += [
            f"**Former ids:** {names} (still accepted by `--select`/`--ignore`, config files and "
            "the ignore annotation)",
            "",
        ]
    return "\n".join([*lines, body.strip()]) + "\n"


def rule_pages() -> dict[str, str]:
    """docs/rules/<id>.md, by file name, for every rule module and every input finding."""
    from tools.core.input_rules import INPUT_FINDINGS
    from tools.rules import all_rules

    pages = {
        f"{r.id}.md": _page(r.id, r.category, r.severity, r.page, (), modes="both")
        for r in INPUT_FINDINGS
    }
    for rule in all_rules():
        severity = rule.severity_text
        pages[f"{rule.id}.md"] = _page(
            rule.id, rule.category, severity, rule.page, rule.aliases, modes=rule.modes_label()
        )
    return pages


def rules_page() -> str:
    from tools.core.input_rules import INPUT_FINDINGS
    from tools.dapr.supported import SUPPORTED
    from tools.rules import all_rules

    supported = ", ".join(SUPPORTED)
    lines = [
        "# Rules",
        "",
        "Generated by `python -m tools docs` from the rule modules in `tools/rules/`; do not edit.",
        "Select or ignore by id or category: `python -m tools validate --select dapr --ignore "
        "reference-key-prefix`. Suppress on one resource with the annotation "
        '`todo-dapr.io/ignore: "<rule-or-category>=<reason>"`.',
        f"Dapr releases: the rules judge the release `--dapr-version` names ({supported}; "
        "default: a rendered profile's `daprVersion`, else the newest); *all* means every one.",
        "Rules marked *Kubernetes only* do not run with `--dapr-mode self-hosted` (a `dapr run "
        "--resources-path` folder: no API server, operator or built-in `kubernetes` secret store).",
        "",
        "| Rule | Category | Severity | Dapr releases | What it catches |",
        "|---|---|---|---|---|",
    ]
    for finding in sorted(INPUT_FINDINGS, key=lambda f: f.id):
        label = f"[`{finding.id}`]({(Path('rules') / f'{finding.id}.md').as_posix()})"
        lines.append(
            f"| {label} | {finding.category} | {finding.severity} | all | {finding.summary} |"
        )
    for rule in all_rules():
        page = Path("rules") / f"{rule.id}.md"
        label = f"[`{rule.id}`]({page.as_posix()})"
        if rule.aliases:
            label += " (formerly " + ", ".join(f"`{a}`" for a in rule.aliases) + ")"
        summary = rule.summary.replace("|", "\\|")
        if rule.modes_label() != "both":
            summary += f" *({_MODE_NAMES[rule.modes_label()]})*"
        severity = rule.severity_text.replace("|", "\\|")
        lines.append(
            f"| {label} | {rule.category} | {severity} | {rule.releases_label()} | {summary} |"
        )
    return "\n".join(lines) + "\n"


def _splice(readme: str, table: str, path: Path) -> str:
    if START not in readme or END not in readme:
        raise DocsError(f"{path}: add the markers {START} and {END} where the values table goes")
    head, _, rest = readme.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{table}{END}{tail}"


def _documented_schema(chart: Path) -> values_docs.Sync:
    """values.schema.json with the descriptions values.yaml's ``# --`` comments give."""
    try:
        schema = json.loads((chart / "values.schema.json").read_text(encoding="utf-8"))
        values_text = (chart / "values.yaml").read_text(encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise DocsError(f"cannot read the chart's values or schema: {exc}") from exc
    return values_docs.sync(schema, values_text)


def main(root: Path, chart: Path, check: bool) -> int:
    readme_path = chart / "README.md"
    rules_path = root / "docs" / "rules.md"
    pages_dir = root / "docs" / "rules"
    schema_path = chart / "values.schema.json"
    try:
        readme = readme_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DocsError(f"{readme_path}: cannot read ({exc.strerror})") from exc
    synced = _documented_schema(chart)
    if synced.unknown:
        print("\n".join(synced.unknown), file=sys.stderr)
        return EXIT_FINDINGS
    if check and synced.changed:
        keys = ", ".join(synced.changed)
        print(
            f"{schema_path}: description differs from the `# --` comment in values.yaml: {keys}",
            file=sys.stderr,
        )
    wanted = {
        schema_path: values_docs.render(synced.schema) if synced.changed else None,
        readme_path: _splice(readme, values_table(chart, synced.schema), readme_path),
        rules_path: rules_page(),
        **{pages_dir / name: page for name, page in rule_pages().items()},
    }
    # A page under docs/rules/ that no rule writes belongs to a rule that is gone or renamed.
    stale = []
    for orphan in sorted(set(pages_dir.glob("*.md")) - set(wanted)):
        if check:
            stale.append(orphan)
        else:
            orphan.unlink()
            print(f"removed {orphan}")
    for path, content in wanted.items():
        if content is None:
            continue
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == content:
            continue
        if check:
            stale.append(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        names = ", ".join(str(p) for p in stale)
        print(f"out of date: {names}; run `python -m tools docs` and commit", file=sys.stderr)
        return EXIT_FINDINGS
    if check:
        print("docs are up to date")
    return EXIT_OK
