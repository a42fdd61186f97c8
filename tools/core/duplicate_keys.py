"""Keys written twice in one mapping, as ``yaml-duplicate-key`` findings naming both lines.

Kubernetes' strict decoding refuses such a document, and a lenient reader keeps the last value
without a word. Keys are compared as the API server's JSON compares them (tools/core/yaml_keys).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from tools.core.findings import Finding, Severity, json_pointer
from tools.core.yaml_keys import key_identity

if TYPE_CHECKING:
    from tools.core.resource import Resource

# Duplicate keys reported per document; the rest are counted in the last message.
MAX_DUPLICATES_REPORTED = 20

_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Duplicate:
    key: str
    first_line: int  # 0-based, inside the document
    line: int
    path: tuple[str | int, ...]


# The first MAX_DUPLICATES_REPORTED duplicates of a document, by line, and how many there are.
Duplicates = tuple[list[Duplicate], int]
NO_DUPLICATES: Duplicates = ([], 0)

# A path as a linked list (part, parent): one tuple per node, however deep the document.
_Link = tuple[str | int, "_Link"] | None


def _path(link: _Link) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    while link is not None:
        part, link = link
        parts.append(part)
    return tuple(reversed(parts))


def duplicate_keys(root: yaml.Node) -> Duplicates:
    """Keys written twice in one mapping, anywhere in the node tree: the first
    MAX_DUPLICATES_REPORTED found, by line, and how many there are. Iterative (a deep document
    must not exhaust the stack) and each node once (aliases share nodes)."""
    found: list[Duplicate] = []
    total = 0
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, _Link]] = [(root, None)]
    while stack:
        node, link = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children: list[tuple[yaml.Node, _Link]] = []
        if isinstance(node, yaml.MappingNode):
            first: dict[object, yaml.ScalarNode] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    children.append((value_node, link))
                    continue
                child: _Link = (key_node.value, link)
                earlier = first.setdefault(key_identity(key_node), key_node)
                if earlier is not key_node:
                    total += 1
                if earlier is not key_node and total <= MAX_DUPLICATES_REPORTED:
                    found.append(
                        Duplicate(
                            key_node.value,
                            earlier.start_mark.line,
                            key_node.start_mark.line,
                            _path(child),
                        )
                    )
                children.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            children = [(item, (index, link)) for index, item in enumerate(node.value)]
        stack.extend(reversed(children))  # document order: a shared node gets its first path
    found.sort(key=lambda d: d.line)
    return found, total


def duplicate_findings(
    duplicates: Duplicates,
    file: str,
    start: int,
    resource: Resource | None,
    template: str | None,
) -> list[Finding]:
    found, total = duplicates
    findings = []
    for number, d in enumerate(found, start=1):
        more = total - len(found) if number == len(found) else 0
        findings.append(
            Finding(
                rule="yaml-duplicate-key",
                category="syntax",
                severity=Severity.ERROR,
                message=(
                    f'key "{d.key}" is written twice in one mapping: first on line '
                    f"{start + d.first_line}, again on line {start + d.line}; Kubernetes' "
                    "strict decoding refuses the document and a lenient reader keeps only the "
                    "last value"
                    + (
                        f" ({more} more duplicate keys in this document are not listed)"
                        if more
                        else ""
                    )
                ),
                file=file,
                line=start + d.line,
                path=json_pointer(d.path),
                resource=resource,
                template=template,
            )
        )
    return findings
