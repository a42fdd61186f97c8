"""A container's `resources.requests` or `resources.limits`:

- a value that is not a Kubernetes quantity (`1 GB`, `500MB`, `1.5.0`): digits with an
  optional sign and decimal point, then `Ki`…`Ei`, `n`, `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`
  or an exponent (`1e9`; one beyond the 64-bit range does not decode either);
- a negative quantity;
- a `cpu`, `memory` or `ephemeral-storage` request above the limit of the same resource.

Quantities are compared as the API server decodes and defaults them: exactly (`1000m` equals
`1`, `1024Mi` equals `1Gi`, `1e999999` is far above `1`), a value finer than a milli-unit
rounded up to the next one (`1.5n` and `1m` are both `1m`), a binary-suffixed value capped at
2^63-1 (`9Ei` equals `8Ei`), and an exponent taken as Go's `int32` of it. Only a quantity
with more than 1000 significant digits, or an exponent at the edge of the `int32` range, is
not judged.

## Why

The schema accepts any string or number for a quantity.

## What happens in the cluster

The apply fails: `spec.containers[0].resources.requests: Invalid value: "200m": must be less
than or equal to cpu limit of 100m`, or, for text that is not a quantity, the request cannot
be decoded (`quantities must match the regular expression
'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`).

## How to fix

Write quantities as `100m`, `0.5`, `64Mi`, `1Gi`, and keep each request at or below its limit.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `validateResourceRequirements`,
`ValidateResourceQuantityValue`, `ValidateNonnegativeQuantity`; the quantity format of
k8s.io/apimachinery `pkg/api/resource/quantity.go` (`ParseQuantity`: the nano round-up, the
`BinarySI` cap; `Quantity.Cmp`, `Quantity.RoundUp`) and `suffix.go`
(`suffixHandler.interpret`: the exponent parsed as an int64, kept as an int32);
`pkg/apis/core/v1/defaults.go`: `SetDefaults_ResourceList` (the round-up to milli-units).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods
from tools.rules.kubernetes._quantity import PATTERN, Unknown, parse_quantity

Path = tuple[str | int, ...]
# Resources that may be overcommitted: a request below its limit is fine, above it is not.
COMPARED = ("cpu", "memory", "ephemeral-storage")
# A decoded quantity: mantissa * 10**exponent, exact (the exponent may be far too big to expand).
Amount = tuple[Fraction, int]
MAX_DIGITS = 1000  # a quantity with more significant digits is not judged
_INT32 = 2**31
_BINARY_CAP = 2**63 - 1  # maxAllowed in quantity.go, for BinarySI values
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DIGITS = frozenset("0123456789")


def _wrap32(number: int) -> int:
    """Go's int32(number)."""
    return (number + _INT32) % (2 * _INT32) - _INT32


def _text(raw: Any) -> str | None:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return None
    return (repr(raw) if isinstance(raw, float) else str(raw)).strip()


def _parse(text: str) -> tuple[Amount, bool] | None:
    """ParseQuantity on text the shared parser leaves unknown (long, or a huge exponent): the
    exact amount and whether it is binary-suffixed, or None when it does not decode."""
    if not text:
        return None
    sign = -1 if text[0] == "-" else 1
    body = text[1:] if text[0] in "+-" else text
    end = 0
    while end < len(body) and (body[end] in _DIGITS or body[end] == "."):
        end += 1
    whole, _, fraction = body[:end].partition(".")
    if "." in fraction:
        return None
    # Significant digits only: 1 followed by 1000 zeros is 1e1000.
    digits = (whole + fraction).lstrip("0")
    significant = digits.rstrip("0")
    if len(significant) > MAX_DIGITS:
        raise Unknown
    scale = len(digits) - len(significant) - len(fraction)
    mantissa = Fraction(sign * int(significant or "0"))
    suffix = body[end:]
    if suffix in _BINARY:
        return (mantissa * 2 ** _BINARY[suffix], scale), True
    if suffix in _DECIMAL:
        return (mantissa, scale + _DECIMAL[suffix]), False
    exponent_text = suffix[1:]
    digits = exponent_text[1:] if exponent_text[:1] in ("+", "-") else exponent_text
    if suffix[:1] not in ("e", "E") or not digits or not _DIGITS.issuperset(digits):
        return None
    magnitude = digits.lstrip("0") or "0"
    if len(magnitude) > 19:
        return None  # beyond int64: strconv.ParseInt fails
    exponent = -int(magnitude) if exponent_text[0] == "-" else int(magnitude)
    if not -(2**63) <= exponent < 2**63:
        return None  # strconv.ParseInt fails: the suffix is not understood
    exponent = _wrap32(exponent)
    if abs(exponent) > _INT32 - 2 * len(text):
        raise Unknown  # the int32 scale arithmetic of inf.Dec may wrap: not modelled
    return (mantissa, scale + exponent), False


