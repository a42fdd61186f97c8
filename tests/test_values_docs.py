"""values.yaml's ``# --`` comments and values.schema.json's descriptions are one text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tools import docs
from tools.chart import values_docs
from tools.core.findings import EXIT_FINDINGS, EXIT_OK

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "charts" / "todo-dapr"

VALUES = """\
# yaml-language-server: $schema=./values.schema.json

# -- Label on every resource.
partOf: todo-app

# -- The pub/sub,
# over two lines.
pubsub:
  # -- Its name.
  name: kafka-pubsub
  # A plain comment documents nothing.
  topics: [a]
  kafka:

    # -- A blank line above does not matter, one below does.

    brokers: [b]
subscriptions:
  # -- Inside a list item: no schema property to match.
  - name: s
apps:
  backend:
    # -- What the app publishes.
    publishes: []
"""
SCHEMA = {
    "type": "object",
    "properties": {
        "partOf": {"type": "string", "description": "Label on every resource."},
        "pubsub": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "topics": {"type": "array", "description": "Allowed topics."},
                "kafka": {"type": "object", "properties": {"brokers": {"type": "array"}}},
            },
        },
        "subscriptions": {"type": "array", "items": {"$ref": "#/$defs/subscription"}},
        "apps": {
            "type": "object",
            "patternProperties": {"^[a-z-]+$": {"$ref": "#/$defs/app"}},
        },
    },
    "$defs": {
        "subscription": {"type": "object", "properties": {"name": {"type": "string"}}},
        "app": {"type": "object", "properties": {"publishes": {"type": "array"}}},
    },
}


def test_comments_are_found_with_their_key_paths() -> None:
    found = {d.path: d.text for d in values_docs.documented(VALUES)}
    assert found == {
        ("partOf",): "Label on every resource.",
        ("pubsub",): "The pub/sub, over two lines.",
        ("pubsub", "name"): "Its name.",
        ("apps", "backend", "publishes"): "What the app publishes.",
    }


def test_sync_copies_comments_into_descriptions_and_leaves_the_rest() -> None:
    result = values_docs.sync(SCHEMA, VALUES)
    assert result.changed == ["pubsub", "pubsub.name", "apps.backend.publishes"]
    assert result.unknown == []
    props = result.schema["properties"]
    assert props["pubsub"]["description"] == "The pub/sub, over two lines."
    assert list(props["pubsub"]["properties"]["name"]) == ["type", "description"]
    # no `# --` comment: the schema's own description stays, and none is invented
    assert props["pubsub"]["properties"]["topics"]["description"] == "Allowed topics."
    assert "description" not in props["pubsub"]["properties"]["kafka"]["properties"]["brokers"]
    # through patternProperties and $ref: the description sits beside the $ref
    app = props["apps"]["patternProperties"]["^[a-z-]+$"]
    assert app == {"$ref": "#/$defs/app"}  # the map key itself is not documented
    assert result.schema["$defs"]["app"]["properties"]["publishes"]["description"]
    assert "description" not in SCHEMA["properties"]["pubsub"], "the input is not modified"
    again = values_docs.sync(result.schema, VALUES)
    assert again.changed == [] and again.schema == result.schema


def test_a_documented_key_the_schema_lacks_is_reported() -> None:
    result = values_docs.sync(SCHEMA, "# -- Gone.\nreplicas: 1\n")
    assert result.unknown == ["values.yaml:2: `replicas` is not in values.schema.json"]


def test_the_chart_comments_and_schema_descriptions_agree() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    values_text = (CHART / "values.yaml").read_text(encoding="utf-8")
    documented = list(values_docs.documented(values_text))
    assert len(documented) >= 12, "the top-level sections are documented"
    result = values_docs.sync(schema, values_text)
    assert (result.changed, result.unknown) == ([], [])


def test_docs_check_reports_drift_and_docs_fixes_it(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    shutil.copytree(CHART, chart, ignore=shutil.ignore_patterns("ci", "templates"))
    root = tmp_path
    (root / "docs").mkdir()
    shutil.copyfile(ROOT / "docs" / "rules.md", root / "docs" / "rules.md")
    values = chart / "values.yaml"
    text = values.read_text(encoding="utf-8")
    old = "# -- Extra labels added to every resource (a label the chart sets itself is refused)."
    assert old in text
    values.write_text(text.replace(old, "# -- Extra labels, everywhere."), encoding="utf-8")

    assert docs.main(root=root, chart=chart, check=True) == EXIT_FINDINGS
    assert docs.main(root=root, chart=chart, check=False) == EXIT_OK
    assert docs.main(root=root, chart=chart, check=True) == EXIT_OK
    schema = json.loads((chart / "values.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["commonLabels"]["description"] == "Extra labels, everywhere."
    assert "Extra labels, everywhere." in (chart / "README.md").read_text(encoding="utf-8")
    # only the description changed: the rest of the file is written as the project writes it
    original = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    original["properties"]["commonLabels"]["description"] = "Extra labels, everywhere."
    assert (chart / "values.schema.json").read_text() == values_docs.render(original)


def undescribed(table: str) -> list[str]:
    """Keys of the values table's rows whose Description cell is empty (the last cell)."""
    rows = table.splitlines()[2:]
    return [row.split("`")[1] for row in rows if row.endswith("|  |")]


def test_every_values_path_in_the_table_is_described() -> None:
    table = docs.values_table(CHART)
    assert len(table.splitlines()) > 100, "the table lists the chart's values"
    assert undescribed(table) == []


def test_a_values_path_without_description_is_caught() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    state_store = schema["properties"]["stateStore"]["properties"]
    del state_store["ignoreErrors"]["description"]
    # a $ref with no description of its own and none at its target
    schema["$defs"]["quietDuration"] = {"type": "string"}
    state_store["initTimeout"] = {"$ref": "#/$defs/quietDuration"}
    assert undescribed(docs.values_table(CHART, schema)) == [
        "stateStore.initTimeout",
        "stateStore.ignoreErrors",
    ]
