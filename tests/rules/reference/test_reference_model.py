"""tools.dapr.model: the parsing the security and reference rules rely on."""

from __future__ import annotations

import pytest

from tools.core.resources import load_text
from tools.dapr import durations
from tools.dapr import model as dapr_model


def test_topic_scopes_follow_daprs_syntax() -> None:
    parsed = dapr_model.parse_topic_scopes(" backend=a, b;chat-api=;notify=c;;bad ")
    assert parsed == {"backend": ["a", "b"], "chat-api": [], "notify": ["c"]}
    assert dapr_model.parse_topic_list("t1, t2,,") == ["t1", "t2"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30.0), ("1m30s", 90.0), ("250ms", 0.25), ("1.5h", 5400.0), ("0", 0.0), ("", None)],
)
def test_go_durations(text: str, seconds: float | None) -> None:
    assert durations.parse_go_duration(text) == seconds


def test_metadata_durations_take_bare_integers_as_seconds() -> None:
    assert durations.parse_metadata_duration("20") == 20.0
    assert durations.parse_go_duration("20") is None
    assert durations.parse_metadata_duration("5 minutes") is None


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [
        ("saslPassword", True),
        ("redisPassword", True),
        ("oidcClientSecret", True),
        ("cfAPIToken", True),
        ("vaultToken", True),
        ("accessKey", True),
        ("storageAccountKey", True),
        ("oidcClientAssertionKey", True),
        ("primaryEncryptionKey", True),
        ("connectionString", True),
        ("sasl_password", True),
        ("partitionKey", False),
        ("publicKey", False),
        ("keyPrefix", False),
        ("vaultTokenMountPath", False),
        ("oidcTokenEndpoint", False),
        ("secretsFile", False),
        ("caCert", False),
        ("key", False),
    ],
)
def test_sensitive_names(name: str, sensitive: bool) -> None:
    assert dapr_model.name_looks_sensitive(name) is sensitive


def test_metadata_items_tolerate_malformed_entries() -> None:
    text = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: c, namespace: ns}
spec:
  type: state.redis
  version: v1
  metadata:
    - just-a-string
    - {value: no-name}
    - {name: redisHost, value: "localhost:6379"}
    - {name: redisPassword, secretKeyRef: {name: s, key: k}}
    - {name: enableTLS, value: true}
scopes: [a, 7, b]
"""
    (res,) = load_text(text, "c.yaml").resources
    items = dapr_model.metadata_items(res)
    assert [(i.index, i.name) for i in items] == [
        (2, "redisHost"),
        (3, "redisPassword"),
        (4, "enableTLS"),
    ]
    assert items[1].secret_ref == {"name": "s", "key": "k"} and not items[1].has_value
    assert items[2].text == "true"
    assert dapr_model.scopes(res) == ["a", "b"]
    assert dapr_model.component_category(res) == "state"
    assert dapr_model.metadata_value(res, "REDISHOST") == items[0]


def test_groups_keep_profiles_apart_and_treat_no_namespace_as_any() -> None:
    doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x{ns}}}\n"
    a = load_text(doc.format(ns=", namespace: a"), "f", "dev").resources[0]
    b = load_text(doc.format(ns=", namespace: b"), "f", "dev").resources[0]
    none = load_text(doc.format(ns=""), "f", "dev").resources[0]
    other = load_text(doc.format(ns=", namespace: a"), "f", "oke").resources[0]
    assert dapr_model.same_group(a, none) and dapr_model.same_group(none, b)
    assert not dapr_model.same_group(a, b)
    assert not dapr_model.same_group(a, other)


@pytest.mark.parametrize(
    ("text", "nanos"),
    [
        (".5s", 500_000_000),
        ("1.s", 1_000_000_000),
        ("2µs", 2_000),
        ("0.1ns", 0),  # Go keeps whole nanoseconds of a fraction
        ("-9223372036854775808ns", -(1 << 63)),
        ("2562047h47m16.854775807s", (1 << 63) - 1),
        ("2562047h47m16.854775808s", None),  # one nanosecond past int64
        ("2562048h", None),
        ("1" * 5000 + "s", None),
        ("0" * 40 + "1s", 1_000_000_000),
        (" 5s", None),
        ("1h 30m", None),
        ("٣s", None),  # a non-ASCII digit
        ("1d", None),
        (".s", None),
    ],
)
def test_go_duration_nanoseconds_follow_time_parseduration(text: str, nanos: int | None) -> None:
    assert durations.go_duration_ns(text) == nanos
