"""Compiled, cached JSON Schema validators for Dapr custom resources and Kubernetes built-ins.

Dapr kinds come from strict schemas in ``schemas/dapr/`` (or from a directory of schemas imported
from the CRDs a cluster runs, see ``tools/importers/crds.py``, named by ``TODO_DAPR_SCHEMA_DIR``).
Kubernetes kinds come from the strict schema files bundled with the kubernetes-validate package;
the definitions a kind refers to are copied into its own ``$defs`` once, so each kind compiles
into one self-contained validator that is reused for every document of that kind.

Validation runs a fast ``is_valid`` first (jsonschema-rs when installed) and works out detailed
errors only for invalid documents. Errors are turned into :class:`SchemaIssue` objects whose
messages never contain a value from the document, only field names, types and the schema's own
allowed values.
"""

from __future__ import annotations

import difflib
import importlib.util
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Protocol

from tools.core.data_files import schema_root
from tools.core.findings import EXIT_USAGE

SCHEMA_ROOT = schema_root()
DAPR_SCHEMA_DIR = SCHEMA_ROOT / "dapr"
SCHEMA_DIR_ENV = "TODO_DAPR_SCHEMA_DIR"
DEFAULT_KUBE_VERSION = "1.34"

PathParts = tuple[str | int, ...]


class SchemaStoreError(Exception):
    """A schema problem the user must fix (bad version, unreadable schema directory)."""

    exit_status = EXIT_USAGE


class KubeVersionError(SchemaStoreError):
    """The requested Kubernetes version has no bundled schemas."""


@dataclass(frozen=True)
class SchemaIssue:
    """One schema error: where in the document, and what is wrong, without the value."""

    path: PathParts
    message: str
    keyword: str
    field: str | None = None
    suggestion: str | None = None


class _Checker(Protocol):
    def is_valid(self, instance: Any) -> bool: ...

    def errors(self, instance: Any) -> list[_RawError]: ...


@dataclass(frozen=True)
class _RawError:
    path: PathParts
    keyword: str
    node: Mapping[str, Any]
    branches: tuple[tuple[_RawError, ...], ...] = ()


class _RustChecker:
    def __init__(self, schema: dict[str, Any]) -> None:
        import jsonschema_rs

        self._schema = schema
        self._validator = jsonschema_rs.validator_for(schema)
        self._fallback: _PythonChecker | None = None

    def _python(self) -> _PythonChecker:
        """jsonschema-rs refuses non-JSON data (an integer map key from YAML); Python doesn't."""
        if self._fallback is None:
            self._fallback = _PythonChecker(self._schema)
        return self._fallback

    def is_valid(self, instance: Any) -> bool:
        try:
            return bool(self._validator.is_valid(instance))
        except ValueError:
            return self._python().is_valid(instance)

    def errors(self, instance: Any) -> list[_RawError]:
        try:
            return [self._convert(error) for error in self._validator.iter_errors(instance)]
        except ValueError:
            return self._python().errors(instance)

    def _convert(self, error: Any) -> _RawError:
        schema_path = list(error.schema_path)
        keyword = str(schema_path[-1]) if schema_path else ""
        node = _walk(self._schema, schema_path[:-1])
        branches: tuple[tuple[_RawError, ...], ...] = ()
        if keyword in ("oneOf", "anyOf"):
            try:
                context = error.kind.as_dict().get("context") or []
                branches = tuple(tuple(self._convert(e) for e in branch) for branch in context)
            except (AttributeError, TypeError):
                branches = ()
        return _RawError(tuple(error.instance_path), keyword, node, branches)


