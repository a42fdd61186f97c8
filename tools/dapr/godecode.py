"""How Go code turns a metadata string into a typed value, and why a string fails.

A decoder is named ``<how>:<go type>``:

- ``mapstructure:<type>``: dapr/kit ``metadata.DecodeMetadata`` (mapstructure with
  ``WeaklyTypedInput`` and kit's hooks). Integers: ``strconv.ParseInt``/``ParseUint`` with base 0
  (``0x``/``0o``/``0b``/leading-``0`` octal prefixes and ``_`` separators allowed) at the
  field's bit size, an empty string is 0; floats: ``ParseFloat``; ``bool``: kit
  ``IsTruthy`` (never an error: anything else is false); ``duration``: ``time.ParseDuration``,
  else a base-10 ``int64`` number of **seconds** (an empty string is 0).
- ``strconv:<type>``: the component calls strconv itself with base 10 (``Atoi`` is
  ``strconv:int``); ``strconv:bool`` is ``ParseBool`` (only 1/t/T/TRUE/true/True and the
  false forms).
- ``millis:uint32``: a bare integer is **milliseconds** (``ParseUint(v, 10, 32)``), anything
  else a Go duration (Kafka ``consumeRetryInterval``).
- ``config:<type>``: dapr/kit ``config.Decode`` (``config/decode.go``, ``decodeString``), used
  by ``retry.DecodeConfigWithPrefix`` for the ``backOff…`` keys: base-10 numbers at the
  field's size, ``ParseBool``, and a duration that is ``Atoi``-able is **milliseconds**,
  otherwise ``time.ParseDuration``; an empty value is an error.
"""

from __future__ import annotations

import math

from tools.dapr.durations import parse_go_duration
from tools.dapr.metadata_values import TRUTHY

_BITS = {"int": 64, "int8": 8, "int16": 16, "int32": 32, "int64": 64}
_UBITS = {"uint": 64, "uint8": 8, "uint16": 16, "uint32": 32, "uint64": 64}
_FLOATS = {"float32": 3.4028234663852886e38, "float64": math.inf}
STRICT_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
STRICT_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})
MAX_NANOS = 2**63 - 1
DECODERS = frozenset(
    {f"mapstructure:{t}" for t in (*_BITS, *_UBITS, *_FLOATS, "bool", "duration")}
    | {f"strconv:{t}" for t in (*_BITS, *_UBITS, "bool")}
    | {"millis:uint32", "time:duration"}
    | {f"config:{t}" for t in (*_BITS, *_UBITS, *_FLOATS, "bool", "duration")}
)


def _digits(text: str, base: int, underscores: bool) -> int | None:
    if not text:
        return None
    if "_" in text:
        if not underscores or text.startswith("_") or text.endswith("_") or "__" in text:
            return None
        text = text.replace("_", "")
    try:
        return int(text, base)
    except ValueError:
        return None


def _go_int(text: str, base0: bool) -> int | None:
    """strconv.ParseInt's magnitude parse (base 0 or 10), sign included; None if invalid."""
    sign, body = 1, text
    if body[:1] in {"+", "-"}:
        sign, body = (-1 if body[0] == "-" else 1), body[1:]
    if not base0:
        return None if not body.isdigit() or not body.isascii() else sign * int(body)
    lowered = body[:2].lower()
    prefixes = {"0x": 16, "0o": 8, "0b": 2}
    if lowered in prefixes:
        rest = body[2:].removeprefix("_")
        value = _digits(rest, prefixes[lowered], True)
    elif len(body) > 1 and body[0] == "0":
        value = _digits(body[1:].removeprefix("_"), 8, True)
    else:
        value = _digits(body, 10, True) if body[:1].isdigit() else None
    return None if value is None else sign * value


def _int_problem(text: str, go_type: str, base0: bool) -> str | None:
    if text == "" and base0:
        return None  # mapstructure reads an empty string as 0
    signed = go_type in _BITS
    bits = _BITS[go_type] if signed else _UBITS[go_type]
    if not signed and text.startswith(("-", "+")):
        return f"is not a {go_type} (no sign allowed)"
    value = _go_int(text, base0)
    if value is None:
        return f"is not a whole number that Go parses as {go_type}"
    low, high = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    if not low <= value <= high:
        return f"is out of range for {go_type} ({low}..{high})"
    return None


