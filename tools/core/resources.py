"""Turn YAML streams into Resources, with file, line and chart template, and bounded parsing.

Documents are split on ``---`` lines and each is parsed with libyaml's safe loader (the fast
path). Line numbers inside a document are found only when a finding asks for one, by composing
that document's node tree; a clean document is never composed.

A key written twice in one mapping is an error finding that names both lines: Kubernetes'
strict decoding refuses the document, and a lenient reader keeps the last value without a word.
The document is still loaded (last value wins, as those readers do) and the rules run on it, so
one typo does not hide every other problem in the resource. Keys are compared, and kept, as
the API server sees them once sigs.k8s.io/yaml has turned the YAML into JSON: as strings, so
``1`` and ``"1"`` are one key, and ``true`` is the key ``"true"`` (never Python's ``True == 1``).

A value its tag cannot build (``!!bool hunter2``, ``!!timestamp x``) makes the document a
``yaml-syntax`` finding that names the line and the tag, never the value: it may be a secret.
"""

from __future__ import annotations

import math
import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from tools.core.findings import Finding, Severity, json_pointer, parse_suppressions
from tools.core.yaml_text import SafeLoader

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000
# Across one LoadResult (one validate run): every document's data is held for the rules that
# look across resources, and a tiny document costs about a kilobyte once loaded.
MAX_DOCUMENTS = 200_000
# Duplicate keys reported per document; the rest are counted in the last message.
MAX_DUPLICATES_REPORTED = 20

_TAG_PREFIX = "tag:yaml.org,2002:"
_STR_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_COLLECTION_TAGS = frozenset(_TAG_PREFIX + name for name in ("map", "seq", "set", "omap", "pairs"))
_MERGE_TAG = "tag:yaml.org,2002:merge"
# The memo entry _construct sets when a mapping came out smaller than its keys (a duplicate);
# no object has id 0.
_HAS_DUPLICATE = 0
_SAFE = SafeConstructor()
_SCALAR_CONSTRUCTORS = {
    "tag:yaml.org,2002:int": _SAFE.construct_yaml_int,
    "tag:yaml.org,2002:bool": _SAFE.construct_yaml_bool,
    "tag:yaml.org,2002:null": _SAFE.construct_yaml_null,
    "tag:yaml.org,2002:float": _SAFE.construct_yaml_float,
}

# Where str.splitlines ends a line ("\r\n" once); the rare ones send a stream the slow way
# (the first five are ASCII).
_RARE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAKS = "\n\r" + _RARE_BREAKS
# At the start of a line: a separator (group 1; up to 1,000 bare separator lines before it are
# taken with it, as they only end empty documents: an unbounded repeat would keep a
# backtracking state per line) or a template comment, then the rest of the line (group 2) and
# its line break.
_MARK_PLAIN = re.compile(
    r"(?m)^(?:(?:(?:---|\.\.\.)[ \t]*\n){0,1000}(---|\.\.\.)(?=\s|\Z)|# Source: )([^\n]*)\n?"
)
_MARK = re.compile(
    rf"(?:\A|(?<=[{_BREAKS}]))"
    rf"(?:(?:(?:---|\.\.\.)[ \t]*(?:\r\n|[{_BREAKS}])){{0,1000}}(---|\.\.\.)(?=\s|\Z)|# Source: )"
    rf"([^{_BREAKS}]*)(?:\r\n|[{_BREAKS}])?"
)


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
                if isinstance(key, yaml.ScalarNode):
                    # A duplicate key's last value is the one loaded: point at it.
                    identity = _key_identity(key)
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


@dataclass
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    documents: int = 0


def _input_finding(rule: str, message: str, file: str, line: int | None, category: str) -> Finding:
    return Finding(
        rule=rule,
        category=category,
        severity=Severity.ERROR,
        message=message,
        file=file,
        line=line,
    )


def file_too_large(file: str) -> Finding:
    """The finding for a file (or stdin) over MAX_FILE_BYTES; its exact size is not known,
    since a stream is abandoned one byte past the limit."""
    return _input_finding(
        "input-too-large",
        f"file is over the {MAX_FILE_BYTES}-byte limit; split it into smaller files",
        file,
        None,
        "syntax",
    )


@dataclass(frozen=True)
class _Duplicate:
    key: str
    first_line: int  # 0-based, inside the document
    line: int
    path: tuple[str | int, ...]


