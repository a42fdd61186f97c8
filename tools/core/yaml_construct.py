"""One YAML document's text to Python data, with its duplicate keys and bounded expansion.

Each document is composed with libyaml's safe loader into a node tree, which is kept for the
duplicate-key check and built into data directly for plain manifests (the fast path), or by
PyYAML's safe constructor for documents with tags or merge keys.

A value its tag cannot build (``!!bool hunter2``, ``!!timestamp x``) is a BadValue that names
the line and the tag, never the value: it may be a secret.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from tools.core.duplicate_keys import NO_DUPLICATES, Duplicates, duplicate_keys
from tools.core.yaml_keys import SCALAR_CONSTRUCTORS, STR_TAG, TAG_PREFIX, json_key
from tools.core.yaml_text import SafeLoader

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_COLLECTION_TAGS = frozenset(TAG_PREFIX + name for name in ("map", "seq", "set", "omap", "pairs"))
_ScalarNode = yaml.ScalarNode
_MappingNode = yaml.MappingNode
_SequenceNode = yaml.SequenceNode


class BadValue(Exception):
    """A node its tag cannot build (``!!bool hunter2``): named by tag and line only."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__(node.tag)
        self.node = node

    def describe(self, start: int) -> tuple[str, int]:
        """The message (no value: it may be a secret) and the line, for a document that
        starts on line ``start``."""
        tag = self.node.tag
        short = f"!!{tag[len(TAG_PREFIX) :]}" if tag.startswith(TAG_PREFIX) else tag
        line = start + self.node.start_mark.line
        return (
            f"YAML value tagged {short} on line {line} is not a valid {short} value (the value "
            "is not shown; it may be a secret); fix or remove the tag",
            line,
        )


class _NotPlain(Exception):
    """The document uses something the fast constructor leaves to PyYAML (tags, merge keys)."""


class _Plain:
    """Build Python data from a libyaml node tree, as SafeLoader would for plain manifests.

    PyYAML's own constructor spends most of its time in generic bookkeeping; manifests only
    use maps, lists, strings, numbers, booleans and nulls, so those are built directly and
    anything else (explicit tags, merge keys, timestamps) is handed back to SafeLoader.
    Aliases resolve to the same object, as with SafeLoader, so they cost nothing to build.
    A scalar is built where it is met, without a call of its own: most nodes are scalars.
    """

    def __init__(self) -> None:
        self.memo: dict[int, Any] = {}
        self.has_duplicate = False

    def build(self, node: yaml.Node) -> Any:
        kind = type(node)
        if kind is _ScalarNode:
            return node.value if node.tag == STR_TAG else _scalar(node)
        key = id(node)
        if key in self.memo:
            return self.memo[key]
        if kind is _MappingNode and node.tag == _MAP_TAG:
            return self._mapping(node, key)
        if kind is _SequenceNode and node.tag == _SEQ_TAG:
            sequence: list[Any] = []
            self.memo[key] = sequence
            build = self.build
            for item in node.value:
                if type(item) is _ScalarNode and item.tag == STR_TAG:
                    sequence.append(item.value)
                else:
                    sequence.append(build(item))
            return sequence
        raise _NotPlain(node.tag)

    def _mapping(self, node: yaml.Node, key: int) -> dict[Any, Any]:
        mapping: dict[Any, Any] = {}
        self.memo[key] = mapping
        build = self.build
        for key_node, value_node in node.value:
            if type(key_node) is not _ScalarNode:
                raise _NotPlain("complex key")
            if key_node.tag == STR_TAG:
                key_data = key_node.value
            else:
                key_data = _scalar(key_node)
                if type(key_data) is not str:
                    key_data = json_key(key_data, key_node)
            if type(value_node) is _ScalarNode and value_node.tag == STR_TAG:
                mapping[key_data] = value_node.value
            else:
                mapping[key_data] = build(value_node)
        if len(mapping) != len(node.value):
            self.has_duplicate = True
        return mapping


def _scalar(node: yaml.Node) -> Any:
    """A scalar of a tag other than str: int, bool, null or float, else not plain."""
    build = SCALAR_CONSTRUCTORS.get(node.tag)
    if build is None:
        raise _NotPlain(node.tag)
    try:
        return build(node)
    except Exception:
        raise BadValue(node) from None


class _Constructor(SafeConstructor):
    """PyYAML's safe constructor, for documents with tags or merge keys, with two changes:
    a node its tag cannot build is a BadValue whatever the constructor raised, and mapping
    keys are the API server's JSON keys (the last value of a key written twice wins)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag in _COLLECTION_TAGS:
            # Their constructors fail later, outside this call, with no tag to name.
            raise BadValue(node)
        try:
            return super().construct_object(node, deep)
        except (BadValue, RecursionError):
            raise
        except Exception:
            raise BadValue(node) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # a !!set written as a sequence
            return super().construct_mapping(node, deep)
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found unhashable key",
                    key_node.start_mark,
                ) from None
            mapping[json_key(key, key_node)] = self.construct_object(value_node, deep=deep)
        return mapping


def parse_document(chunk: str) -> tuple[Any, Duplicates]:
    """The document's data (a duplicate key's last value wins) and its duplicate keys."""
    node = yaml.compose(chunk, Loader=SafeLoader)
    if node is None:
        return None, NO_DUPLICATES
    if node.tag in {_MAP_TAG, _SEQ_TAG, STR_TAG}:
        plain = _Plain()
        try:
            doc = plain.build(node)
        except _NotPlain:
            pass
        else:
            return doc, duplicate_keys(node) if plain.has_duplicate else NO_DUPLICATES
    # Before constructing: merge keys are flattened into the node tree as it is built.
    duplicates = duplicate_keys(node)
    return _Constructor().construct_document(node), duplicates


def expanded_size(root: object, limit: int) -> int:
    """Count nodes as if every alias were expanded; stop once past ``limit``."""
    memo: dict[int, int] = {}

    def size(node: object) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        memo[key] = limit + 1  # a cycle counts as unbounded
        total = 1
        if isinstance(node, dict):
            for k, v in node.items():
                total += size(k) + size(v)
                if total > limit:
                    break
        elif isinstance(node, list):
            for item in node:
                total += size(item)
                if total > limit:
                    break
        memo[key] = total
        return total

    return size(root)
