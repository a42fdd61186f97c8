"""One Kubernetes-shaped document, where it came from, and the line of any path inside it.

Kept apart from the loader (tools/core/resources.py) so that findings and the duplicate-key
check can name the type without importing the loader that builds findings from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml

from tools.core.yaml_keys import key_identity
from tools.core.yaml_text import SafeLoader

IGNORE_ANNOTATION = "todo-dapr.io/ignore"


def parse_suppressions(annotations: object) -> dict[str, str]:
    """Read ``todo-dapr.io/ignore`` into {rule-or-category: reason}.

    Several entries may be separated by ``;`` or newlines: ``rule-a=reason one; security=why``.
    """
    if not isinstance(annotations, dict):
        return {}
    raw = annotations.get(IGNORE_ANNOTATION)
    if not isinstance(raw, str):
        return {}
    result: dict[str, str] = {}
    for entry in raw.replace("\n", ";").split(";"):
        key, _, reason = entry.partition("=")
        key = key.strip()
        if key:
            result[key] = reason.strip() or "no reason given"
    return result


@dataclass(eq=False)
class Resource:
    """One Kubernetes-shaped document and where it came from.

    Its identity (apiVersion, kind, metadata, name, namespace) is read from ``doc`` once: the
    rules ask for it many times, and a loaded document is never changed.
    """

    doc: dict[str, Any]
    file: str
    line: int
    text: str = field(repr=False)
    template: str | None = None
    profile: str | None = None
    index: int = 0
    _key_index: dict[int, dict[str, tuple[int, yaml.Node]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @cached_property
    def api_version(self) -> str:
        value = self.doc.get("apiVersion")
        return value if isinstance(value, str) else ""

    @cached_property
    def kind(self) -> str:
        value = self.doc.get("kind")
        return value if isinstance(value, str) else ""

    @cached_property
    def metadata(self) -> dict[str, Any]:
        value = self.doc.get("metadata")
        return value if isinstance(value, dict) else {}

    @cached_property
    def name(self) -> str:
        value = self.metadata.get("name")
        return value if isinstance(value, str) else ""

    @cached_property
    def namespace(self) -> str | None:
        value = self.metadata.get("namespace")
        return value if isinstance(value, str) else None

    @cached_property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0]

    @cached_property
    def suppressions(self) -> dict[str, str]:
        return parse_suppressions(self.metadata.get("annotations"))

    def ref(self) -> dict[str, str | None]:
        return {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "name": self.name,
            "namespace": self.namespace,
        }

    def label(self) -> str:
        return f"{self.kind or '?'}/{self.name or '?'}"

    @cached_property
    def _nodes(self) -> yaml.Node | None:
        try:
            return yaml.compose(self.text, Loader=SafeLoader)
        except yaml.YAMLError:
            return None

    def _keys(self, node: yaml.MappingNode) -> dict[str, tuple[int, yaml.Node]]:
        """A mapping node's keys -> (line of the key, value node), built once per node, so
        that one finding per key of a large mapping costs linear time, not quadratic."""
        index = self._key_index.get(id(node))
        if index is None:
            index = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    # A duplicate key's last value is the one loaded: point at it.
                    identity = key_identity(key)
                    name = identity if isinstance(identity, str) else key.value
                    index[name] = (key.start_mark.line, value)
            self._key_index[id(node)] = index
        return index

    def line_of(self, path: Sequence[str | int]) -> int:
        """1-based line of the deepest node on ``path`` that exists in the source."""
        node = self._nodes
        if node is None:
            return self.line
        offset = self.line - 1
        best = node.start_mark.line
        for part in path:
            child: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                entry = self._keys(node).get(str(part))
                if entry is not None:
                    best, child = entry
            elif (
                isinstance(node, yaml.SequenceNode)
                and isinstance(part, int)
                and 0 <= part < len(node.value)
            ):
                child = node.value[part]
                best = child.start_mark.line
            if child is None:
                break
            node = child
        return offset + best + 1
