"""Kubernetes resource quantities (``resource.ParseQuantity``) as exact fractions.

Grammar: an optional sign, digits with at most one '.', then a suffix: a binary SI suffix
(Ki..Ei), a decimal SI suffix (n, u, m, k, M, G, T, P, E or none) or an exponent (e/E and a
signed integer). As in Go, an empty number reads as zero ("Mi", "+" and "." are 0). Parsing is
a single pass over a bounded string; exponents beyond what any real quantity uses are reported
as "unknown" rather than computed.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Final

MAX_TEXT: Final = 64
MAX_EXPONENT: Final = 64
PATTERN: Final = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_BINARY: Final = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL: Final = {
    "n": -9,
    "u": -6,
    "m": -3,
    "": 0,
    "k": 3,
    "M": 6,
    "G": 9,
    "T": 12,
    "P": 15,
    "E": 18,
}
_DIGITS: Final = frozenset("0123456789")


class Unknown(Exception):
    """Well-formed, but too large to compute exactly here; the caller skips comparisons."""


def _number(text: str) -> Fraction | None:
    """Digits with at most one '.'; either side may be empty (Go reads "", "." and "5." too)."""
    whole, _, fraction = text.partition(".")
    if "." in fraction or not _DIGITS.issuperset(whole + fraction):
        return None
    value = Fraction(int(whole or "0"))
    return value + Fraction(int(fraction), 10 ** len(fraction)) if fraction else value


def parse_quantity(value: Any) -> Fraction | None:
    """The quantity's value, or None when the API server cannot decode it.

    Raises :class:`Unknown` for a well-formed value too large to handle exactly.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = repr(value) if isinstance(value, float) else str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()  # UnmarshalJSON trims surrounding space
    if len(value) > MAX_TEXT:
        raise Unknown
    if not value:
        return None
    sign = -1 if value.startswith("-") else 1
    body = value[1:] if value[0] in "+-" else value
    end = 0
    while end < len(body) and (body[end] in _DIGITS or body[end] == "."):
        end += 1
    number = _number(body[:end])
    if number is None:
        return None
    suffix = body[end:]
    if suffix in _BINARY:
        return sign * number * Fraction(2 ** _BINARY[suffix])
    if suffix in _DECIMAL:
        return sign * number * Fraction(10) ** _DECIMAL[suffix]
    if len(suffix) > 1 and suffix[0] in "eE":
        exponent_text = suffix[1:]
        digits = exponent_text[1:] if exponent_text[0] in "+-" else exponent_text
        if not digits or not _DIGITS.issuperset(digits):
            return None
        exponent = int(exponent_text)
        if abs(exponent) > MAX_EXPONENT:
            raise Unknown
        return sign * number * Fraction(10) ** exponent
    return None
