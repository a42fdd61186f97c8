"""YAML text to Python data through libyaml's parser.

libyaml reads what the Go YAML library behind Helm and daprd reads, including a tab after a
value that PyYAML's pure-Python scanner refuses, and it is several times faster: the chart's
commented values.yaml is read on every render. The pure-Python loader is the fallback only for
a PyYAML built without libyaml (every wheel the project installs has it).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

__all__ = ["SafeLoader", "load"]

_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_ScalarNode = yaml.ScalarNode
_MappingNode = yaml.MappingNode
# The first characters of a plain scalar that some implicit resolver (int, float, bool, null,
# timestamp, merge, value) may claim; any other plain scalar is a string. The shortcuts hold
# while no resolver claims any first character and none is keyed by path: the safe loader's.
_TYPED_FIRST = frozenset(key for key in _BaseLoader.yaml_implicit_resolvers if key)
_SHORTCUTS = None not in _BaseLoader.yaml_implicit_resolvers and not _BaseLoader.yaml_path_resolvers
# Plain scalars seen before and their tags: manifests repeat a few (ports, "TCP", "true").
_PLAIN_TAGS: dict[str, str] = {}
_PLAIN_TAGS_MAX = 4096
_PLAIN_TAG_MAX_LENGTH = 32
# The safe resolver's own answer, for what the shortcuts below do not settle.
_resolve: Callable[[Any, type[yaml.Node], Any, tuple[bool, bool]], Any] = _BaseLoader.resolve


class SafeLoader(_BaseLoader):
    """The safe loader, with the tag of a plain scalar found without a regular expression when
    its first character rules every typed resolver out, and remembered for short ones.

    The tags are those the safe resolver gives: it has no path resolvers, so a mapping and a
    sequence get the default tags, and a scalar that no implicit resolver claims (or a quoted
    one) is a string.
    """

    if _SHORTCUTS:
        # The composer calls these two around every node, to follow the paths that path
        # resolvers match; with none, a builtin whose answer is ignored is the cheapest call
        # (called as descend_resolver(parent, index) and ascend_resolver()).
        descend_resolver = staticmethod(operator.is_)  # type: ignore[assignment]
        ascend_resolver = staticmethod(tuple)  # type: ignore[assignment]

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if not _SHORTCUTS:
            return str(_resolve(self, kind, value, implicit))
        if kind is not _ScalarNode:
            return _MAP_TAG if kind is _MappingNode else _SEQ_TAG
        if not implicit[0] or (value and value[0] not in _TYPED_FIRST):
            return _STR_TAG
        tag = _PLAIN_TAGS.get(value)
        if tag is None:
            tag = str(_resolve(self, kind, value, implicit))
            if len(value) <= _PLAIN_TAG_MAX_LENGTH and len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                _PLAIN_TAGS[value] = tag
        return tag


class _Loader(SafeLoader):
    """A value its tag cannot build (``!!bool hunter2``) makes PyYAML raise KeyError,
    ValueError and the like, some with the value in the message: here it is a YAML error that
    names the tag and the line, never the value (it may be a secret)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise yaml.constructor.ConstructorError(
                None, None, f"the value tagged {tag} is not valid for its tag", node.start_mark
            ) from None


def load(text: str) -> Any:
    """One YAML document, with the safe constructors only; raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_Loader)
