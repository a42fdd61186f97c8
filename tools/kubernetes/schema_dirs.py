"""JSON Schemas for other custom resources, in the layouts users already have (``--schema-dir``).

Two layouts are read, both named after the resource's lower-case kind:

- the datreeio CRDs-catalog layout, ``<group>/<kind>_<version>.json`` (kubeconform's
  ``{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json``);
- kubeconform's ``{{ .ResourceKind }}{{ .KindSuffix }}.json`` for a local folder,
  ``<kind>-<first label of the group>-<version>.json`` (``<kind>-<version>.json`` for the core
  group), as written by kubeconform's openapi2jsonschema.py with
  ``FILENAME_FORMAT='{kind}-{group}-{version}'``.

Each directory is listed once into a dict; a resource's kind and apiVersion are only ever looked
up in that dict, never joined into a path. The kubeconform layout keeps only the group's first
label, so two groups sharing it (``networking.k8s.io``, ``networking.istio.io``) share a file
name there: the CRDs-catalog layout has no such ambiguity.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from tools.kubernetes.compiled_schema import CompiledSchema
from tools.kubernetes.schemas import SchemaStoreError, read_schema

_VERSION = re.compile(r"v\d{1,4}(?:(?:alpha|beta)\d{1,4})?")
_KIND = re.compile(r"[a-z0-9]{1,253}")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")

Key = tuple[str, str, str]


@dataclass(frozen=True)
class SchemaDir:
    """One ``--schema-dir``: its files by (group, kind, version) for each layout."""

    root: Path
    catalog: Mapping[Key, Path] = field(default_factory=dict)
    kubeconform: Mapping[Key, Path] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.catalog) + len(self.kubeconform)


def _json_files(directory: str) -> Iterable[os.DirEntry[str]]:
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.endswith(".json") and entry.is_file():
                yield entry


def _kubeconform_key(name: str) -> Key | None:
    parts = name.removesuffix(".json").split("-")
    if len(parts) < 2:
        return None
    kind, version, label = parts[0], parts[-1], "-".join(parts[1:-1])
    if not (_KIND.fullmatch(kind) and _VERSION.fullmatch(version)):
        return None
    if label and not _LABEL.fullmatch(label):
        return None
    return (label, kind, version)


def _catalog_key(group: str, name: str) -> Key | None:
    kind, sep, version = name.removesuffix(".json").rpartition("_")
    if not sep or not _KIND.fullmatch(kind) or not _VERSION.fullmatch(version):
        return None
    return (group, kind, version)


def index_schema_dir(path: str | os.PathLike[str]) -> SchemaDir:
    """List ``path`` (and its group folders) once; refuse a missing or unreadable directory."""
    root = Path(path)
    if not root.is_dir():
        raise SchemaStoreError(f"--schema-dir {root}: no such directory")
    catalog: dict[Key, Path] = {}
    kubeconform: dict[Key, Path] = {}
    try:
        with os.scandir(root) as entries:
            listing = sorted(entries, key=lambda e: e.name)
        for entry in listing:
            if entry.is_dir():
                for file in sorted(_json_files(entry.path), key=lambda e: e.name):
                    key = _catalog_key(entry.name.lower(), file.name)
                    if key is not None:
                        catalog.setdefault(key, Path(file.path))
            elif entry.name.endswith(".json") and entry.is_file():
                key = _kubeconform_key(entry.name)
                if key is not None:
                    kubeconform.setdefault(key, Path(entry.path))
    except OSError as exc:
        raise SchemaStoreError(f"--schema-dir {root}: cannot list ({exc.strerror})") from exc
    return SchemaDir(root=root, catalog=catalog, kubeconform=kubeconform)


def find_schema_file(dirs: Sequence[SchemaDir], api_version: str, kind: str) -> Path | None:
    """The first file, in directory order, that the two layouts name for (apiVersion, kind)."""
    group, _, version = api_version.rpartition("/")
    group, kind, version = group.lower(), kind.lower(), version.lower()
    for directory in dirs:
        found = directory.catalog.get((group, kind, version)) or directory.kubeconform.get(
            (group.split(".")[0], kind, version)
        )
        if found is not None:
            return found
    return None


def indexed(dirs: Sequence[Path]) -> tuple[SchemaDir, ...]:
    """The listings of a run's ``--schema-dir`` directories, each listed once per process."""
    return tuple(_indexed(Path(d)) for d in dirs)


@lru_cache(maxsize=16)
def _indexed(path: Path) -> SchemaDir:
    return index_schema_dir(path)


@lru_cache(maxsize=128)
def compile_schema_file(file: Path, api_version: str, kind: str) -> CompiledSchema:
    """Read and compile one schema file once; a broken file is a SchemaStoreError naming it."""
    data = read_schema(file)
    try:
        return CompiledSchema(api_version, kind, data, str(file), prune_nulls=True)
    except Exception as exc:  # each engine reports a broken schema with its own exception
        raise SchemaStoreError(f"{file}: not a usable JSON Schema ({type(exc).__name__})") from exc