class _PythonChecker:
    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema import Draft202012Validator

        self._validator = Draft202012Validator(schema)

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def errors(self, instance: Any) -> list[_RawError]:
        return [self._convert(error) for error in self._validator.iter_errors(instance)]

    def _convert(self, error: Any) -> _RawError:
        node = error.schema if isinstance(error.schema, Mapping) else {}
        branches: tuple[tuple[_RawError, ...], ...] = ()
        if error.validator in ("oneOf", "anyOf") and error.context:
            grouped: dict[int, list[_RawError]] = {}
            for sub in error.context:
                index = sub.schema_path[0] if sub.schema_path else 0
                grouped.setdefault(int(index), []).append(self._convert(sub))
            branches = tuple(tuple(grouped[i]) for i in sorted(grouped))
        return _RawError(tuple(error.absolute_path), str(error.validator), node, branches)


def _walk(schema: Mapping[str, Any], parts: Sequence[Any]) -> Mapping[str, Any]:
    node: Any = schema
    for part in parts:
        if isinstance(node, Mapping):
            node = node.get(str(part))
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return {}
    return node if isinstance(node, Mapping) else {}


def _make_checker(schema: dict[str, Any], engine: str | None = None) -> _Checker:
    """jsonschema-rs when installed (hundreds of times faster on these schemas), else jsonschema."""
    chosen = engine or os.environ.get("TODO_DAPR_SCHEMA_ENGINE", "")
    if chosen != "python":
        try:
            return _RustChecker(schema)
        except ImportError:
            if chosen == "rust":
                raise
    return _PythonChecker(schema)


class CompiledSchema:
    """A schema for one (apiVersion, kind), compiled once and reused."""

    def __init__(
        self,
        api_version: str,
        kind: str,
        schema: dict[str, Any],
        source: str,
        *,
        engine: str | None = None,
        prune_nulls: bool = False,
    ) -> None:
        self.api_version = api_version
        self.prune_nulls = prune_nulls
        self.kind = kind
        self.schema = schema
        self.source = source
        self._checker = _make_checker(schema, engine)

    def __repr__(self) -> str:
        return f"CompiledSchema({self.api_version!r}, {self.kind!r}, source={self.source!r})"

    def is_valid(self, doc: Any) -> bool:
        return self._checker.is_valid(doc)

    def issues(self, doc: Any) -> list[SchemaIssue]:
        """Every schema error of ``doc`` (empty when valid), with messages fit to show."""
        if self._checker.is_valid(doc):
            return []
        checked = doc
        if self.prune_nulls:
            checked = _without_nulls(doc)
            if checked is not doc and self._checker.is_valid(checked):
                return []
        out: list[SchemaIssue] = []
        seen: set[tuple[PathParts, str]] = set()
        for raw in self._checker.errors(checked):
            for issue in _explain(raw, checked, doc):
                key = (issue.path, issue.message)
                if key not in seen:
                    seen.add(key)
                    out.append(issue)
        # A misspelt required field shows up twice (unknown + missing); report it once.
        misspelt = {(i.path[:-1], i.suggestion) for i in out if i.suggestion}
        out = [i for i in out if i.keyword != "required" or (i.path, i.field) not in misspelt]
        out.sort(key=lambda i: [str(p) for p in i.path])
        return out


def _without_nulls(doc: Any) -> Any:
    """``doc`` without mapping entries whose value is null, as the API server prunes them.

    A structural CRD schema drops a null field that is not ``nullable`` before validating, so
    ``features:`` left empty is harmless, while an empty required field counts as missing.
    Returns ``doc`` itself when it holds no such entry.
    """
    if isinstance(doc, dict):
        changed = False
        out: dict[Any, Any] = {}
        for key, value in doc.items():
            if value is None:
                changed = True
                continue
            new = _without_nulls(value)
            changed = changed or new is not value
            out[key] = new
        return out if changed else doc
    if isinstance(doc, list):
        items = [_without_nulls(item) for item in doc]
        if any(new is not old for new, old in zip(items, doc, strict=True)):
            return items
        return doc
    return doc


# --- Dapr (and other CRD-derived) schemas -------------------------------------------------------


