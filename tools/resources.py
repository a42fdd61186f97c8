"""Turn YAML streams into Resources, with file, line and chart template, and bounded parsing.

Documents are split on ``---`` lines and each is parsed with libyaml's safe loader (the fast
path). Line numbers inside a document are found only when a finding asks for one, by composing
that document's node tree; a clean document is never composed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from tools.findings import Finding, Severity, parse_suppressions
from tools.yaml_text import SafeLoader

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000

_STR_TAG = "tag:yaml.org,2002:str"
_SAFE = SafeConstructor()
_SCALAR_CONSTRUCTORS = {
    "tag:yaml.org,2002:int": _SAFE.construct_yaml_int,
    "tag:yaml.org,2002:bool": _SAFE.construct_yaml_bool,
    "tag:yaml.org,2002:null": _SAFE.construct_yaml_null,
    "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
}

_SEPARATOR = re.compile(r"^(?:---|\.\.\.)(?:\s|$)")
_SOURCE_PREFIX = "# Source: "


@dataclass(eq=False)
class Resource:
    """One Kubernetes-shaped document and where it came from."""

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

    @property
    def api_version(self) -> str:
        value = self.doc.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.doc.get("kind")
        return value if isinstance(value, str) else ""

    @property
    def metadata(self) -> dict[str, Any]:
        value = self.doc.get("metadata")
        return value if isinstance(value, dict) else {}

    @property
    def name(self) -> str:
        value = self.metadata.get("name")
        return value if isinstance(value, str) else ""

    @property
    def namespace(self) -> str | None:
        value = self.metadata.get("namespace")
        return value if isinstance(value, str) else None

    @property
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
                if isinstance(key, yaml.ScalarNode) and key.value not in index:
                    index[key.value] = (key.start_mark.line, value)
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


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _input_finding(rule: str, message: str, file: str, line: int | None, category: str) -> Finding:
    return Finding(
        rule=rule,
        category=category,
        severity=Severity.ERROR,
        message=message,
        file=file,
        line=line,
    )


def _split(text: str) -> Iterator[tuple[int, str, str | None]]:
    """Yield (first line number, document text, template) for each document in a stream.

    The text of each document starts at the line after its separator, and blank lines are
    kept so that libyaml's marks count from the right line.
    """
    start = 1
    template: str | None = None
    buf: list[str] = []
    for number, raw in enumerate(text.splitlines(keepends=True), start=1):
        if _SEPARATOR.match(raw):
            if buf:
                yield start, "".join(buf), template
            buf = []
            template = None
            start = number + 1
            rest = raw[3:].strip()
            if rest and not rest.startswith("#"):
                # `--- {inline: doc}` keeps its content on the separator line.
                buf.append(rest + "\n")
                start = number
            continue
        if template is None and raw.startswith(_SOURCE_PREFIX):
            # Helm's "# Source: <template path>" comment (string operations: a pattern with
            # a lazy group and trailing spaces is quadratic in a long line of spaces)
            path = raw[len(_SOURCE_PREFIX) :].rstrip()
            if path and not path[0].isspace():
                template = path
        buf.append(raw)
    if buf:
        yield start, "".join(buf), template


class _NotPlain(Exception):
    """The document uses something the fast constructor leaves to PyYAML (tags, merge keys)."""


def _construct(node: yaml.Node, memo: dict[int, Any]) -> Any:
    """Build Python data from a libyaml node tree, as SafeLoader would for plain manifests.

    PyYAML's own constructor spends most of its time in generic bookkeeping; manifests only
    use maps, lists, strings, numbers, booleans and nulls, so those are built directly and
    anything else (explicit tags, merge keys, timestamps) is handed back to SafeLoader.
    Aliases resolve to the same object, as with SafeLoader, so they cost nothing to build.
    """
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _STR_TAG:
            return node.value
        build = _SCALAR_CONSTRUCTORS.get(node.tag)
        if build is None:
            raise _NotPlain(node.tag)
        return build(node)
    key = id(node)
    if key in memo:
        return memo[key]
    if isinstance(node, yaml.MappingNode) and node.tag == "tag:yaml.org,2002:map":
        mapping: dict[Any, Any] = {}
        memo[key] = mapping
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _NotPlain("complex key")
            mapping[_construct(key_node, memo)] = _construct(value_node, memo)
        return mapping
    if isinstance(node, yaml.SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        sequence: list[Any] = []
        memo[key] = sequence
        sequence.extend(_construct(item, memo) for item in node.value)
        return sequence
    raise _NotPlain(node.tag)


def _parse(chunk: str) -> Any:
    node = yaml.compose(chunk, Loader=SafeLoader)
    if node is None:
        return None
    if node.tag not in {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", _STR_TAG}:
        return yaml.load(chunk, Loader=SafeLoader)
    try:
        return _construct(node, {})
    except _NotPlain:
        return yaml.load(chunk, Loader=SafeLoader)


def _expanded_size(root: object, limit: int) -> int:
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


def _is_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def load_bytes(
    data: bytes, file: str, profile: str | None = None, *, result: LoadResult | None = None
) -> LoadResult:
    """Parse a YAML stream given as bytes into Resources and input findings."""
    result = result if result is not None else LoadResult()
    if len(data) > MAX_FILE_BYTES:
        result.findings.append(
            _input_finding(
                "input-too-large",
                f"file is {len(data)} bytes, over the {MAX_FILE_BYTES}-byte limit; "
                "split it into smaller files",
                file,
                None,
                "syntax",
            )
        )
        return result
    if _is_binary(data):
        result.findings.append(
            _input_finding(
                "input-not-text",
                "file is binary (it contains NUL bytes), not YAML",
                file,
                None,
                "syntax",
            )
        )
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        result.findings.append(
            _input_finding(
                "input-not-text",
                "file is not valid UTF-8 text; YAML must be UTF-8",
                file,
                line,
                "syntax",
            )
        )
        return result
    return load_text(text, file, profile, result=result)


def load_text(
    text: str, file: str, profile: str | None = None, *, result: LoadResult | None = None
) -> LoadResult:
    """Parse a YAML stream given as text into Resources and input findings."""
    result = result if result is not None else LoadResult()
    index = 0
    for start, chunk, template in _split(text):
        if not chunk.strip():
            continue
        if len(chunk) > MAX_DOCUMENT_BYTES:
            result.findings.append(
                _input_finding(
                    "input-too-large",
                    f"document is over {MAX_DOCUMENT_BYTES} bytes; Kubernetes objects are "
                    "limited to about 1.5 MB, so this is not a manifest",
                    file,
                    start,
                    "syntax",
                )
            )
            continue
        try:
            doc = _parse(chunk)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = start + mark.line if mark is not None else start
            problem = exc.problem or "invalid YAML"
            context = f" ({exc.context})" if exc.context else ""
            result.findings.append(
                _input_finding(
                    "yaml-syntax", f"YAML syntax error: {problem}{context}", file, line, "syntax"
                )
            )
            continue
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            result.findings.append(
                _input_finding(
                    "yaml-syntax",
                    f"YAML could not be read: {type(exc).__name__}",
                    file,
                    start,
                    "syntax",
                )
            )
            continue
        if doc is None:
            continue
        if "*" in chunk and _expanded_size(doc, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
            result.findings.append(
                _input_finding(
                    "yaml-alias-bomb",
                    f"document expands to over {MAX_EXPANDED_NODES} nodes through YAML aliases "
                    "(a YAML bomb?); it was not checked",
                    file,
                    start,
                    "syntax",
                )
            )
            continue
        if not isinstance(doc, dict):
            result.findings.append(
                _input_finding(
                    "not-an-object",
                    f"document is a {_kind_of(doc)}, not a Kubernetes object (a mapping with "
                    "apiVersion and kind)",
                    file,
                    _first_content_line(chunk, start),
                    "syntax",
                )
            )
            continue
        result.resources.append(
            Resource(
                doc=doc,
                file=file,
                line=start,
                text=chunk,
                template=template,
                profile=profile,
                index=index,
            )
        )
        index += 1
    return result


def _first_content_line(chunk: str, start: int) -> int:
    for offset, raw in enumerate(chunk.splitlines()):
        stripped = raw.strip()
        if stripped and not stripped.startswith("#"):
            return start + offset
    return start


def _kind_of(doc: object) -> str:
    if isinstance(doc, list):
        return "list"
    if isinstance(doc, str):
        return "string"
    if isinstance(doc, bool):
        return "boolean"
    if isinstance(doc, int | float):
        return "number"
    return type(doc).__name__
