"""Ports and CIDRs as the Kubernetes 1.34 API server reads them.

Ports follow ``IsValidPortNum`` and ``IsValidPortName`` (k8s.io/apimachinery v0.34,
``pkg/util/validation/validation.go``). CIDRs follow the "legacy field" parsing NetworkPolicy
``ipBlock`` uses in 1.34 (``IsValidCIDRForLegacyField`` with strict validation off: the
``StrictIPCIDRValidation`` gate is alpha and off by default), which is ``ParseCIDRSloppy`` from
k8s.io/utils/net: Go's pre-1.17 ``net.ParseCIDR``, where IPv4 octets and the prefix length may
carry leading zeros and the address may have bits set beyond the prefix. Those forms are
accepted; :func:`cidr_warnings` names them the way ``GetWarningsForCIDR`` does.

The parsers below are written out by hand (Python's ``ipaddress`` refuses leading zeros and
accepts forms Go does not, such as netmasks and zones); each is one pass over a bounded string.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

PORT_NAME_MAX: Final = 15
_BIG: Final = 0xFFFFFF  # Go's dtoi/xtoi give up at this value
_PORT_NAME_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_LETTERS: Final = frozenset("abcdefghijklmnopqrstuvwxyz")
_HEX: Final = frozenset("0123456789abcdefABCDEF")

PROTOCOLS: Final = ("TCP", "UDP", "SCTP")


def port_number_errors(port: int) -> list[str]:
    """``IsValidPortNum``."""
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


def port_name_errors(name: str) -> list[str]:
    """``IsValidPortName``: an IANA service name (at most 15 of a-z, 0-9 and '-')."""
    errors = []
    if len(name) > PORT_NAME_MAX:
        errors.append(f"must be no more than {PORT_NAME_MAX} characters")
    if not name or not _PORT_NAME_CHARS.issuperset(name):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not any(c in _LETTERS for c in name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def _decimal(text: str) -> tuple[int, int]:
    """Go's ``dtoi``: (value, digits consumed); consumed 0 means no number."""
    value = 0
    for i, c in enumerate(text):
        if not "0" <= c <= "9":
            return value, i
        value = value * 10 + ord(c) - 48
        if value >= _BIG:
            return -1, 0
    return value, len(text)


def _hex(text: str) -> tuple[int, int]:
    """Go's ``xtoi``."""
    value = 0
    for i, c in enumerate(text):
        if c not in _HEX:
            return value, i
        value = value * 16 + int(c, 16)
        if value >= _BIG:
            return -1, 0
    return value, len(text)


def parse_ipv4_sloppy(text: str) -> int | None:
    """Four decimal octets; leading zeros are read as decimal (never octal)."""
    value = 0
    for i in range(4):
        if i > 0:
            if not text.startswith("."):
                return None
            text = text[1:]
        octet, used = _decimal(text)
        if used == 0 or octet > 0xFF:
            return None
        value = (value << 8) | octet
        text = text[used:]
    return value if not text else None


def parse_ipv6(text: str) -> int | None:
    """Go's IPv6 parser: hex groups, one '::', an optional dotted IPv4 tail; no zone."""
    groups: list[int] = []  # 16-bit groups, an IPv4 tail counting as two
    ellipsis = -1
    if text.startswith("::"):
        ellipsis = 0
        text = text[2:]
        if not text:
            return 0
    while len(groups) < 8:
        number, used = _hex(text)
        if used == 0 or number > 0xFFFF:
            return None
        if used < len(text) and text[used] == ".":
            if (ellipsis < 0 and len(groups) != 6) or len(groups) > 6:
                return None
            ipv4 = parse_ipv4_sloppy(text)
            if ipv4 is None:
                return None
            groups += [ipv4 >> 16, ipv4 & 0xFFFF]
            text = ""
            break
        groups.append(number)
        text = text[used:]
        if not text:
            break
        if text[0] != ":" or len(text) == 1:
            return None
        text = text[1:]
        if text[0] == ":":
            if ellipsis >= 0:
                return None
            ellipsis = len(groups)
            text = text[1:]
            if not text:
                break
    if text:
        return None
    if len(groups) < 8:
        if ellipsis < 0:
            return None
        groups = groups[:ellipsis] + [0] * (8 - len(groups)) + groups[ellipsis:]
    elif ellipsis >= 0:
        return None
    value = 0
    for group in groups:
        value = (value << 16) | group
    return value