def schema_dirs(override: str | os.PathLike[str] | None = None) -> tuple[Path, ...]:
    """Directories searched for CRD schemas, first match wins: the override, then the built-ins."""
    chosen = override if override is not None else os.environ.get(SCHEMA_DIR_ENV) or None
    return _schema_dirs(str(chosen) if chosen else None)


@lru_cache(maxsize=16)
def _schema_dirs(chosen: str | None) -> tuple[Path, ...]:
    dirs: list[Path] = []
    if chosen:
        path = Path(chosen)
        if not path.is_dir():
            raise SchemaStoreError(
                f"schema directory {path} does not exist; create it with "
                "`python -m tools schemas import-crd CRD.yaml --out DIR`"
            )
        dirs.append(path.resolve())
    dirs.append(DAPR_SCHEMA_DIR)
    return tuple(dirs)


@lru_cache(maxsize=8)
def _crd_index(dirs: tuple[Path, ...]) -> dict[tuple[str, str], tuple[Path, str]]:
    """Map (apiVersion, kind) to the schema file that covers it, earlier directories first."""
    index: dict[tuple[str, str], tuple[Path, str]] = {}
    for directory in dirs:
        label = "built-in" if directory == DAPR_SCHEMA_DIR else str(directory)
        for file in sorted(directory.glob("*.json")):
            schema = _read_schema(file)
            api_version = schema.get("x-api-version")
            kind = schema.get("x-kind")
            if not isinstance(api_version, str) or not isinstance(kind, str):
                raise SchemaStoreError(
                    f"{file}: not a CRD schema (no x-api-version/x-kind); regenerate it with "
                    "`python -m tools schemas import-crd`"
                )
            index.setdefault((api_version, kind), (file, label))
    return index


def _read_schema(file: Path) -> dict[str, Any]:
    from tools.core.bounded_read import MAX_SCHEMA_BYTES, InputError, read_text

    try:
        data = json.loads(read_text(file, MAX_SCHEMA_BYTES, "schema"))
    except InputError as exc:
        raise SchemaStoreError(str(exc)) from exc
    except json.JSONDecodeError as exc:
        raise SchemaStoreError(f"{file}: cannot read the schema ({type(exc).__name__})") from exc
    if not isinstance(data, dict):
        raise SchemaStoreError(f"{file}: a schema must be a JSON object")
    return data


@lru_cache(maxsize=64)
def _compile_crd(file: Path, label: str, api_version: str, kind: str) -> CompiledSchema:
    schema = _read_schema(file)
    dapr = schema.get("x-dapr-version") or schema.get("x-source")
    where = f"{label} {file.name}" + (f", Dapr {dapr}" if dapr else "")
    return CompiledSchema(api_version, kind, schema, where, prune_nulls=True)


def crd_schema(
    api_version: str, kind: str, schema_dir: str | os.PathLike[str] | None = None
) -> CompiledSchema | None:
    """The CRD-derived schema for (apiVersion, kind), or None when no schema covers it."""
    entry = _crd_index(schema_dirs(schema_dir)).get((api_version, kind))
    if entry is None:
        return None
    return _compile_crd(entry[0], entry[1], api_version, kind)


def crd_versions(
    group: str, kind: str, schema_dir: str | os.PathLike[str] | None = None
) -> list[str]:
    """apiVersions of ``group`` that have a schema for ``kind`` (to suggest the right one)."""
    return sorted(
        api_version
        for api_version, known in _crd_index(schema_dirs(schema_dir))
        if known == kind and api_version.rpartition("/")[0] == group
    )


# --- Kubernetes built-in kinds -------------------------------------------------------------------


_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-local-strict$")
_REQUESTED = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")


@cache
def _kubernetes_schema_root() -> Path | None:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        root = Path(location) / "kubernetes-json-schema"
        if root.is_dir():
            return root
    return None