def _float_problem(text: str, go_type: str) -> str | None:
    if text == "":
        return None
    body = text.replace("_", "") if "_" in text and text[:2].lower() == "0x" else text
    try:
        value = float(body)
    except ValueError:
        return f"is not a number Go parses as {go_type}"
    if body.strip() != body or "_" in body:
        return f"is not a number Go parses as {go_type}"
    if math.isfinite(value) and abs(value) > _FLOATS[go_type]:
        return f"is out of range for {go_type}"
    return None


def _duration_nanos(text: str) -> float | None:
    seconds = parse_go_duration(text)
    return None if seconds is None else seconds * 1e9


def _duration_problem(text: str) -> str | None:
    if text == "":
        return None
    nanos = _duration_nanos(text)
    if nanos is None:
        body = text[1:] if text[:1] in {"+", "-"} else text
        if not body.isdigit() or not body.isascii():
            return (
                "is not a duration Go parses: write a Go duration such as '30s' or '5m' "
                "(at most about 292 years, Go's time.Duration limit), or a whole number of "
                "seconds"
            )
        seconds = int(text)
        if abs(seconds) > 2**63 - 1:
            return "is out of range for a 64-bit number of seconds"
        if abs(seconds) * 10**9 > MAX_NANOS:
            return (
                "is more seconds than a Go time.Duration holds (about 292 years), so the "
                "multiplication into nanoseconds overflows"
            )
        return None
    if abs(nanos) > MAX_NANOS:
        return "is longer than a Go time.Duration holds (about 292 years)"
    return None


def _config_problem(go_type: str, text: str) -> str | None:
    if text == "":
        return "is empty, which kit config decoding refuses"
    if go_type == "duration":
        if _go_int(text, False) is not None:
            if abs(int(text)) * 10**6 > MAX_NANOS:
                return (
                    "is more milliseconds than a Go time.Duration holds, so the "
                    "multiplication into nanoseconds overflows"
                )
            return None  # a bare number: milliseconds
        return _duration_problem(text)
    if go_type == "bool":
        if text in STRICT_TRUE or text in STRICT_FALSE:
            return None
        return "is not a boolean strconv.ParseBool accepts (1, t, true, 0, f, false...)"
    if go_type in _FLOATS:
        return _float_problem(text, go_type)
    return _int_problem(text, go_type, False)


# Problems whose value is used anyway, changed: the component starts with something else.
_SILENT = ("read as false", "overflows", "does not apply it")


def is_silent(problem: str) -> bool:
    """Whether the component starts anyway with a different value (rather than failing)."""
    return any(marker in problem for marker in _SILENT)


def decode_problem(decoder: str, text: str) -> str | None:
    """Why ``text`` fails (or silently changes) under ``decoder``, or None when it decodes."""
    how, _, go_type = decoder.partition(":")
    if decoder not in DECODERS:
        raise ValueError(f"unknown decoder {decoder!r}")
    if text == "" and how in {"strconv", "millis", "time"}:
        return None  # the components skip an empty value before parsing it
    if how == "time":
        if parse_go_duration(text) is not None:
            return None
        return (
            "is not a duration time.ParseDuration accepts (such as 300ms, 1.5h or 2h45m; a "
            "bare number other than 0 is refused)"
        )
    if how == "config":
        return _config_problem(go_type, text)
    if how == "millis":
        if _go_int(text, False) is not None:  # strconv.Atoi accepts it: milliseconds
            if text[:1] in {"+", "-"}:
                return "is not an unsigned 32-bit number of milliseconds"
            return _int_problem(text, "uint32", False)
        return _duration_problem(text)
    if go_type == "bool":
        if how == "strconv":
            if text in STRICT_TRUE or text in STRICT_FALSE:
                return None
            return (
                "is not a boolean strconv.ParseBool accepts (1, t, true, TRUE, True, 0, f, "
                "false...); the component does not apply it"
            )
        lowered = text.strip().lower()
        if lowered in TRUTHY or lowered in {"", "n", "no", "false", "f", "off", "0"}:
            return None
        return "is not a boolean; it is read as false (only y/yes/true/t/on/1 mean true)"
    if go_type == "duration":
        return _duration_problem(text)
    if go_type in _FLOATS:
        return _float_problem(text, go_type)
    return _int_problem(text, go_type, how == "mapstructure")