def _round_milli(amount: Amount) -> Amount:
    """Rounds a value that is not a whole number of milli-units away from zero, as
    SetDefaults_ResourceList does (after ParseQuantity's own round-up to nano-units, which this
    covers)."""
    mantissa, exponent = amount
    if mantissa == 0:
        return Fraction(0), 0
    shift = exponent + 3
    if shift > mantissa.denominator.bit_length():
        return amount  # 10**shift is a multiple of the denominator (a power of 2 and 5)
    if shift < -mantissa.numerator.bit_length():  # |mantissa| < 2**bits <= 10**-shift
        whole = 1  # smaller than one milli-unit in magnitude
    else:
        scaled = abs(mantissa) * Fraction(10) ** shift
        whole = -(-scaled.numerator // scaled.denominator)
    return Fraction(whole if mantissa > 0 else -whole), -3


def _decode(raw: Any) -> Amount | None:
    """The quantity as the API server holds it, or None when it does not decode.

    Raises :class:`Unknown` when not judged."""
    try:
        value = parse_quantity(raw)
    except Unknown:
        text = _text(raw)
        if text is None:
            raise
        parsed = _parse(text)
        if parsed is None:
            return None
        amount, binary = parsed
    else:
        if value is None:
            return None
        text = _text(raw) or ""
        amount, binary = (value, 0), text.endswith(tuple(_BINARY))
    # ParseQuantity caps a binary amount at 2**63-1; the cap is a whole number, so rounding to
    # milli-units after it gives what rounding before it would.
    mantissa = amount[0]
    if binary and mantissa != 0 and _magnitude_order(amount, (Fraction(_BINARY_CAP), 0)) > 0:
        amount = Fraction(_BINARY_CAP if mantissa > 0 else -_BINARY_CAP), 0
    return _round_milli(amount)


def _magnitude_order(a: Amount, b: Amount) -> int:
    """-1, 0 or 1 as |a| is below, equal to or above |b| (both not zero), exactly, without
    expanding a huge power of ten."""
    (ma, ea), (mb, eb) = (abs(a[0]), a[1]), (abs(b[0]), b[1])
    shift = ea - eb
    # log10 of a magnitude lies between -(bits of its denominator) and bits of its numerator.
    if shift > ma.denominator.bit_length() + mb.numerator.bit_length():
        return 1
    if -shift > mb.denominator.bit_length() + ma.numerator.bit_length():
        return -1
    left, right = (ma * 10**shift, mb) if shift >= 0 else (ma, mb * 10**-shift)
    return (left > right) - (left < right)


def _greater(a: Amount, b: Amount) -> bool:
    """a > b, as Quantity.Cmp decides."""
    if a[0] == 0 or b[0] == 0 or (a[0] > 0) != (b[0] > 0):
        return a[0] > b[0]
    order = _magnitude_order(a, b)
    return order > 0 if a[0] > 0 else order < 0


def _quantities(path: Path, block: Any) -> Iterator[tuple[str, Amount | None, str | None, Path]]:
    """(resource, amount or None when not judged, error message, path) for each entry."""
    for name, raw in f.as_dict(block).items():
        where = (*path, name)
        try:
            value = _decode(raw)
        except Unknown:
            yield str(name), None, None, where
            continue
        if value is None:
            if raw is None:
                continue
            detail = f"quantities must match the regular expression '{PATTERN}'"
            yield str(name), None, f.invalid((*path, f.Key(str(name))), raw, detail), where
        elif value[0] < 0:
            yield (
                str(name),
                value,
                f.invalid((*path, f.Key(str(name))), raw, "must be greater than or equal to 0"),
                where,
            )
        else:
            yield str(name), value, None, where


def _container(container: _pods.Container) -> Iterator[tuple[str, Path]]:
    resources = f.as_dict(container.body.get("resources"))
    base = (*container.path, "resources")
    limits: dict[str, Amount] = {}
    for name, value, error, where in _quantities((*base, "limits"), resources.get("limits")):
        if error:
            yield error, where
        elif value is not None:
            limits[name] = value
    requests = resources.get("requests")
    for name, value, error, where in _quantities((*base, "requests"), requests):
        if error:
            yield error, where
        elif (
            value is not None
            and name in COMPARED
            and name in limits
            and _greater(value, limits[name])
        ):
            shown = f.as_dict(requests).get(name)
            limit = f.as_dict(resources.get("limits")).get(name)
            detail = f"must be less than or equal to {name} limit of {limit}"
            yield f.invalid((*base, "requests"), str(shown), detail), where


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    for message, where in _pods.each_container(resource, _container):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-resources",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="container resources: valid quantities, not negative, requests at most limits",
    check=check,
    kinds=_pods.KINDS,
)