@cache
def bundled_kube_versions() -> tuple[tuple[int, int], ...]:
    """(major, minor) of every strict schema set kubernetes-validate ships, oldest first."""
    root = _kubernetes_schema_root()
    if root is None:
        return ()
    found = set()
    for entry in root.iterdir():
        match = _VERSION_DIR.match(entry.name)
        if match and entry.is_dir():
            found.add((int(match.group(1)), int(match.group(2))))
    return tuple(sorted(found))


@lru_cache(maxsize=32)
def resolve_kube_version(requested: str) -> str:
    """The bundled schema version (``"1.34"``) to use for a requested Kubernetes version.

    The newest bundled minor not newer than the request, compared as numbers. A request older
    than the oldest bundled version or newer than the newest is refused: the schemas would
    describe a different API.
    """
    match = _REQUESTED.match(requested.strip())
    if not match:
        raise KubeVersionError(f"{requested!r} is not a Kubernetes version like 1.34")
    wanted = (int(match.group(1)), int(match.group(2)))
    versions = bundled_kube_versions()
    if not versions:
        raise KubeVersionError(
            "no Kubernetes schemas found: the kubernetes-validate package is not installed "
            "(pip install kubernetes-validate)"
        )
    oldest, newest = versions[0], versions[-1]
    span = f"{oldest[0]}.{oldest[1]} to {newest[0]}.{newest[1]}"
    if wanted < oldest:
        raise KubeVersionError(
            f"Kubernetes {wanted[0]}.{wanted[1]} is older than any bundled schema set "
            f"({span}); pass --kube-version {oldest[0]}.{oldest[1]} or newer"
        )
    if wanted > newest:
        raise KubeVersionError(
            f"Kubernetes {wanted[0]}.{wanted[1]} is newer than any bundled schema set ({span}); "
            f"upgrade kubernetes-validate or pass --kube-version {newest[0]}.{newest[1]}"
        )
    picked = max(v for v in versions if v <= wanted)
    return f"{picked[0]}.{picked[1]}"


