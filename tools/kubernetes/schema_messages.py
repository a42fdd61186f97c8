"""Schema errors in words: each raw validator error becomes a :class:`SchemaIssue` whose
message names fields, types and the schema's own allowed values, never a value from the
document."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PathParts = tuple[str | int, ...]


@dataclass(frozen=True)
class SchemaIssue:
    """One schema error: where in the document, and what is wrong, without the value."""

    path: PathParts
    message: str
    keyword: str
    field: str | None = None
    suggestion: str | None = None


@dataclass(frozen=True)
class RawError:
    path: PathParts
    keyword: str
    node: Mapping[str, Any]
    branches: tuple[tuple[RawError, ...], ...] = ()


def describe_path(path: Sequence[str | int]) -> str:
    """``spec.metadata[2].value`` for a JSON path; ``(top level)`` for the document itself."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out or "(top level)"


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true/false)",
    "null": "null",
}


def _value_at(doc: Any, path: Sequence[str | int]) -> tuple[bool, Any]:
    node = doc
    for part in path:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            return False, None
        node = node[part]
    return True, node


def _declared_types(node: Mapping[str, Any]) -> list[str]:
    declared = node.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [str(t) for t in declared]
    return []


def _expected_words(types: Sequence[str]) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in types if t != "null"] or ["null"]
    return " or ".join(words)


def _did_you_mean(name: str, allowed: Sequence[str]) -> str | None:
    lowered = {a.lower(): a for a in allowed}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.75)
    return close[0] if close else None


def _allowed_list(names: Sequence[str], limit: int = 12) -> str:
    shown = sorted(names)
    if len(shown) > limit:
        return ", ".join(shown[:limit]) + f", ... ({len(shown)} in all)"
    return ", ".join(shown)


def explain(raw: RawError, doc: Any, original: Any = None) -> Iterator[SchemaIssue]:
    """Describe one raw error of ``doc``; ``original`` is the document before null pruning."""
    where = describe_path(raw.path)
    found, value = _value_at(doc, raw.path)
    node = raw.node
    keyword = raw.keyword

    if keyword == "additionalProperties" and isinstance(value, dict):
        properties = node.get("properties")
        allowed = list(properties) if isinstance(properties, Mapping) else []
        extra = node.get("additionalProperties")
        if extra is False:
            for name in value:
                if str(name) in allowed:
                    continue
                field = str(name)
                guess = _did_you_mean(field, allowed)
                hint = f' — did you mean "{guess}"?' if guess else ""
                listing = f" (allowed: {_allowed_list(allowed)})" if allowed else " (no fields)"
                yield SchemaIssue(
                    (*raw.path, field),
                    f'{where}: unknown field "{field}"{hint}{listing}',
                    keyword,
                    field,
                    guess,
                )
            return
        yield SchemaIssue(
            raw.path, f"{where}: an entry of this mapping has the wrong shape", keyword
        )
        return

    if keyword == "required" and isinstance(value, dict):
        required = node.get("required")
        for name in required if isinstance(required, list) else ():
            if name in value:
                continue
            _, before = _value_at(original, raw.path) if original is not None else (False, None)
            if isinstance(before, dict) and name in before:
                message = (
                    f'{where}: required field "{name}" is empty (null); the API server drops '
                    "null fields, so give it a value"
                    + (" (an empty list is written [])" if _is_list_field(node, name) else "")
                )
            else:
                message = f'{where}: missing required field "{name}"'
            yield SchemaIssue(raw.path, message, keyword, str(name))
        return

    if keyword == "type":
        expected = _declared_types(node)
        actual = type_name(value) if found else "nothing"
        message = f"{where}: must be {_expected_words(expected)}, not {_article(actual)}"
        if value is None and found:
            message = (
                f"{where}: is empty (null) but must be {_expected_words(expected)}; "
                "give it a value or remove the field"
            )
        elif "string" in expected and isinstance(value, bool | int | float):
            message += "; quote the value in YAML"
        yield SchemaIssue(raw.path, message, keyword)
        return

    if keyword == "enum":
        options = node.get("enum")
        shown = ", ".join(json.dumps(o) for o in options) if isinstance(options, list) else "?"
        yield SchemaIssue(
            raw.path, f"{where}: value is not one of the allowed values: {shown}", keyword
        )
        return

    if keyword == "const":
        yield SchemaIssue(raw.path, f"{where}: must be {json.dumps(node.get('const'))}", keyword)
        return

    if keyword in ("oneOf", "anyOf"):
        yield SchemaIssue(raw.path, f"{where}: {_explain_alternatives(raw, value)}", keyword)
        return

    bound = node.get(keyword)
    simple = {
        "minimum": f"must be at least {bound}",
        "maximum": f"must be at most {bound}",
        "exclusiveMinimum": f"must be greater than {bound}",
        "exclusiveMaximum": f"must be less than {bound}",
        "multipleOf": f"must be a multiple of {bound}",
        "minLength": "must not be empty" if bound == 1 else f"must be at least {bound} characters",
        "maxLength": f"must be at most {bound} characters",
        "minItems": "must not be empty" if bound == 1 else f"must have at least {bound} items",
        "maxItems": f"must have at most {bound} items",
        "minProperties": f"must have at least {bound} entries",
        "maxProperties": f"must have at most {bound} entries",
        "uniqueItems": "has duplicate items",
        "pattern": f"does not match the pattern {bound}",
        "format": f"is not a valid {bound}",
        "not": "is not allowed here",
    }
    if keyword in simple:
        yield SchemaIssue(raw.path, f"{where}: {simple[keyword]}", keyword)
        return
    yield SchemaIssue(raw.path, f'{where}: does not satisfy the schema ("{keyword}")', keyword)


def _is_list_field(node: Mapping[str, Any], name: str) -> bool:
    properties = node.get("properties")
    field = properties.get(name) if isinstance(properties, Mapping) else None
    return isinstance(field, Mapping) and "array" in _declared_types(field)


def _article(type_word: str) -> str:
    if type_word in ("null", "nothing"):
        return type_word
    return ("an " if type_word[0] in "aeiou" else "a ") + type_word


def _explain_alternatives(raw: RawError, value: Any) -> str:
    """Name the forms allowed when a value matches none of oneOf/anyOf (or several of oneOf)."""
    alternatives = raw.node.get(raw.keyword)
    if not isinstance(alternatives, list):
        return "does not match any allowed form"
    types: list[str] = []
    for branch in alternatives:
        declared = _declared_types(branch) if isinstance(branch, Mapping) else []
        types.extend(t for t in declared if t not in types)
    if types and type_name(value) not in ("mapping", "list"):
        return f"must be {_expected_words(types)}, not {_article(type_name(value))}"
    return "does not match any of the allowed forms"
