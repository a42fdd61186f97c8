"""Import the metadata names and Go types components-contrib code decodes.

For each package a daprd registration points at (``registry.json``), read the Go structs of
that package and of the ``common/`` and ``internal/`` packages it imports (two levels), and
every struct embedded with ``mapstructure:",squash"``. Each field tagged ``mapstructure:"name"``
gives a metadata name, its Go type (which fixes how dapr/kit ``DecodeMetadata`` parses it),
its ``mapstructurealiases`` (other names the decoder maps onto it) and whether it is
deprecated (a squashed ``Deprecated…`` struct, or a field comment calling it deprecated).

Struct tags are read line by line: Go source in components-contrib declares one field per line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from tools.importers.daprd_components import CONTRIB_PREFIX, Source
from tools.importers.gosource import STRING, calls, imports, tokenize
from tools.importers.source import SourceError

CODE_FIELDS_FILE = "code_fields.json"
_FOLLOW = ("common/", "internal/")
_MAX_DEPTH = 2
# dapr/kit retry/retry.go ``Config``: the fields ``retry.DecodeConfigWithPrefix(c, md, p)``
# reads from keys starting with exactly ``p`` (kit config/prefix.go ``PrefixedBy``), decoded by
# kit config/decode.go (base-10 numbers, strict booleans, bare durations in milliseconds).
_KIT_RETRY_FIELDS = (
    ("Policy", "", ("constant", "exponential")),
    ("Duration", "config:duration", None),
    ("InitialInterval", "config:duration", None),
    ("RandomizationFactor", "config:float32", None),
    ("Multiplier", "config:float32", None),
    ("MaxInterval", "config:duration", None),
    ("MaxElapsedTime", "config:duration", None),
    ("MaxRetries", "config:int64", None),
)
_GO_TYPES = frozenset(
    {"int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64"}
    | {"float32", "float64", "bool"}
)


@dataclass
class CodeField:
    name: str
    go_type: str
    aliases: list[str] = field(default_factory=list)
    deprecated: bool = False
    replaced_by: str | None = None
    # Set for fields that are not decoded by DecodeMetadata (kit retry config).
    decode: str | None = None
    exact_prefix: str | None = None
    allowed: list[str] | None = None
    # The Go field's own name (``metadata_reads`` maps code such as ``m.Brokers`` back to it).
    go_name: str = ""


@dataclass
class _Package:
    files: dict[str, str]
    structs: dict[str, list[tuple[CodeField | None, str | None]]]  # field or squash type
    imports: dict[str, str]
    decodes: bool
    retry_prefixes: list[str] = field(default_factory=list)


def tag_value(tag: str, key: str) -> str | None:
    """``reflect.StructTag.Get``: the value of ``key:"…"`` in a struct tag, or None."""
    i, n = 0, len(tag)
    while i < n:
        while i < n and tag[i] == " ":
            i += 1
        start = i
        while i < n and tag[i] not in ' :"':
            i += 1
        if i >= n or tag[i] != ":" or i + 1 >= n or tag[i + 1] != '"':
            return None
        name = tag[start:i]
        i += 2
        value_start = i
        while i < n and tag[i] != '"':
            i += 2 if tag[i] == "\\" else 1
        if i >= n:
            return None
        if name == key:
            return tag[value_start:i]
        i += 1
    return None


def _normal_type(go_type: str) -> str:
    base = go_type.lstrip("*")
    if base in {"time.Duration"}:
        return "duration"
    return base if base in _GO_TYPES else ""


def _replacement(comment: str) -> str | None:
    marker = comment.find('for "')
    if marker < 0:
        return None
    end = comment.find('"', marker + 5)
    return comment[marker + 5 : end] if end > marker + 5 else None


def _struct_line(line: str) -> tuple[CodeField | None, str | None] | None:
    """A tagged field line of a struct body: (field, None) or (None, squashed type)."""
    if "`" not in line:
        return None
    left, _, rest = line.partition("`")
    tag, _, after = rest.partition("`")
    comment = after.partition("//")[2]
    mapname = tag_value(tag, "mapstructure")
    if mapname is None:
        return None
    name, _, options = mapname.partition(",")
    words = left.split()
    if "squash" in options.split(",") and len(words) == 1:
        return None, words[0]
    if not name or name == "-" or len(words) < 2 or not words[0][:1].isupper():
        return None
    aliases = tag_value(tag, "mapstructurealiases") or ""
    deprecated = "deprecated" in comment.lower()
    return (
        CodeField(
            name=name,
            go_type=_normal_type(" ".join(words[1:])),
            aliases=[a for a in aliases.split(",") if a],
            deprecated=deprecated,
            replaced_by=_replacement(comment) if deprecated else None,
            go_name=words[0],
        ),
        None,
    )


def _structs(text: str) -> dict[str, list[tuple[CodeField | None, str | None]]]:
    out: dict[str, list[tuple[CodeField | None, str | None]]] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if current is None:
            words = line.split()
            if len(words) == 4 and words[0] == "type" and words[2:] == ["struct", "{"]:
                current = words[1]
                out.setdefault(current, [])
            continue
        if line.startswith("}"):
            current = None
            continue
        parsed = _struct_line(line)
        if parsed is not None:
            out[current].append(parsed)
    return out


@lru_cache(maxsize=4096)
def _token_facts(text: str) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """A Go file's imports and ``DecodeConfigWithPrefix`` prefixes, tokenized once per distinct
    text: most files are the same in every release an import reads."""
    tokens = tokenize(text)
    prefixes = []
    for call in calls(tokens, ["DecodeConfigWithPrefix"]):
        last = call.args[-1] if len(call.args) == 3 else ()
        if len(last) == 1 and last[0].kind == STRING and last[0].value:
            prefixes.append(last[0].value)
    return tuple(imports(tokens).items()), tuple(prefixes)


def _package(source: Source, directory: str, cache: dict[str, _Package | None]) -> _Package | None:
    if directory in cache:
        return cache[directory]
    try:
        names = source.files(directory)
    except SourceError:  # a missing package is reported by the caller
        cache[directory] = None
        return None
    files = {
        n: source.read(f"{directory}/{n}")
        for n in names
        if n.endswith(".go") and not n.endswith("_test.go")
    }
    structs: dict[str, list[tuple[CodeField | None, str | None]]] = {}
    imported: dict[str, str] = {}
    prefixes: list[str] = []
    for text in files.values():
        structs.update(_structs(text))
        file_imports, file_prefixes = _token_facts(text)
        imported.update(file_imports)
        prefixes.extend(file_prefixes)
    package = _Package(
        files=files,
        structs=structs,
        imports=imported,
        decodes=any("DecodeMetadata(" in t for t in files.values()),
        retry_prefixes=prefixes,
    )
    cache[directory] = package
    return package


def _squashed(
    source: Source,
    package: _Package,
    type_name: str,
    cache: dict[str, _Package | None],
    depth: int,
) -> list[CodeField]:
    if depth > 4:
        return []
    qualifier, dot, struct = type_name.lstrip("*").rpartition(".")
    target: _Package | None = package
    if dot:
        path = package.imports.get(qualifier, "")
        if not path.startswith(CONTRIB_PREFIX):
            return []
        target = _package(source, path[len(CONTRIB_PREFIX) :], cache)
    if target is None:
        return []
    out: list[CodeField] = []
    for code_field, squash in target.structs.get(struct, []):
        if code_field is not None:
            out.append(_copy(code_field))
        elif squash is not None:
            out.extend(_squashed(source, target, squash, cache, depth + 1))
    if struct.startswith("Deprecated"):
        for f in out:
            f.deprecated = True
    return out


def _copy(f: CodeField) -> CodeField:
    return CodeField(
        f.name,
        f.go_type,
        list(f.aliases),
        f.deprecated,
        f.replaced_by,
        f.decode,
        f.exact_prefix,
        f.allowed,
        f.go_name,
    )


def _referenced(importer: _Package, child: _Package, alias: str) -> set[str]:
    """Structs of ``child`` that ``importer`` names as ``alias.Struct``."""
    return {
        name
        for name in child.structs
        if any(f"{alias}.{name}" in text for text in importer.files.values())
    }


def _fields_of(
    source: Source, directory: str, cache: dict[str, _Package | None]
) -> tuple[list[CodeField], bool] | None:
    root = _package(source, directory, cache)
    if root is None:
        return None
    fields: list[CodeField] = []
    decodes = False
    # (package, depth, the structs to read: None for all of them)
    queue: list[tuple[_Package, int, set[str] | None]] = [(root, 0, None)]
    retry: list[str] = []
    seen = {directory}
    while queue:
        package, depth, wanted = queue.pop(0)
        decodes = decodes or package.decodes
        retry.extend(package.retry_prefixes)
        for name, struct in package.structs.items():
            if wanted is not None and name not in wanted:
                continue
            for code_field, squash in struct:
                if code_field is not None:
                    fields.append(_copy(code_field))
                elif squash is not None:
                    fields.extend(_squashed(source, package, squash, cache, 0))
        if depth >= _MAX_DEPTH:
            continue
        for alias, path in package.imports.items():
            rel = path[len(CONTRIB_PREFIX) :] if path.startswith(CONTRIB_PREFIX) else ""
            if rel.startswith(_FOLLOW) and rel not in seen:
                seen.add(rel)
                child = _package(source, rel, cache)
                if child is not None:
                    # A direct import is the component's implementation: all of it; beyond
                    # that, only the structs the importing code names.
                    only = None if depth == 0 else _referenced(package, child, alias)
                    queue.append((child, depth + 1, only))
    for prefix in dict.fromkeys(retry):
        for suffix, decode, allowed in _KIT_RETRY_FIELDS:
            fields.append(
                CodeField(
                    name=prefix + suffix,
                    go_type="",
                    decode=decode or None,
                    exact_prefix=prefix,
                    allowed=list(allowed) if allowed else None,
                )
            )
    return fields, decodes


def _merge(fields: Iterable[CodeField], decodes: bool) -> dict[str, dict[str, Any]]:
    """One entry per name (lower-cased key); a name with two Go types gets no decoder."""
    out: dict[str, dict[str, Any]] = {}
    types: dict[str, set[str]] = {}
    for f in fields:
        key = f.name.lower()
        entry = out.setdefault(key, {"name": f.name})
        types.setdefault(key, set()).add(f.go_type)
        aliases = sorted({*entry.get("aliases", []), *f.aliases}, key=str.lower)
        if aliases:
            entry["aliases"] = aliases
        if f.deprecated:
            entry["deprecated"] = True
            if f.replaced_by:
                entry["replaced_by"] = f.replaced_by
        if f.decode:
            entry["decode"] = f.decode
        if f.exact_prefix:
            entry["exact_prefix"] = f.exact_prefix
        if f.allowed:
            entry["allowed"] = f.allowed
    for key, entry in out.items():
        kinds = types[key]
        if decodes and len(kinds) == 1 and "" not in kinds and "decode" not in entry:
            entry["decode"] = f"mapstructure:{next(iter(kinds))}"
    return {k: out[k] for k in sorted(out)}


@dataclass
class ContribReport:
    source: str
    packages: int = 0
    missing: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"read {self.packages} package(s) from {self.source}"]
        lines += [f"no such package: {p}" for p in self.missing]
        return "\n".join(lines)


def import_code_fields(
    source: Source, packages: Iterable[str], ref_label: str
) -> tuple[dict[str, Any], ContribReport]:
    report = ContribReport(source=source.label)
    cache: dict[str, _Package | None] = {}
    out: dict[str, Any] = {}
    for directory in sorted(set(packages)):
        found = _fields_of(source, directory, cache)
        if found is None:
            report.missing.append(directory)
            continue
        merged = _merge(*found)
        if merged:
            out[directory] = merged
        report.packages += 1
    data = {
        "generated_by": "python -m tools schemas import-code-fields",
        "source": f"dapr/components-contrib {ref_label}",
        "ref": ref_label,
        "packages": out,
    }
    return data, report


def registry_packages(registry: Mapping[str, Any]) -> list[str]:
    """Every components-contrib package the registry data names."""
    found = set()
    for entry in registry.get("components", ()):
        for package in entry.get("versions", {}).values():
            if isinstance(package, str):
                found.add(package)
    return sorted(found)


def dumps(data: Mapping[str, Any]) -> str:
    """One package per line, so a re-import diffs line by line."""
    lines = ["{"]
    for key, value in data.items():
        if key != "packages":
            lines.append(f" {json.dumps(key)}: {json.dumps(value)},")
    packages = list(data.get("packages", {}).items())
    lines.append(' "packages": {')
    for i, (name, fields) in enumerate(packages):
        comma = "," if i < len(packages) - 1 else ""
        lines.append(f"  {json.dumps(name)}: {json.dumps(fields)}{comma}")
    lines.append(" }")
    lines.append("}")
    return "\n".join(lines) + "\n"
