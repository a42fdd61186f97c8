"""Validation cost stays linear in the input: pathological 256 KiB values validate quickly.

A single 256 KiB token once took 90 s in the secret scan (a URL pattern rescanning from every
position). The bound below is generous so that a loaded machine does not fail it; a quadratic
scan of these inputs takes minutes, so it still fails clearly.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tools.redact import redact_text
from tools.secret_text import find_secrets_in_text
from tools.validate import Source, validate

SIZE = 256 * 1024
BOUND_SECONDS = 2.0

SHAPES = {
    "single token": "a" * SIZE,
    "mixed-case token": "aB3" * (SIZE // 3),
    "a@ runs": "a@" * (SIZE // 2),
    ":// runs": "://" * (SIZE // 3),
    "= runs": "=" * SIZE,
    "whitespace": "x" + " " * SIZE + "x",
    "user:password runs": "a:" * (SIZE // 2),
    "scheme runs": ("a" * 1000 + "://") * (SIZE // 1003),
    "password= runs": "password='" * (SIZE // 10),
    "PEM headers": "-----BEGIN A-----" * (SIZE // 17),
    "dotted": "a." * (SIZE // 2),
    "AWS prefixes": "AKIA" * (SIZE // 4),
    "Slack prefixes": "xoxb-" * (SIZE // 5),
    "Stripe prefixes": "sk_live_" * (SIZE // 8),
    "JWT headers": "eyJ" * (SIZE // 3),
    "JWT parts": "eyJabcdefgh." * (SIZE // 12),
}


def _component(value: str) -> dict[str, Any]:
    return {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "c"},
        "spec": {
            "type": "pubsub.kafka",
            "version": "v1",
            "metadata": [{"name": "brokers", "value": value}],
        },
        "scopes": ["a"],
    }


def _timed_validate(doc: dict[str, Any]) -> float:
    text = json.dumps(doc)
    start = time.perf_counter()
    report = validate([Source("big.yaml", text)])
    elapsed = time.perf_counter() - start
    assert all("internal error" not in f.message for f in report.findings)
    return elapsed


@pytest.mark.parametrize("shape", SHAPES)
def test_secret_scan_is_linear(shape: str) -> None:
    text = SHAPES[shape]
    start = time.perf_counter()
    list(find_secrets_in_text(text))
    redact_text(text)
    assert time.perf_counter() - start < BOUND_SECONDS


@pytest.mark.parametrize("shape", SHAPES)
def test_component_value_validates_quickly(shape: str) -> None:
    assert _timed_validate(_component(SHAPES[shape])) < BOUND_SECONDS


@pytest.mark.parametrize(
    "place",
    ["name", "namespace", "label", "annotation", "data key", "secret", "kind", "apiVersion"],
)
def test_a_huge_token_anywhere_validates_quickly(place: str) -> None:
    value = "a" * SIZE
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    if place in ("name", "namespace"):
        doc["metadata"][place] = value
    elif place == "label":
        doc["metadata"]["labels"] = {"k": value, value: "v"}
    elif place == "annotation":
        doc["metadata"]["annotations"] = {"k": value, value: "v"}
    elif place == "data key":
        doc["data"] = {value: "x"}
    elif place == "secret":
        doc.update(kind="Secret", stringData={"k": value})
    else:
        doc[place] = value
    assert _timed_validate(doc) < BOUND_SECONDS


def test_url_passwords_are_still_found_and_redacted() -> None:
    text = "x " + "a" * 5000 + " postgres://app:s3cret-pw@db:5432/todo"
    assert ("a password in a URL", "s3cret-pw") in list(find_secrets_in_text(text))
    assert "s3cret-pw" not in redact_text(text)
    assert "postgres://app:[REDACTED]@db" in redact_text(text)


def test_one_finding_per_key_of_a_large_mapping_is_linear() -> None:
    """Each finding looks up its line and redacts its message: both once cost time in the size
    of the whole resource per finding (quadratic in all); 3,000 bad labels took 18 s."""
    count = 3000
    labels = {f"k{i}!": f"aB3dE5gH7jK9mN1pQ3sT{i}" for i in range(count)}
    doc = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": labels}}
    text = "\n".join(
        ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: c", "  labels:"]
        + [f"    '{k}': {v}" for k, v in labels.items()]
    )
    start = time.perf_counter()
    report = validate([Source("labels.yaml", text)])
    elapsed = time.perf_counter() - start
    keys = [f for f in report.findings if f.rule == "kubernetes-labels"]
    assert len(keys) == count
    assert keys[-1].line == count + 5  # lines still found, from the right key
    assert doc["metadata"]["labels"]
    assert elapsed < 3 * BOUND_SECONDS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "A" * 50_000),  # splitting metadata names into words
        ("value", "${" * 50_000),  # the template-marker search
        ("value", "{{" + "}}" * 50_000),  # the placeholder pattern
    ],
)
def test_metadata_names_and_values_are_scanned_linearly(field: str, value: str) -> None:
    doc = _component("x")
    doc["spec"]["metadata"][0][field] = value
    assert _timed_validate(doc) < BOUND_SECONDS


def test_a_long_source_comment_is_read_linearly() -> None:
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    text = "# Source: a" + " " * 100_000 + "b\n" + doc
    start = time.perf_counter()
    report = validate([Source("source.yaml", text)])
    assert time.perf_counter() - start < BOUND_SECONDS
    assert report.resources == 1
