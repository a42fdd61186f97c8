"""Where schemas come from: the strict Dapr CRD schemas and the built-in Kubernetes kinds.

Dapr kinds come from strict schemas in ``schemas/dapr/`` (or from a directory of schemas imported
from the CRDs a cluster runs, see ``tools/importers/crds.py``: ``--schema-dir`` or
``TODO_DAPR_SCHEMA_DIR``). Kubernetes kinds come from the strict schema files bundled with the
kubernetes-validate package; the definitions a kind refers to are copied into its own ``$defs``
once, so each kind compiles into one self-contained validator (``CompiledSchema``) that is
reused for every document of that kind.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Mapping, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from tools.core.data_files import schema_root
from tools.core.defaults import DEFAULT_KUBE_VERSION
from tools.core.findings import EXIT_USAGE
from tools.kubernetes.compiled_schema import CompiledSchema

SCHEMA_ROOT = schema_root()
DAPR_SCHEMA_DIR = SCHEMA_ROOT / "dapr"
SCHEMA_DIR_ENV = "TODO_DAPR_SCHEMA_DIR"


class SchemaStoreError(Exception):
    """A schema problem the user must fix (bad version, unreadable schema directory)."""

    exit_status = EXIT_USAGE


class KubeVersionError(SchemaStoreError):
    """The requested Kubernetes version has no bundled schemas."""


# --- Dapr (and other CRD-derived) schemas -------------------------------------------------------


def read_schema(file: Path) -> dict[str, Any]:
    """One JSON Schema file, bounded; a broken one is a SchemaStoreError naming it."""
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
    schema = read_schema(file)
    dapr = schema.get("x-dapr-version") or schema.get("x-source")
    where = f"{label} {file.name}" + (f", Dapr {dapr}" if dapr else "")
    return CompiledSchema(api_version, kind, schema, where, prune_nulls=True)


def schema_dirs() -> tuple[Path, ...]:
    """Directories of imported CRD schemas, first match wins: ``TODO_DAPR_SCHEMA_DIR``, then the
    built-ins."""
    return _schema_dirs(os.environ.get(SCHEMA_DIR_ENV) or None)


@lru_cache(maxsize=16)
def _schema_dirs(chosen: str | None) -> tuple[Path, ...]:
    dirs: list[Path] = []
    if chosen:
        dirs.append(_existing(chosen))
    dirs.append(DAPR_SCHEMA_DIR)
    return tuple(dirs)


def _existing(chosen: str | os.PathLike[str]) -> Path:
    path = Path(chosen)
    if not path.is_dir():
        raise SchemaStoreError(
            f"schema directory {path} does not exist; create it with "
            "`python -m tools schemas import-crd CRD.yaml --out DIR`"
        )
    return path.resolve()


CrdIndex = dict[tuple[str, str], tuple[Path, str]]


@lru_cache(maxsize=8)
def _crd_index(dirs: tuple[Path, ...]) -> CrdIndex:
    """Map (apiVersion, kind) to the schema file that covers it, earlier directories first.
    Every file must be an imported CRD schema."""
    index: CrdIndex = {}
    for directory in dirs:
        label = "built-in" if directory == DAPR_SCHEMA_DIR else str(directory)
        for file in sorted(directory.glob("*.json")):
            schema = read_schema(file)
            api_version = schema.get("x-api-version")
            kind = schema.get("x-kind")
            if not isinstance(api_version, str) or not isinstance(kind, str):
                raise SchemaStoreError(
                    f"{file}: not a CRD schema (no x-api-version/x-kind); regenerate it with "
                    "`python -m tools schemas import-crd`"
                )
            index.setdefault((api_version, kind), (file, label))
    return index


@lru_cache(maxsize=16)
def _imported_in(directory: Path) -> CrdIndex:
    """The imported CRD schemas (``x-api-version``/``x-kind``) at the top of a ``--schema-dir``
    directory; its other files (kubeconform or CRDs-catalog schemas) are left to
    ``tools.kubernetes.schema_dirs``."""
    index: CrdIndex = {}
    for file in sorted(directory.glob("*.json")):
        try:
            schema = read_schema(file)
        except SchemaStoreError:
            continue
        api_version = schema.get("x-api-version")
        kind = schema.get("x-kind")
        if isinstance(api_version, str) and isinstance(kind, str):
            index.setdefault((api_version, kind), (file, str(directory)))
    return index


@lru_cache(maxsize=16)
def _full_index(extra: tuple[Path, ...], dirs: tuple[Path, ...]) -> CrdIndex:
    index: CrdIndex = {}
    for directory in extra:
        for key, entry in _imported_in(directory).items():
            index.setdefault(key, entry)
    for key, entry in _crd_index(dirs).items():
        index.setdefault(key, entry)
    return index


def _index_for(extra: Sequence[str | os.PathLike[str]]) -> CrdIndex:
    return _full_index(_existing_dirs(tuple(map(str, extra))), schema_dirs())


@lru_cache(maxsize=16)
def _existing_dirs(extra: tuple[str, ...]) -> tuple[Path, ...]:
    return tuple(_existing(d) for d in extra)


def crd_schema(
    api_version: str, kind: str, extra: Sequence[str | os.PathLike[str]] = ()
) -> CompiledSchema | None:
    """The CRD-derived schema for (apiVersion, kind), or None when no schema covers it.

    ``extra`` are the run's ``--schema-dir`` directories: the imported CRD schemas there come
    first, then those of ``schema_dirs()``.
    """
    return _crd_schema(api_version, kind, tuple(map(str, extra)), os.environ.get(SCHEMA_DIR_ENV))


@lru_cache(maxsize=256)
def _crd_schema(
    api_version: str, kind: str, extra: tuple[str, ...], chosen: str | None
) -> CompiledSchema | None:
    """``crd_schema`` for one set of directories; four rules ask it for every resource."""
    index = _full_index(_existing_dirs(extra), _schema_dirs(chosen or None))
    entry = index.get((api_version, kind))
    if entry is None:
        return None
    return _compile_crd(entry[0], entry[1], api_version, kind)


def crd_versions(group: str, kind: str, extra: Sequence[str | os.PathLike[str]] = ()) -> list[str]:
    """apiVersions of ``group`` that have a schema for ``kind`` (to suggest the right one)."""
    return sorted(
        api_version
        for api_version, known in _index_for(extra)
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
    data = read_schema(root / f"v{version}.0-local-strict" / "_definitions.json")
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
    schema = read_schema(file)
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