@dataclass(frozen=True)
class Cidr:
    """A parsed CIDR: the address as written, its family width and the prefix length."""

    text: str
    address: int
    bits: int  # 32 or 128
    prefix: int

    @property
    def mask(self) -> int:
        return ((1 << self.bits) - 1) ^ ((1 << (self.bits - self.prefix)) - 1)

    @property
    def network(self) -> int:
        return self.address & self.mask

    def network_text(self) -> str:
        return _text(self.network, self.bits, self.prefix)

    def contains_network_of(self, other: Cidr) -> bool:
        """Go's ``IPNet.Contains(other's network address)``: an IPv4 or IPv4-mapped network
        compares as IPv4 over the last 32 bits of its mask; families must then match."""
        own = _as_ipv4(self.network, self.bits)
        mask = self.mask
        if own is None:
            own, own_v4 = self.network, False
        else:
            mask, own_v4 = mask & 0xFFFFFFFF, True
        theirs = _as_ipv4(other.network, other.bits)
        if theirs is None:
            theirs, their_v4 = other.network, False
        else:
            their_v4 = True
        return own_v4 == their_v4 and own & mask == theirs & mask


def _as_ipv4(value: int, bits: int) -> int | None:
    """Go's ``IP.To4``: an IPv4 address, or the IPv4 inside ``::ffff:a.b.c.d``."""
    if bits == 32:
        return value
    return value & 0xFFFFFFFF if value >> 32 == 0xFFFF else None


def _text(address: int, bits: int, prefix: int | None = None) -> str:
    if bits == 32:
        out = str(ipaddress.IPv4Address(address))
    else:
        out = ipaddress.IPv6Address(address).compressed
    return out if prefix is None else f"{out}/{prefix}"


def parse_cidr_sloppy(text: str) -> Cidr | None:
    """``ParseCIDRSloppy``; None when the API server would say it is not a valid CIDR."""
    address_text, slash, prefix_text = text.partition("/")
    if not slash:
        return None
    bits = 32
    address = parse_ipv4_sloppy(address_text)
    if address is None:
        bits = 128
        address = parse_ipv6(address_text)
    prefix, used = _decimal(prefix_text)
    if address is None or used == 0 or used != len(prefix_text) or prefix > bits:
        return None
    return Cidr(text, address, bits, prefix)


def cidr_warnings(cidr: Cidr) -> list[str]:
    """``GetWarningsForCIDR``: accepted today, but ambiguous or due to be refused later."""
    shown = cidr.text if len(cidr.text) <= 80 else cidr.text[:80] + "..."
    warnings = []
    if cidr.address != cidr.network:
        warnings.append(
            f'CIDR value "{shown}" is ambiguous in this context (should be '
            f'"{cidr.network_text()}" or "{_text(cidr.address, cidr.bits, cidr.bits)}"?)'
        )
    prefix_text = cidr.text.partition("/")[2]
    standard = prefix_text == str(cidr.prefix) and not (
        cidr.bits == 128 and cidr.address >> 32 == 0xFFFF
    )
    if standard:
        try:
            ipaddress.ip_network(cidr.text, strict=False)
        except ValueError:
            standard = False  # leading zeros in an octet, or an over-long IPv6 group
    if not standard:
        warnings.append(
            f'non-standard CIDR value "{shown}" will be considered invalid in a future '
            f'Kubernetes release: use "{cidr.network_text()}"'
        )
    return warnings


def parse_ip_sloppy(text: str) -> tuple[int, bool] | None:
    """``ParseIPSloppy``: (the address as a 128-bit IPv4-mapped or IPv6 value, is IPv4 as Go's
    ``To4`` sees it), or None when it is not an IP address."""
    v4 = parse_ipv4_sloppy(text)
    if v4 is not None:
        return (0xFFFF << 32) | v4, True
    v6 = parse_ipv6(text)
    if v6 is None:
        return None
    return v6, v6 >> 32 == 0xFFFF
