"""tools.kubernetes.network: ports and the 1.34 (legacy, sloppy) CIDR parsing."""

from __future__ import annotations

from tools.kubernetes.network import (
    cidr_warnings,
    parse_cidr_sloppy,
    parse_ipv4_sloppy,
    parse_ipv6,
    port_name_errors,
    port_number_errors,
)


def test_ports() -> None:
    assert port_number_errors(1) == port_number_errors(65535) == []
    assert port_number_errors(0) == ["must be between 1 and 65535, inclusive"]
    assert port_name_errors("http-metrics") == []
    assert port_name_errors("a" * 15) == []
    assert port_name_errors("a" * 16) == ["must be no more than 15 characters"]
    assert port_name_errors("53") == ["must contain at least one letter (a-z)"]


def test_ipv4_allows_leading_zeros_read_as_decimal() -> None:
    assert parse_ipv4_sloppy("010.001.000.255") == (10 << 24) | (1 << 16) | 255
    for bad in ("1.2.3", "1.2.3.4.", "1.2.3.256", "1..2.3", "a.b.c.d", ""):
        assert parse_ipv4_sloppy(bad) is None, bad


def test_ipv6_forms() -> None:
    assert parse_ipv6("::") == 0
    assert parse_ipv6("::1") == 1
    assert parse_ipv6("2001:db8::") == 0x20010DB8 << 96
    assert parse_ipv6("::ffff:1.2.3.4") == (0xFFFF << 32) | 0x01020304
    for bad in ("1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", ":1", "1:"):
        assert parse_ipv6(bad) is None, bad


def test_cidrs() -> None:
    for good in ("10.0.0.0/8", "0.0.0.0/0", "::/0", "2001:db8::/32", "10.0.0.0/024"):
        assert parse_cidr_sloppy(good) is not None, good
    for bad in (
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0",
        "10.0.0.0/",
        "10.0.0.0/8/8",
        "x/8",
        "10.0.0.0/255.0.0.0",
        "10.0.0.0/ 8",
    ):
        assert parse_cidr_sloppy(bad) is None, bad
    assert parse_cidr_sloppy("1" * 1000) is None


def test_containment_follows_go() -> None:
    outer = parse_cidr_sloppy("10.0.0.0/8")
    assert outer is not None
    inside, other, ipv6 = (parse_cidr_sloppy(t) for t in ("10.9.0.0/16", "11.0.0.0/8", "::/0"))
    assert inside and other and ipv6
    assert outer.contains_network_of(inside)
    assert not outer.contains_network_of(other)
    assert not outer.contains_network_of(ipv6)


def test_warnings() -> None:
    clean = parse_cidr_sloppy("2001:db8::/32")
    assert clean is not None and cidr_warnings(clean) == []
    host = parse_cidr_sloppy("192.168.1.5/24")
    assert host is not None
    (message,) = cidr_warnings(host)
    assert message == (
        'CIDR value "192.168.1.5/24" is ambiguous in this context (should be "192.168.1.0/24" '
        'or "192.168.1.5/32"?)'
    )
    zeros = parse_cidr_sloppy("010.0.0.0/8")
    assert zeros is not None
    assert cidr_warnings(zeros) == [
        'non-standard CIDR value "010.0.0.0/8" will be considered invalid in a future '
        'Kubernetes release: use "10.0.0.0/8"'
    ]


def test_leading_zeros_of_any_length_parse_in_linear_time() -> None:
    import time

    start = time.perf_counter()
    long_zeros = parse_cidr_sloppy("0" * 200_000 + "1::/64")
    assert long_zeros is not None and cidr_warnings(long_zeros)
    assert parse_cidr_sloppy("1." * 200_000 + "1/8") is None
    assert time.perf_counter() - start < 2
