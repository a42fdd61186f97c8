"""The loader: documents, lines, templates, and hostile input that must give findings."""

from __future__ import annotations

import time

import pytest

from tools.core.resources import MAX_DOCUMENT_BYTES, load_bytes, load_text
from tools.core.yaml_keys import json_key

HELM_STREAM = """\
---
# Source: todo-dapr/templates/components/pubsub.yaml
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: kafka-pubsub
spec:
  type: pubsub.kafka
  version: v1
  metadata:
    - name: brokers
      value: "b:9092"
    - name: authType
      value: none
---
# Source: todo-dapr/templates/networkpolicy.yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
spec:
  podSelector: {}

---
"""


def test_documents_keep_file_line_and_template() -> None:
    result = load_text(HELM_STREAM, "out.yaml", "dev")
    assert result.findings == []
    first, second = result.resources
    assert (first.kind, first.name, first.line) == ("Component", "kafka-pubsub", 2)
    assert first.template == "todo-dapr/templates/components/pubsub.yaml"
    assert second.template == "todo-dapr/templates/networkpolicy.yaml"
    assert first.profile == "dev"
    assert second.line == 16


def test_line_of_points_at_the_node() -> None:
    first = load_text(HELM_STREAM, "out.yaml").resources[0]
    assert first.line_of(("spec", "metadata", 1, "value")) == 14
    assert first.line_of(("spec", "type")) == 8
    # A path that does not exist stops at the deepest node that does.
    assert first.line_of(("spec", "metadata", 1, "secretKeyRef")) == 13
    assert first.line_of(()) == 3  # the first key, not the Source comment


def test_syntax_error_reports_the_real_line() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\n---\nkind: Secret\nmetadata: [unclosed\n"
    result = load_text(text, "bad.yaml")
    assert len(result.resources) == 1
    (finding,) = result.findings
    assert finding.rule == "yaml-syntax" and finding.category == "syntax"
    assert finding.line in {5, 6}
    assert finding.file == "bad.yaml"


@pytest.mark.parametrize(
    ("text", "word"),
    [("- a\n- b\n", "list"), ("just a string\n", "string"), ("42\n", "number")],
)
def test_non_objects_give_findings(text: str, word: str) -> None:
    result = load_text(text, "x.yaml")
    assert result.resources == []
    (finding,) = result.findings
    assert finding.rule == "not-an-object" and word in finding.message


def test_binary_and_non_utf8_files() -> None:
    assert load_bytes(b"\x89PNG\x00\x00\x00", "img.yaml").findings[0].rule == "input-not-text"
    finding = load_bytes(b"a: 1\nb: \xff\xfe\n", "latin.yaml").findings[0]
    assert finding.rule == "input-not-text" and finding.line == 2


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        refs = ",".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    text = "apiVersion: v1\nkind: ConfigMap\n" + "\n".join(lines) + "\n"
    started = time.perf_counter()
    result = load_text(text, "bomb.yaml")
    assert time.perf_counter() - started < 5
    assert result.resources == []
    assert result.findings[0].rule == "yaml-alias-bomb"


def test_small_aliases_are_fine() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &v [1, 2]\ny: *v\n"
    result = load_text(text, "ok.yaml")
    assert result.findings == [] and len(result.resources) == 1


def test_huge_document_is_bounded() -> None:
    body = "apiVersion: v1\nkind: ConfigMap\ndata:\n  big: " + "x" * (MAX_DOCUMENT_BYTES + 10)
    result = load_text(body + "\n", "huge.yaml")
    assert result.resources == []
    assert result.findings[0].rule == "input-too-large"


def test_separator_variants_and_empty_documents() -> None:
    text = "--- {apiVersion: v1, kind: ConfigMap, metadata: {name: inline}}\n---\n---\n...\n"
    result = load_text(text, "s.yaml")
    assert [r.name for r in result.resources] == ["inline"]
    assert result.resources[0].line == 1


def test_suppressions_read_from_annotation() -> None:
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n"
        '    todo-dapr.io/ignore: "security=demo only; dapr-unknown-field=legacy"\n'
    )
    res = load_text(text, "a.yaml").resources[0]
    assert res.suppressions == {"security": "demo only", "dapr-unknown-field": "legacy"}


CORNER_CASES = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: corner}
data:
  yes_bool: yes
  octal: 0o17
  old_octal: 017
  hex: 0x1F
  sexagesimal: 1:30
  float: 1.5e3
  inf: .inf
  nulls: [~, null, ""]
  when: 2026-11-27
  quoted: "123"
  merged:
    <<: {a: 1}
    b: 2
  tagged: !!str 42
  anchors: &x {k: v}
  again: *x
  binary: !!binary aGVsbG8=
"""


def test_fast_construction_matches_pyyaml() -> None:
    """Every scalar and structure PyYAML's SafeLoader knows comes out the same."""
    import yaml

    (res,) = load_text(CORNER_CASES, "c.yaml").resources
    assert res.doc == yaml.safe_load(CORNER_CASES)
    assert res.doc["data"]["again"] is res.doc["data"]["anchors"]