# A path as a linked list (part, parent): one tuple per node, however deep the document.
_Link = tuple[str | int, "_Link"] | None


def _path(link: _Link) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    while link is not None:
        part, link = link
        parts.append(part)
    return tuple(reversed(parts))


def _key_identity(node: yaml.ScalarNode) -> object:
    """The key as the API server's JSON compares it (``1``, ``0x1`` and ``"1"`` are one key)."""
    if node.tag == _STR_TAG:
        return node.value
    build = _SCALAR_CONSTRUCTORS.get(node.tag)
    if build is None:
        return json_key(node.value, node) if node.tag == _TIMESTAMP_TAG else (node.tag, node.value)
    try:
        return json_key(build(node), node)
    except Exception:  # a value its tag cannot build: the load reports it
        return (node.tag, node.value)


def json_key(key: Any, node: yaml.Node) -> Any:
    """A mapping key as sigs.k8s.io/yaml writes it into JSON: strings as they are, booleans
    ``true``/``false``, integers in decimal, floats as go-yaml formats a float32, and a
    timestamp as written (go-yaml v2 keeps its text). Anything else (null, binary) is not a
    key the API server can receive and stays as it is."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    if isinstance(key, float):
        return _go_float32(key)
    if node.tag == _TIMESTAMP_TAG and isinstance(node, yaml.ScalarNode):
        return node.value
    return key


_FLOAT32_MAX = struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]


def _as_float32(value: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


def _go_float32(value: float) -> str:
    """``strconv.FormatFloat(value, 'g', -1, 32)``, with go-yaml's names for the infinities
    and NaN: the shortest decimal that reads back as the same float32."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value) or abs(value) > _FLOAT32_MAX:
        return ".inf" if value > 0 else "-.inf"
    single = _as_float32(value)
    if single == 0:
        return "-0" if math.copysign(1, single) < 0 else "0"
    for digits in range(1, 10):
        mantissa = f"{single:.{digits - 1}e}"
        if _as_float32(float(mantissa)) == single:
            break
    exponent = int(mantissa.partition("e")[2])
    significant = mantissa.partition("e")[0].lstrip("-").replace(".", "").rstrip("0") or "0"
    if exponent < -4 or exponent >= 6:
        return f"{single:.{len(significant) - 1}e}"
    return f"{single:.{max(len(significant) - exponent - 1, 0)}f}"


