"""The name formats of tools/k8s_names.py against cases written from apimachinery's validation."""

from __future__ import annotations

import time

import pytest

from tools import k8s_names as n


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("a", True),
        ("0", True),
        ("my-name", True),
        ("123-abc", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("", False),
        ("-a", False),
        ("a-", False),
        ("A", False),
        ("a.b", False),
        ("a_b", False),
        ("é", False),
    ],
)
def test_dns1123_label(value: str, valid: bool) -> None:
    assert (n.dns1123_label_errors(value) == []) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("example.com", True),
        ("a" * 253, True),
        ("a" * 254, False),
        ("a..b", False),
        (".a", False),
        ("a.", False),
        ("a.-b", False),
        ("Kafka_PubSub", False),
        ("", False),
    ],
)
def test_dns1123_subdomain(value: str, valid: bool) -> None:
    assert (n.dns1123_subdomain_errors(value) == []) is valid


def test_dns1035_label_starts_with_a_letter() -> None:
    assert n.dns1035_label_errors("abc-123") == []
    assert n.dns1035_label_errors("1abc") != []


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("MyName", True),
        ("my.name", True),
        ("123-abc", True),
        ("example.com/MyName", True),
        ("app.kubernetes.io/name", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("/name", False),
        ("example.com/", False),
        ("a/b/c", False),
        ("Example.com/name", False),
        ("bad key!", False),
        ("_x", False),
    ],
)
def test_qualified_name(value: str, valid: bool) -> None:
    assert (n.qualified_name_errors(value) == []) is valid


def test_label_values() -> None:
    assert n.label_value_errors("") == []
    assert n.label_value_errors("v" * 63) == []
    assert n.label_value_errors("v" * 64) == ["must be no more than 63 characters"]
    assert n.label_value_errors("my_value.1") == []
    assert n.label_value_errors("-v") != []


def test_path_segment_names() -> None:
    assert n.path_segment_name_errors("system:auth-delegator") == []
    assert n.path_segment_name_errors("..") == ["may not be '..'"]
    assert n.path_segment_name_errors("a/b%c") == ["may not contain '/'", "may not contain '%'"]


def test_mask_trailing_dash() -> None:
    assert n.mask_trailing_dash("todo-") == "toda"
    assert n.mask_trailing_dash("-") == "-"


def test_huge_values_are_checked_in_linear_time() -> None:
    value = "a-" * 500_000 + "!"
    start = time.perf_counter()
    for check in (n.dns1123_label_errors, n.dns1123_subdomain_errors, n.qualified_name_errors):
        assert check(value)
    assert time.perf_counter() - start < 2.0