def test_plain_documents_use_the_same_types() -> None:
    import yaml

    text = "a: 1\nb: 1.0\nc: true\nd: null\ne: [1, two, {f: off}]\ng: '3'\n"
    assert load_text(text, "p.yaml").resources[0].doc == yaml.safe_load(text)


def test_unknown_tag_is_a_syntax_finding() -> None:
    result = load_text("apiVersion: v1\nkind: A\nx: !Ref thing\n", "t.yaml")
    assert result.resources == []
    assert result.findings[0].rule == "yaml-syntax"


DUPLICATE_LABELS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: dup
  labels:
    app: first
    app: second
data:
  k: v
"""


def test_a_duplicate_key_is_a_finding_on_the_loaded_resource() -> None:
    result = load_text("---\n" + DUPLICATE_LABELS, "d.yaml")
    (resource,) = result.resources
    (finding,) = result.findings
    assert (finding.rule, finding.category, finding.line) == ("yaml-duplicate-key", "syntax", 8)
    assert finding.path == "/metadata/labels/app" and finding.resource is resource
    assert "first on line 7, again on line 8" in finding.message
    # The last value is the one loaded, and the line of its path is the last key's.
    assert resource.doc["metadata"]["labels"] == {"app": "second"}
    assert resource.line_of(("metadata", "labels", "app")) == 8


def test_keys_equal_as_values_are_duplicates_and_merge_keys_are_not() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: {1: a, 0x1: b}\n"
    (finding,) = load_text(text, "n.yaml").findings
    assert finding.path == "/x/0x1"
    merged = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx:\n  <<: {a: 1}\n  a: 2\n"
    assert load_text(merged, "m.yaml").findings == []


def test_a_duplicate_under_an_anchor_is_reported_once() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &m {k: 1, k: 2}\ny: *m\n"
    (finding,) = load_text(text, "a.yaml").findings
    assert finding.path == "/x/k"


def test_no_duplicate_no_finding_in_either_path() -> None:
    assert load_text(DUPLICATE_LABELS.replace("    app: second\n", ""), "ok.yaml").findings == []
    assert load_text(CORNER_CASES, "c.yaml").findings == []


def test_a_file_over_the_cap_says_the_limit() -> None:
    from tools.core.resources import MAX_FILE_BYTES

    (finding,) = load_bytes(b"#" * (MAX_FILE_BYTES + 1), "big.yaml").findings
    assert finding.rule == "input-too-large"
    assert f"over the {MAX_FILE_BYTES}-byte limit" in finding.message


def test_many_duplicates_are_reported_up_to_a_limit_and_counted() -> None:
    from tools.core.duplicate_keys import MAX_DUPLICATES_REPORTED

    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n" + "  k: v\n" * 1001
    findings = load_text(text, "flood.yaml").findings
    assert len(findings) == MAX_DUPLICATES_REPORTED
    assert f"({1000 - MAX_DUPLICATES_REPORTED} more duplicate keys" in findings[-1].message


def test_documents_past_the_limit_are_one_finding_across_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tools.core import resources

    monkeypatch.setattr(resources, "MAX_DOCUMENTS", 3)
    doc = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    result = load_text(doc * 2, "one.yaml")
    load_text(doc * 4, "two.yaml", result=result)
    load_text(doc, "three.yaml", result=result)
    assert [r.file for r in result.resources] == ["one.yaml", "one.yaml", "two.yaml"]
    (finding,) = result.findings
    assert (finding.rule, finding.file, finding.line) == ("input-too-large", "two.yaml", 6)


@pytest.mark.parametrize("tagged", ["", "tagged: !!str 1\n"])
def test_keys_are_loaded_as_the_api_servers_json_keys(tagged: str) -> None:
    """Both constructors (plain, and PyYAML's for tagged documents) keep one value per JSON
    key, the last one, and no key is lost to Python's True == 1."""
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n" + tagged + "data:\n"
        '  1: a\n  true: c\n  "1": b\n  0x10: h\n  1.5: f\n  2001-01-01: t\n  null: n\n'
    )
    (resource,) = load_text(text, "k.yaml").resources
    assert resource.doc["data"] == {
        "1": "b",
        "true": "c",
        "16": "h",
        "1.5": "f",
        "2001-01-01": "t",
        None: "n",
    }
    (finding,) = load_text(text, "k.yaml").findings
    assert finding.path == "/data/1" and resource.line_of(("data", "true")) == 6 + bool(tagged)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0.1, "0.1"),
        (1.0, "1"),
        (1.5e6, "1.5e+06"),
        (123456.0, "123456"),
        (1e-5, "1e-05"),
        (3.14159265358979, "3.1415927"),
        (-0.0, "-0"),
        (1e39, ".inf"),
        (float("-inf"), "-.inf"),
        (float("nan"), ".nan"),
    ],
)
def test_float_keys_are_written_as_go_yaml_writes_a_float32(value: float, written: str) -> None:
    """strconv.FormatFloat(v, 'g', -1, 32), as sigs.k8s.io/yaml's convertToJSONableObject
    stringifies a float key."""
    import yaml

    assert json_key(value, yaml.ScalarNode("tag:yaml.org,2002:float", str(value))) == written