def _duplicate_keys(root: yaml.Node) -> tuple[list[_Duplicate], int]:
    """Keys written twice in one mapping, anywhere in the node tree: the first
    MAX_DUPLICATES_REPORTED found, by line, and how many there are. Iterative (a deep document
    must not exhaust the stack) and each node once (aliases share nodes)."""
    found: list[_Duplicate] = []
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
                earlier = first.setdefault(_key_identity(key_node), key_node)
                if earlier is not key_node:
                    total += 1
                if earlier is not key_node and total <= MAX_DUPLICATES_REPORTED:
                    found.append(
                        _Duplicate(
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


def _duplicate_findings(
    duplicates: tuple[list[_Duplicate], int],
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


def _split(text: str) -> Iterator[tuple[int, str, str | None]]:
    """Yield (first line number, document text, template) for each document in a stream.

    The text of each document starts at the line after its separator, and blank lines are
    kept so that libyaml's marks count from the right line. Lines are those of
    ``str.splitlines``. Only the separator and ``# Source:`` lines are visited, found by one
    regular expression; the lines between them are counted, never built: a stream of tens of
    millions of empty lines costs no more memory than its text.
    """
    plain = _plain_breaks(text)
    marks = _MARK_PLAIN if plain else _MARK
    start = 1
    template: str | None = None
    inline = ""
    doc_start = last = 0
    line = 1
    for mark in marks.finditer(text):
        pos = mark.start()
        line += text.count("\n", last, pos) if plain else _line_breaks(text, last, pos)
        last = pos
        separator, rest = mark.group(1, 2)
        if separator is None:
            if template is None:
                # Helm's "# Source: <template path>" comment
                path = rest.rstrip()
                if path and not path[0].isspace():
                    template = path
            continue
        chunk = inline + text[doc_start:pos]
        if chunk:
            yield start, chunk, template
        template = None
        last = mark.start(1)
        line += text.count("\n", pos, last) if plain else _line_breaks(text, pos, last)
        rest = rest.strip()
        if rest and not rest.startswith("#"):
            # `--- {inline: doc}` keeps its content on the separator line.
            inline = rest + "\n"
            start = line
        else:
            inline = ""
            start = line + 1
        doc_start = mark.end()
    chunk = inline + text[doc_start:]
    if chunk:
        yield start, chunk, template


def _plain_breaks(text: str) -> bool:
    """Whether every line ends in "\n" (or "\r\n"), so that ``(?m)^`` finds each line start."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return False
    rare = _RARE_BREAKS[:5] if text.isascii() else _RARE_BREAKS
    return not any(c in text for c in rare)


def _line_breaks(text: str, start: int, end: int) -> int:
    """Line breaks in ``text[start:end]`` as ``str.splitlines`` counts them."""
    total = sum(text.count(c, start, end) for c in _BREAKS)
    return total - text.count("\r\n", start, end)


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
        try:
            return build(node)
        except Exception:
            raise BadValue(node) from None
    key = id(node)
    if key in memo:
        return memo[key]
    if isinstance(node, yaml.MappingNode) and node.tag == "tag:yaml.org,2002:map":
        mapping: dict[Any, Any] = {}
        memo[key] = mapping
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _NotPlain("complex key")
            key_data = _construct(key_node, memo)
            if type(key_data) is not str:
                key_data = json_key(key_data, key_node)
            mapping[key_data] = _construct(value_node, memo)
        if len(mapping) != len(node.value):
            memo[_HAS_DUPLICATE] = True
        return mapping
    if isinstance(node, yaml.SequenceNode) and node.tag == "tag:yaml.org,2002:seq":
        sequence: list[Any] = []
        memo[key] = sequence
        sequence.extend(_construct(item, memo) for item in node.value)
        return sequence
    raise _NotPlain(node.tag)


class BadValue(Exception):
    """A node its tag cannot build (``!!bool hunter2``): named by tag and line only."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__(node.tag)
        self.node = node

    def describe(self, start: int) -> tuple[str, int]:
        """The message (no value: it may be a secret) and the line, for a document that
        starts on line ``start``."""
        tag = self.node.tag
        short = f"!!{tag[len(_TAG_PREFIX) :]}" if tag.startswith(_TAG_PREFIX) else tag
        line = start + self.node.start_mark.line
        return (
            f"YAML value tagged {short} on line {line} is not a valid {short} value (the value "
            "is not shown; it may be a secret); fix or remove the tag",
            line,
        )


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


def _parse(chunk: str) -> tuple[Any, tuple[list[_Duplicate], int]]:
    """The document's data (a duplicate key's last value wins) and its duplicate keys."""
    node = yaml.compose(chunk, Loader=SafeLoader)
    if node is None:
        return None, ([], 0)
    if node.tag in {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", _STR_TAG}:
        memo: dict[int, Any] = {}
        try:
            doc = _construct(node, memo)
        except _NotPlain:
            pass
        else:
            return doc, _duplicate_keys(node) if _HAS_DUPLICATE in memo else ([], 0)
    # Before constructing: merge keys are flattened into the node tree as it is built.
    duplicates = _duplicate_keys(node)
    return _Constructor().construct_document(node), duplicates


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
        result.findings.append(file_too_large(file))
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
        result.documents += 1
        if result.documents > MAX_DOCUMENTS:
            if result.documents == MAX_DOCUMENTS + 1:
                result.findings.append(_too_many_documents(file, start))
            break
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
            doc, duplicates = _parse(chunk)
        except BadValue as exc:
            message, line = exc.describe(start)
            result.findings.append(_input_finding("yaml-syntax", message, file, line, "syntax"))
            continue
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
            result.findings.extend(_duplicate_findings(duplicates, file, start, None, template))
            continue
        resource = Resource(
            doc=doc,
            file=file,
            line=start,
            text=chunk,
            template=template,
            profile=profile,
            index=index,
        )
        result.resources.append(resource)
        result.findings.extend(_duplicate_findings(duplicates, file, start, resource, template))
        index += 1
    return result


def _too_many_documents(file: str, line: int) -> Finding:
    return _input_finding(
        "input-too-large",
        f"the inputs hold over {MAX_DOCUMENTS} documents, the limit for one run; this one and "
        "every one after it were not checked: validate fewer at a time",
        file,
        line,
        "syntax",
    )


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
