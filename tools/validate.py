"""The linter core: sources -> resources -> rules -> findings, filtered, suppressed and sorted."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tools.core.bounded_read import Bounded, InputError, read_at_most, read_stream, regular_size
from tools.core.context import RunContext
from tools.core.findings import (
    CATEGORIES,
    EXIT_USAGE,
    Finding,
    Severity,
    apply_suppressions,
    json_pointer,
    select,
)
from tools.core.input_rules import INPUT_FINDINGS
from tools.core.path_ignores import apply_path_ignores
from tools.core.resource import Resource
from tools.core.resources import MAX_FILE_BYTES, LoadResult, file_too_large, load_bytes, load_text
from tools.secrets import placeholders

YAML_SUFFIXES = (".yaml", ".yml")
# Across every input of one run: everything read is held until the cross-resource rules ran.
MAX_INPUT_FILES = 20_000
MAX_TOTAL_BYTES = 128 * 1024 * 1024

# Findings the loader and the renderer report, by id: their category, and what each catches.
INPUT_RULES = {r.id: r.category for r in INPUT_FINDINGS}


class UsageError(Exception):
    """Bad arguments or unreadable input: the CLI prints the message and exits 2."""

    exit_status = EXIT_USAGE


@dataclass(frozen=True)
class Source:
    label: str
    data: bytes | str
    profile: str | None = None
    too_large: bool = False


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    resources: int = 0

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity and f.suppressed is None)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def suppressed(self) -> int:
        return sum(1 for f in self.findings if f.suppressed is not None)

    def merge(self, other: Report) -> None:
        self.findings.extend(other.findings)
        self.files += other.files
        self.resources += other.resources


def known_selectors() -> dict[str, str]:
    """Every rule id, former rule id and category that --select/--ignore accept, with what it is."""
    from tools.rules import aliases, all_rules

    known = {c: "category" for c in CATEGORIES}
    known.update({rule_id: "rule" for rule_id in INPUT_RULES})
    known.update({r.id: "rule" for r in all_rules()})
    known.update({old: f"former id of {new}" for old, new in aliases().items()})
    return known


def parse_selectors(values: Sequence[str] | None) -> set[str]:
    """Split ``--select a,b --select c`` into a set, refuse unknown names and replace a rule's
    former id with its id."""
    from tools.rules import aliases

    chosen: set[str] = set()
    for value in values or ():
        chosen.update(part.strip() for part in value.split(",") if part.strip())
    if chosen:
        known = known_selectors()
        unknown = sorted(chosen - set(known))
        if unknown:
            raise UsageError(
                f"unknown rule or category: {', '.join(unknown)}. Categories: "
                f"{', '.join(CATEGORIES)}; `python -m tools validate --list-rules` lists rule ids"
            )
    renamed = aliases()
    return {renamed.get(name, name) for name in chosen}


def read_sources(paths: Sequence[str]) -> list[Source]:
    """Files, directories (their *.yaml / *.yml, recursively) and ``-`` for stdin.

    Every read is bounded: a file or stdin over MAX_FILE_BYTES becomes an input-too-large
    finding (a file is not read at all, stdin one byte past the limit); a named device, FIFO
    or socket is a usage error; all inputs together hold at most MAX_INPUT_FILES files and
    MAX_TOTAL_BYTES bytes, checked from the files' sizes before any is read.
    """
    named = [(item, None if item == "-" else _files_of(item)) for item in paths]
    count = planned = 0
    for item, files in named:
        for _, size in files or ():
            count += 1
            planned += size if size <= MAX_FILE_BYTES else 0
            if count > MAX_INPUT_FILES:
                raise _too_many(item)
            if planned > MAX_TOTAL_BYTES:
                raise _too_much(item)
    sources: list[Source] = []
    total = 0
    for item, files in named:
        for label, got in _read_all(files):
            total += len(got.data)
            if total > MAX_TOTAL_BYTES:
                raise _too_much(item)
            sources.append(Source(label, got.data, too_large=got.over))
    return sources


def _read_all(files: list[tuple[Path, int]] | None) -> Iterable[tuple[str, Bounded]]:
    if files is None:
        if sys.stdin is None:
            raise UsageError("-: there is no standard input to read")
        yield "<stdin>", read_stream(sys.stdin.buffer, MAX_FILE_BYTES)
        return
    for file, _ in files:
        try:
            yield str(file), read_at_most(file, MAX_FILE_BYTES)
        except InputError as exc:
            raise UsageError(str(exc)) from exc


def _too_much(item: str) -> UsageError:
    return UsageError(
        f"{item}: the inputs hold over {MAX_TOTAL_BYTES} bytes in total, the limit for one run; "
        "validate fewer files at a time"
    )


def _too_many(item: str) -> UsageError:
    return UsageError(
        f"{item}: the inputs hold over {MAX_INPUT_FILES} .yaml/.yml files, the limit for one "
        "run; validate fewer at a time"
    )


def _files_of(item: str) -> list[tuple[Path, int]]:
    """The regular files one command-line path names, with their sizes: itself, or the YAML
    files of the directory tree under it."""
    path = Path(item)
    try:
        status = path.stat()
    except FileNotFoundError:
        raise UsageError(f"{item}: no such file or directory") from None
    except OSError as exc:
        raise UsageError(f"{item}: cannot read ({exc.strerror})") from exc
    if not stat.S_ISDIR(status.st_mode):
        try:
            return [(path, regular_size(path, "input"))]
        except InputError as exc:  # a device or FIFO: refused before anything is read
            raise UsageError(str(exc)) from exc
    files = _walk(path, item)
    if not files:
        raise UsageError(f"{item}: directory holds no .yaml or .yml files")
    return files


def _walk(root: Path, item: str) -> list[tuple[Path, int]]:
    """The regular *.yaml / *.yml files under ``root``, sorted. Symlinks to directories are
    not followed (no loops, no escape from the tree); a symlink to a regular file is read;
    devices, FIFOs and sockets are skipped."""
    found: list[tuple[Path, int]] = []
    pending = [str(root)]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                listing = list(entries)
        except OSError as exc:
            raise UsageError(f"{directory}: cannot list the directory ({exc.strerror})") from exc
        for entry in listing:
            if entry.is_dir(follow_symlinks=False):
                pending.append(entry.path)
                continue
            if Path(entry.name).suffix not in YAML_SUFFIXES:
                continue
            try:
                status = entry.stat()
            except OSError:
                continue  # a dangling link
            if stat.S_ISREG(status.st_mode):
                found.append((Path(entry.path), status.st_size))
                if len(found) > MAX_INPUT_FILES:
                    raise _too_many(item)
    return sorted(found)


def load_sources(sources: Iterable[Source]) -> tuple[LoadResult, int]:
    loaded = LoadResult()
    files = 0
    for source in sources:
        files += 1
        if source.too_large:
            loaded.findings.append(file_too_large(source.label))
        elif isinstance(source.data, bytes):
            load_bytes(source.data, source.label, source.profile, result=loaded)
        else:
            load_text(source.data, source.label, source.profile, result=loaded)
    return loaded, files


def check(
    loaded: LoadResult,
    *,
    context: RunContext | None = None,
    chosen: set[str] | None = None,
    ignored: set[str] | None = None,
    extra: Iterable[Finding] = (),
) -> list[Finding]:
    """Run every selected rule over the loaded resources and return the final findings.

    The rules read the run's ``context`` (default: the defaults) from the Bundle; its
    ``path_ignores`` apply after the suppression annotations.
    """
    from tools.redaction.masking import bounded_findings, redact_findings
    from tools.rules import Bundle, Rule, aliases, all_rules

    context = context or RunContext()
    chosen = chosen or set()
    ignored = ignored or set()
    bundle = Bundle(resources=loaded.resources, context=context)
    release = bundle.dapr.version
    rules = [
        r
        for r in all_rules()
        if (not chosen or {r.id, r.category} & chosen)
        and not {r.id, r.category} & ignored
        and r.runs_on(release)
        and r.runs_in(context.dapr_mode)
    ]
    found: list[Finding] = [*loaded.findings, *extra]
    marked: dict[int, dict[str, placeholders.Placeholder]] = {}
    # Rules grouped by the kind they apply to, once per kind rather than once per resource.
    by_kind: dict[str, list[Rule]] = {}
    for resource in loaded.resources:
        marks = placeholders.find(resource.doc) if placeholders.may_appear(resource.text) else []
        if marks:
            marked[id(resource)] = {json_pointer(m.path): m for m in marks}
            found.append(_placeholder_finding(resource, marks))
        kind = resource.kind
        applicable = by_kind.get(kind)
        if applicable is None:
            applicable = by_kind[kind] = [r for r in rules if not r.kinds or kind in r.kinds]
        for rule in applicable:
            try:
                found.extend(rule.check(resource, bundle))
            except Exception as exc:  # a rule bug must not hide the other findings
                found.append(
                    Finding(
                        rule=rule.id,
                        category=rule.category,
                        severity=Severity.ERROR,
                        message=(
                            f"internal error in rule {rule.id} ({type(exc).__name__}); "
                            "the resource was not fully checked — please report this"
                        ),
                        file=resource.file,
                        line=resource.line,
                        resource=resource,
                        template=resource.template,
                    )
                )
    if marked:
        found = [f for f in found if not _about_placeholder(f, marked)]
    found = apply_path_ignores(apply_suppressions(found, aliases()), context.path_ignores)
    found = select(found, chosen, ignored)
    found = redact_findings(bounded_findings(found))
    found.sort(key=lambda f: (f.file, f.line or 0, f.rule, f.path))
    return _dedupe(found)


_PLACEHOLDERS_SHOWN = 10


def _placeholder_finding(resource: Resource, marks: Sequence[placeholders.Placeholder]) -> Finding:
    """The one input-placeholder finding of a resource: the fields that hold a placeholder."""
    shown = "; ".join(
        f"{_dotted(m.path)}{_item_name(resource.doc, m.path)} holds {m.token}"
        for m in marks[:_PLACEHOLDERS_SHOWN]
    )
    more = len(marks) - _PLACEHOLDERS_SHOWN
    if more > 0:
        shown += f"; and {more} more"
    count = (
        "1 field holds a placeholder, not a value"
        if len(marks) == 1
        else f"{len(marks)} fields hold placeholders, not values"
    )
    return Finding(
        rule="input-placeholder",
        category=INPUT_RULES["input-placeholder"],
        severity=Severity.INFO,
        message=(
            f"{count}: {shown}. Replace each with the real value before applying; "
            "until then the other checks skip these fields"
        ),
        file=resource.file,
        line=resource.line_of(marks[0].path),
        path=json_pointer(marks[0].path),
        resource=resource,
        template=resource.template,
    )


def _item_name(doc: object, path: Sequence[str | int]) -> str:
    """`` ("redisHost")`` after the ``value`` of a ``{name, value}`` item (Dapr metadata, env)."""
    if len(path) < 2 or path[-1] != "value" or not isinstance(path[-2], int):
        return ""
    node = doc
    for part in path[:-1]:
        if isinstance(node, dict) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return ""
    name = node.get("name") if isinstance(node, dict) else None
    if not isinstance(name, str) or not name or len(name) > 100 or "\n" in name:
        return ""
    return f' ("{name}")'


def _dotted(path: Sequence[str | int]) -> str:
    """``spec.metadata[0].value``, ``metadata.labels[app.kubernetes.io/name]``."""
    out = ""
    for part in path:
        if isinstance(part, int) or not part.replace("-", "").replace("_", "").isalnum():
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(document)"


# The rules that report a credential written in a value: beside a placeholder it is still one.
_CREDENTIAL_RULES = frozenset(
    {"security-inline-secret", "security-literal-credential", "security-secret-in-value"}
)
_SEPARATORS = " \t:;,=/_-"


def _about_placeholder(
    finding: Finding, marked: dict[int, dict[str, placeholders.Placeholder]]
) -> bool:
    """Whether another rule's finding is about a field that holds a placeholder (at its
    path or below it), so the input-placeholder finding already says what is wrong there.

    A credential finding stays unless the whole value is the placeholder: in a field that is
    secret by its name, what is left beside ``<x>`` or ``****`` is the secret itself, whatever
    its shape (``hunter2 <x>``).
    """
    if finding.resource is None or finding.category == "syntax":
        return False
    marks = marked.get(id(finding.resource))
    if not marks or not finding.path:
        return False
    pointer = finding.path
    while True:
        mark = marks.get(pointer)
        if mark is not None:
            if mark.whole or finding.rule not in _CREDENTIAL_RULES:
                return True
            return not mark.rest.strip(_SEPARATORS)
        cut = pointer.rfind("/")
        if cut <= 0:
            return False
        pointer = pointer[:cut]


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, int | None, str, str]] = set()
    out = []
    for f in findings:
        key = (f.rule, f.file, f.line, f.path, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def validate(
    sources: Iterable[Source],
    *,
    context: RunContext | None = None,
    chosen: set[str] | None = None,
    ignored: set[str] | None = None,
) -> Report:
    loaded, files = load_sources(sources)
    findings = check(loaded, context=context, chosen=chosen, ignored=ignored)
    return Report(findings=findings, files=files, resources=len(loaded.resources))


def render_failure(label: str, message: str) -> Finding:
    """A helm template failure (values refused by the schema, template error) as a finding."""
    from tools.redaction.masking import redact_text

    return Finding(
        rule="helm-render",
        category=INPUT_RULES["helm-render"],
        severity=Severity.ERROR,
        message=redact_text(message),
        file=label,
    )
