"""The caches behind the rules: each answers as the uncached code did, for every caller, and no
caller can change what the next one is given."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from rule_check import check

from tools.core.resources import load_text
from tools.dapr import model as dapr_model
from tools.dapr.release_catalog import spec_for
from tools.kubernetes.schemas import SchemaStoreError, crd_schema
from tools.rules.schema._identity import api_version_problem, kind_problem
from tools.rules.security.inline_secret import RULE as INLINE_SECRET
from tools.rules.security.secret_in_value import RULE as SECRET_IN_VALUE

COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: {name}}}
spec:
  type: state.redis
  version: v1
  metadata:
    - name: redisHost
      value: {host}
    - name: redisPassword
      value: hunter2hunter2
"""

URL = "redis://app:s3cretpw@redis:6379"


def _component(name: str, host: str = "redis:6379") -> str:
    return COMPONENT.format(name=name, host=host)


def test_metadata_items_are_read_once_per_resource_and_cannot_be_changed() -> None:
    first, second = load_text(
        "---\n" + _component("a") + "---\n" + _component("b", "other:6379"), "c.yaml"
    ).resources
    items = dapr_model.metadata_items(first)
    assert isinstance(items, tuple)
    assert dapr_model.metadata_items(first) is items
    assert dapr_model.metadata_items(second)[0].text == "other:6379"
    assert items[0].text == "redis:6379"


def test_metadata_items_do_not_keep_a_resource_alive() -> None:
    (resource,) = load_text(_component("a"), "c.yaml").resources
    dapr_model.metadata_items(resource)
    before = len(dapr_model._METADATA_ITEMS)
    del resource
    gc.collect()
    assert len(dapr_model._METADATA_ITEMS) == before - 1


def test_literal_secrets_are_found_once_and_reported_for_every_resource() -> None:
    text = "---\n" + _component("a") + "---\n" + _component("b")
    first, _second = load_text(text, "c.yaml").resources
    found = dapr_model.literal_secrets(first)
    assert isinstance(found, tuple) and [i.name for i in found] == ["redisPassword"]
    assert dapr_model.literal_secrets(first) is found
    assert len(check(INLINE_SECRET, text)) == 2


def test_a_secret_seen_before_is_reported_again_in_the_next_resource() -> None:
    text = "---\n" + _component("a", URL) + "---\n" + _component("b", URL)
    findings = check(SECRET_IN_VALUE, text)
    assert [f.path for f in findings] == ["/spec/metadata/0/value"] * 2
    assert findings[0].message == findings[1].message


def test_canonical_fields_are_shared_and_cannot_be_changed() -> None:
    spec = spec_for("state.redis", "v1")
    assert spec is not None
    fields = spec.canonical_fields()
    assert isinstance(fields, tuple) and fields
    assert spec.canonical_fields() is fields


def test_identity_answers_are_the_same_on_every_call() -> None:
    assert api_version_problem("dapr.io/v1alpha1") is None
    problem = api_version_problem("Dapr.io/v1")
    assert problem is not None and api_version_problem("Dapr.io/v1") == problem
    assert kind_problem("Component") is None
    assert kind_problem("9lives") is not None


def test_a_missing_schema_dir_is_refused_on_every_call(tmp_path: Path) -> None:
    for _ in range(2):
        with pytest.raises(SchemaStoreError, match="does not exist"):
            crd_schema("dapr.io/v1alpha1", "Component", (tmp_path / "absent",))
    (tmp_path / "absent").mkdir()
    assert crd_schema("dapr.io/v1alpha1", "Component", (tmp_path / "absent",)) is not None
