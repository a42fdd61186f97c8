"""tools.kubernetes.names: the apimachinery v0.34 name formats, written without regular
expressions."""

from __future__ import annotations

import time

import pytest

from tools.kubernetes import names as n
from tools.kubernetes.names import (
    config_map_key_errors,
    dns1123_label_errors,
    dns1123_subdomain_errors,
    label_value_errors,
    name_is_dns_subdomain_errors,
    qualified_name_errors,
    relaxed_env_var_name_errors,
)


def test_dns1123_label() -> None:
    assert dns1123_label_errors("a" * 63) == []
    assert dns1123_label_errors("0-a") == []
    assert dns1123_label_errors("a" * 64) == ["must be no more than 63 characters"]
    assert dns1123_label_errors("a.b") == ["must not contain dots"]
    for bad in ("", "-a", "a-", "A", "a_b"):
        (message,) = dns1123_label_errors(bad)
        assert message.startswith("a lowercase RFC 1123 label must consist of"), bad


def test_dns1123_subdomain() -> None:
    assert dns1123_subdomain_errors("a" * 253) == []
    assert dns1123_subdomain_errors("kafka-pubsub.todo.svc") == []
    assert dns1123_subdomain_errors("a" * 254) == ["must be no more than 253 characters"]
    for bad in ("", "Kafka_PubSub", "a..b", ".a", "a."):
        assert len(dns1123_subdomain_errors(bad)) == 1, bad
    assert name_is_dns_subdomain_errors("prefix-", prefix=True) == []
    assert name_is_dns_subdomain_errors("prefix-") != []


def test_qualified_name() -> None:
    for good in ("app", "app.kubernetes.io/name", "A_b.c-D", "x" * 63):
        assert qualified_name_errors(good) == (), good
    assert qualified_name_errors("/a") == ("prefix part must be non-empty",)
    assert qualified_name_errors("a/") != ()
    assert len(qualified_name_errors("a/b/c")) == 1
    assert qualified_name_errors("x" * 64) == ("name part must be no more than 63 characters",)
    assert any(m.startswith("prefix part") for m in qualified_name_errors("Ex.com/a"))
    assert qualified_name_errors("bad key!") != ()


def test_label_value() -> None:
    assert label_value_errors("") == ()
    assert label_value_errors("v" * 63) == ()
    assert label_value_errors("v" * 64) == ("must be no more than 63 characters",)
    assert len(label_value_errors("-v")) == 1


def test_config_map_key() -> None:
    assert config_map_key_errors(".dockerconfigjson") == []
    assert config_map_key_errors("tls.crt") == []
    assert config_map_key_errors("..data") == ["must not start with '..'"]
    assert config_map_key_errors(".") == ["must not be '.'"]
    assert len(config_map_key_errors("a/b")) == 1
    assert len(config_map_key_errors("")) == 1
    assert config_map_key_errors("k" * 254) == ["must be no more than 253 characters"]


def test_relaxed_env_var_name() -> None:
    assert relaxed_env_var_name_errors("1 weird.NAME-with spaces") == []
    assert len(relaxed_env_var_name_errors("A=B")) == 1
    assert len(relaxed_env_var_name_errors("tab\there")) == 1
    assert len(relaxed_env_var_name_errors("caf\u00e9")) == 1


def test_linear_on_huge_values() -> None:
    value = "a-" * 500_000 + "!"
    start = time.perf_counter()
    for check in (dns1123_label_errors, dns1123_subdomain_errors, qualified_name_errors):
        assert check(value)
    assert label_value_errors(value) and config_map_key_errors(value)
    assert time.perf_counter() - start < 2


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
def test_dns1123_label_cases(value: str, valid: bool) -> None:
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
def test_dns1123_subdomain_cases(value: str, valid: bool) -> None:
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
def test_qualified_name_cases(value: str, valid: bool) -> None:
    assert (n.qualified_name_errors(value) == ()) is valid


def test_label_values() -> None:
    assert n.label_value_errors("") == ()
    assert n.label_value_errors("v" * 63) == ()
    assert n.label_value_errors("v" * 64) == ("must be no more than 63 characters",)
    assert n.label_value_errors("my_value.1") == ()
    assert n.label_value_errors("-v") != ()


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


def test_cached_checks_return_results_no_caller_can_change() -> None:
    first = n.qualified_name_errors("bad key!")
    assert isinstance(first, tuple) and first
    assert n.qualified_name_errors("bad key!") is first
    assert isinstance(n.label_value_errors("-v"), tuple)
    assert n.label_value_errors("-v") == n.label_value_errors("-v")
