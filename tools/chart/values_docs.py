"""One source for the values documentation: the ``# --`` comments in values.yaml.

A ``# --`` comment (helm-docs' marker) directly above a key in values.yaml documents that key; it
may go on over more ``#`` lines at the same indentation. values.schema.json carries the same text
as that property's ``description`` (editors show it; the chart README's values table prints it).
``python -m tools docs`` copies every such comment into the schema and ``--check`` reports each key
where the two differ, so they cannot drift. Keys without a ``# --`` comment are left as they are:
a new value needs nothing here until someone documents it. A ``# --`` comment inside a list item
names no schema property and is ignored.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

MARK = re.compile(r"^(?P<indent> *)# --(?: (?P<text>.*))?$")
MORE = re.compile(r"^(?P<indent> *)#(?: (?P<text>.*))?$")
KEY = re.compile(r"^(?P<indent> *)(?P<item>- +)?(?P<key>[A-Za-z0-9_][A-Za-z0-9_.-]*):(?: |$)")


@dataclass(frozen=True)
class Documented:
    """A key's ``# --`` comment: the key's path and line in values.yaml, the text as one line."""

    path: tuple[str, ...]
    text: str
    line: int


def _one_line(text: str) -> str:
    return " ".join(text.split())


def documented(values_text: str) -> Iterator[Documented]:
    """Every ``# --`` comment of values.yaml with the key path it stands above."""
    stack: list[tuple[int, str | None]] = []  # (indent, key); None marks a list item
    pending: tuple[int, list[str]] | None = None
    for number, line in enumerate(values_text.splitlines(), 1):
        mark = MARK.match(line)
        if mark:
            pending = (len(mark["indent"]), [mark["text"] or ""])
            continue
        more = MORE.match(line)
        if more:
            if pending and len(more["indent"]) == pending[0]:
                pending[1].append(more["text"] or "")
            else:
                pending = None
            continue
        key = KEY.match(line)
        if not key:
            pending = None
            continue
        indent = len(key["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if key["item"]:
            stack.append((indent, None))
            indent += len(key["item"])
        stack.append((indent, key["key"]))
        path = tuple(k for _, k in stack if k is not None)
        if pending and pending[0] == indent and len(path) == len(stack):
            yield Documented(path, _one_line(" ".join(pending[1])), number)
        pending = None


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        if isinstance(target, dict):
            return _resolve({**target, **{k: v for k, v in node.items() if k != "$ref"}}, root)
    return node


def _child(node: dict[str, Any], key: str, root: dict[str, Any]) -> dict[str, Any] | None:
    """The schema node of property ``key`` of ``node`` (the node itself, not its $ref target)."""
    resolved = _resolve(node, root)
    props = resolved.get("properties")
    if isinstance(props, dict) and isinstance(props.get(key), dict):
        return props[key]  # type: ignore[no-any-return]
    patterns = resolved.get("patternProperties")
    if isinstance(patterns, dict):
        for pattern, sub in patterns.items():
            if re.search(pattern, key) and isinstance(sub, dict):
                return sub
    extra = resolved.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _describe(node: dict[str, Any], text: str) -> None:
    """Set the description; a new one goes right after ``type``/``$ref``, where readers look."""
    if "description" in node:
        node["description"] = text
        return
    items = list(node.items())
    at = next((i + 1 for i, (k, _) in enumerate(items) if k in ("type", "$ref")), 0)
    items.insert(at, ("description", text))
    node.clear()
    node.update(items)


@dataclass(frozen=True)
class Sync:
    """The schema with every documented description in place, and what had to change."""

    schema: dict[str, Any]
    changed: list[str]
    unknown: list[str]


def sync(schema: dict[str, Any], values_text: str) -> Sync:
    """Copy each ``# --`` comment into the description of the property it documents."""
    synced = copy.deepcopy(schema)
    changed: list[str] = []
    unknown: list[str] = []
    for doc in documented(values_text):
        node: dict[str, Any] | None = synced
        for key in doc.path:
            node = _child(node, key, synced) if node is not None else None
        name = ".".join(doc.path)
        if node is None:
            unknown.append(f"values.yaml:{doc.line}: `{name}` is not in values.schema.json")
            continue
        if _one_line(str(node.get("description", ""))) != doc.text:
            _describe(node, doc.text)
            changed.append(name)
    return Sync(synced, changed, unknown)


def render(schema: dict[str, Any]) -> str:
    """values.schema.json as the project writes it (see tools/importers/chart_schema.py)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
