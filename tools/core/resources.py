"""Turn YAML streams into Resources, with file, line and chart template, and bounded parsing.

Documents are split on ``---`` lines (tools/core/yaml_documents) and each is parsed with
libyaml's safe loader (tools/core/yaml_construct). Line numbers inside a document are found
only when a finding asks for one, by composing that document's node tree again; a clean
document is composed once, to load it.

A key written twice in one mapping is an error finding that names both lines
(tools/core/duplicate_keys). The document is still loaded (last value wins, as lenient readers
do) and the rules run on it, so one typo does not hide every other problem in the resource.
Keys are compared, and kept, as the API server sees them (tools/core/yaml_keys).

A value its tag cannot build (``!!bool hunter2``, ``!!timestamp x``) makes the document a
``yaml-syntax`` finding that names the line and the tag, never the value: it may be a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from tools.core.duplicate_keys import duplicate_findings
from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.core.yaml_construct import BadValue, expanded_size, parse_document
from tools.core.yaml_documents import split_documents

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000
# Across one LoadResult (one validate run): every document's data is held for the rules that
# look across resources, and a tiny document costs about a kilobyte once loaded.
MAX_DOCUMENTS = 200_000


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
    for start, chunk, template in split_documents(text):
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
            doc, duplicates = parse_document(chunk)
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
        if "*" in chunk and expanded_size(doc, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
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
            result.findings.extend(duplicate_findings(duplicates, file, start, None, template))
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
        result.findings.extend(duplicate_findings(duplicates, file, start, resource, template))
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