def _schema_file_name(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    prefix = f"{group.split('.')[0]}-" if group else ""
    return f"{kind.lower()}-{prefix}{version}.json"


@cache
def _kubernetes_definitions(version: str) -> dict[str, Any]:
    root = _kubernetes_schema_root()
    assert root is not None  # resolve_kube_version refused the version otherwise
    data = _read_schema(root / f"v{version}.0-local-strict" / "_definitions.json")
    defs = data.get("$defs")
    return defs if isinstance(defs, dict) else {}


def _inline_definitions(schema: dict[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    """Copy ``schema`` with every definition it reaches moved into its own ``$defs``."""
    needed: dict[str, Any] = {}
    queue: list[str] = []

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and "#/$defs/" in value:
                    name = value.rpartition("#/$defs/")[2]
                    if name not in needed:
                        needed[name] = None
                        queue.append(name)
                    out[key] = f"#/$defs/{name}"
                elif key == "description":
                    continue
                else:
                    out[key] = rewrite(value)
            return out
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    result: dict[str, Any] = rewrite(schema)
    result.pop("$id", None)
    while queue:
        name = queue.pop()
        needed[name] = rewrite(definitions.get(name, {}))
    result["$defs"] = needed
    return result


def _matches_gvk(schema: Mapping[str, Any], api_version: str, kind: str) -> bool:
    group, _, version = api_version.rpartition("/")
    for gvk in schema.get("x-kubernetes-group-version-kind") or ():
        if (
            isinstance(gvk, Mapping)
            and gvk.get("group", "") == group
            and gvk.get("version") == version
            and gvk.get("kind") == kind
        ):
            return True
    return False


@cache
def _kubernetes_schema_files(version: str) -> dict[str, Path]:
    """The bundled schema files of one version, by file name, listed once.

    A kind is looked up here by name, so no text from a manifest is ever joined into a path.
    """
    root = _kubernetes_schema_root()
    if root is None:
        return {}
    directory = root / f"v{version}.0-local-strict"
    if not directory.is_dir():
        return {}
    return {entry.name: entry for entry in directory.iterdir() if entry.suffix == ".json"}


# The longest apiVersion and kind any API server could serve: a DNS subdomain group, a DNS
# label version and kind (apiextensions-apiserver's CRD name rules).
_MAX_API_VERSION = 253 + 1 + 63
_MAX_KIND = 63


@lru_cache(maxsize=256)
def _compile_kubernetes(version: str, api_version: str, kind: str) -> CompiledSchema | None:
    if len(api_version) > _MAX_API_VERSION or len(kind) > _MAX_KIND:
        return None
    file = _kubernetes_schema_files(version).get(_schema_file_name(api_version, kind))
    if file is None:
        return None
    schema = _read_schema(file)
    # The file name drops the group's domain: make sure it is really this group's kind.
    if not _matches_gvk(schema, api_version, kind):
        return None
    full = _inline_definitions(schema, _kubernetes_definitions(version))
    return CompiledSchema(api_version, kind, full, f"Kubernetes {version}")


def kubernetes_schema(
    api_version: str, kind: str, kube_version: str = DEFAULT_KUBE_VERSION
) -> CompiledSchema | None:
    """The strict built-in schema for (apiVersion, kind) at ``kube_version``, or None."""
    return _compile_kubernetes(resolve_kube_version(kube_version), api_version, kind)


def kubernetes_cache_info() -> Any:
    """Hit/miss counters of the Kubernetes validator cache (one entry per version and kind)."""
    return _compile_kubernetes.cache_info()


# --- Explaining errors ---------------------------------------------------------------------------


def describe_path(path: Sequence[str | int]) -> str:
    """``spec.metadata[2].value`` for a JSON path; ``(top level)`` for the document itself."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out or "(top level)"


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return type(value).__name__


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean (true/false)",
    "null": "null",
}


def _value_at(doc: Any, path: Sequence[str | int]) -> tuple[bool, Any]:
    node = doc
    for part in path:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            return False, None
        node = node[part]
    return True, node


def _declared_types(node: Mapping[str, Any]) -> list[str]:
    declared = node.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return [str(t) for t in declared]
    return []


def _expected_words(types: Sequence[str]) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in types if t != "null"] or ["null"]
    return " or ".join(words)


def _did_you_mean(name: str, allowed: Sequence[str]) -> str | None:
    lowered = {a.lower(): a for a in allowed}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.75)
    return close[0] if close else None


def _allowed_list(names: Sequence[str], limit: int = 12) -> str:
    shown = sorted(names)
    if len(shown) > limit:
        return ", ".join(shown[:limit]) + f", ... ({len(shown)} in all)"
    return ", ".join(shown)


def _explain(raw: _RawError, doc: Any, original: Any = None) -> Iterator[SchemaIssue]:
    """Describe one raw error of ``doc``; ``original`` is the document before null pruning."""
    where = describe_path(raw.path)
    found, value = _value_at(doc, raw.path)
    node = raw.node
    keyword = raw.keyword

    if keyword == "additionalProperties" and isinstance(value, dict):
        properties = node.get("properties")
        allowed = list(properties) if isinstance(properties, Mapping) else []
        extra = node.get("additionalProperties")
        if extra is False:
            for name in value:
                if str(name) in allowed:
                    continue
                field = str(name)
                guess = _did_you_mean(field, allowed)
                hint = f' — did you mean "{guess}"?' if guess else ""
                listing = f" (allowed: {_allowed_list(allowed)})" if allowed else " (no fields)"
                yield SchemaIssue(
                    (*raw.path, field),
                    f'{where}: unknown field "{field}"{hint}{listing}',
                    keyword,
                    field,
                    guess,
                )
            return
        yield SchemaIssue(
            raw.path, f"{where}: an entry of this mapping has the wrong shape", keyword
        )
        return

    if keyword == "required" and isinstance(value, dict):
        required = node.get("required")
        for name in required if isinstance(required, list) else ():
            if name in value:
                continue
            _, before = _value_at(original, raw.path) if original is not None else (False, None)
            if isinstance(before, dict) and name in before:
                message = (
                    f'{where}: required field "{name}" is empty (null); the API server drops '
                    "null fields, so give it a value"
                    + (" (an empty list is written [])" if _is_list_field(node, name) else "")
                )
            else:
                message = f'{where}: missing required field "{name}"'
            yield SchemaIssue(raw.path, message, keyword, str(name))
        return

    if keyword == "type":
        expected = _declared_types(node)
        actual = type_name(value) if found else "nothing"
        message = f"{where}: must be {_expected_words(expected)}, not {_article(actual)}"
        if value is None and found:
            message = (
                f"{where}: is empty (null) but must be {_expected_words(expected)}; "
                "give it a value or remove the field"
            )
        elif "string" in expected and isinstance(value, bool | int | float):
            message += "; quote the value in YAML"
        yield SchemaIssue(raw.path, message, keyword)
        return

    if keyword == "enum":
        options = node.get("enum")
        shown = ", ".join(json.dumps(o) for o in options) if isinstance(options, list) else "?"
        yield SchemaIssue(
            raw.path, f"{where}: value is not one of the allowed values: {shown}", keyword
        )
        return

    if keyword == "const":
        yield SchemaIssue(raw.path, f"{where}: must be {json.dumps(node.get('const'))}", keyword)
        return

    if keyword in ("oneOf", "anyOf"):
        yield SchemaIssue(raw.path, f"{where}: {_explain_alternatives(raw, value)}", keyword)
        return

    bound = node.get(keyword)
    simple = {
        "minimum": f"must be at least {bound}",
        "maximum": f"must be at most {bound}",
        "exclusiveMinimum": f"must be greater than {bound}",
        "exclusiveMaximum": f"must be less than {bound}",
        "multipleOf": f"must be a multiple of {bound}",
        "minLength": "must not be empty" if bound == 1 else f"must be at least {bound} characters",
        "maxLength": f"must be at most {bound} characters",
        "minItems": "must not be empty" if bound == 1 else f"must have at least {bound} items",
        "maxItems": f"must have at most {bound} items",
        "minProperties": f"must have at least {bound} entries",
        "maxProperties": f"must have at most {bound} entries",
        "uniqueItems": "has duplicate items",
        "pattern": f"does not match the pattern {bound}",
        "format": f"is not a valid {bound}",
        "not": "is not allowed here",
    }
    if keyword in simple:
        yield SchemaIssue(raw.path, f"{where}: {simple[keyword]}", keyword)
        return
    yield SchemaIssue(raw.path, f'{where}: does not satisfy the schema ("{keyword}")', keyword)


def _is_list_field(node: Mapping[str, Any], name: str) -> bool:
    properties = node.get("properties")
    field = properties.get(name) if isinstance(properties, Mapping) else None
    return isinstance(field, Mapping) and "array" in _declared_types(field)


def _article(type_word: str) -> str:
    if type_word in ("null", "nothing"):
        return type_word
    return ("an " if type_word[0] in "aeiou" else "a ") + type_word


def _explain_alternatives(raw: _RawError, value: Any) -> str:
    """Name the forms allowed when a value matches none of oneOf/anyOf (or several of oneOf)."""
    alternatives = raw.node.get(raw.keyword)
    if not isinstance(alternatives, list):
        return "does not match any allowed form"
    types: list[str] = []
    for branch in alternatives:
        declared = _declared_types(branch) if isinstance(branch, Mapping) else []
        types.extend(t for t in declared if t not in types)
    if types and type_name(value) not in ("mapping", "list"):
        return f"must be {_expected_words(types)}, not {_article(type_name(value))}"
    return "does not match any of the allowed forms"
