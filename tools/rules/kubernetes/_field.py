"""Messages in the API server's shape (``field.Error`` from k8s.io/apimachinery): the field path,
the error type, the value, the detail. Values are shortened so a hostile one cannot flood the
output, after what looks secret in them is masked; callers never pass secret contents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any, TypeGuard

from tools.redaction.masking import shortened

Path = Sequence[str | int]


class Key(str):
    """A map key in a path: shown as ``data[key]``, as Go's ``field.Path.Key`` does."""

    __slots__ = ()


def describe_path(path: Path) -> str:
    """``spec.egress[0].ports[1].port``, ``data[tls.key]``: Go's ``field.Path`` format."""
    out = ""
    for part in path:
        if isinstance(part, Key | int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_SHOWN = 80


def brief(value: Any, limit: int = _SHOWN) -> str:
    """``value`` as text cut at ``limit`` characters and "...", what looks secret masked first."""
    return shortened(str(value), limit)


def show(value: Any) -> str:
    """A value as Go's field errors print it: strings quoted, numbers bare."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(brief(value))


def invalid(path: Path, value: Any, detail: str) -> str:
    return f"{describe_path(path)}: Invalid value: {show(value)}: {detail}"


def required(path: Path, detail: str = "") -> str:
    return f"{describe_path(path)}: Required value" + (f": {detail}" if detail else "")


def not_supported(path: Path, value: Any, supported: Iterable[str]) -> str:
    choices = ", ".join(json.dumps(s) for s in supported)
    return f"{describe_path(path)}: Unsupported value: {show(value)}: supported values: {choices}"


def forbidden(path: Path, detail: str) -> str:
    return f"{describe_path(path)}: Forbidden: {detail}"


def duplicate(path: Path, value: Any) -> str:
    return f"{describe_path(path)}: Duplicate value: {show(value)}"


def not_found(path: Path, value: Any) -> str:
    return f"{describe_path(path)}: Not found: {show(value)}"


def too_long(path: Path, limit: int) -> str:
    return (
        f"{describe_path(path) if path else '<object>'}: Too long: must have at most {limit} bytes"
    )


def is_int(value: Any) -> TypeGuard[int]:
    """An integer as JSON decodes it (YAML booleans are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
