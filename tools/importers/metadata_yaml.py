"""Build the component catalog from a components-contrib checkout's ``metadata.yaml`` files.

Only facts are kept (type, version, status, field names, types, required, sensitive, allowed
values, defaults, deprecation, authentication profiles); descriptions, examples and URLs are not.
A file that is not valid YAML or not shaped like a metadata file is reported and skipped.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.core import yaml_text
from tools.dapr.catalog import CATALOG_FILE
from tools.dapr.component_spec import FIELD_TYPES
from tools.importers.source import GitRef, extract_tree

BUILTIN_PROFILES = Path(".build-tools") / "builtin-authentication-profiles.yaml"
METADATA_FILE = "metadata.yaml"

# metadata.yaml ``type`` → the category prefix daprd uses in ``spec.type``.
_CATEGORY = {"workflows": "workflow"}
# Component types whose ``spec.type`` carries a sub-kind the metadata ``name`` omits.
_SUBKIND = {"middleware": "http"}


@dataclass
class ImportReport:
    """What an import read, wrote and skipped (with the reason for each skipped file)."""

    source: Path
    output: Path | None = None
    imported: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    builtin_profiles: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [
            f"imported {len(self.imported)} component version(s) from {self.source}"
            + (f" into {self.output}" if self.output else ""),
        ]
        if self.builtin_profiles:
            lines.append(f"built-in authentication profiles: {', '.join(self.builtin_profiles)}")
        for file, reason in self.skipped:
            lines.append(f"skipped {file}: {reason}")
        return "\n".join(lines)


class MetadataImportError(Exception):
    """The source directory cannot be imported at all."""

    exit_status = 2


def _strip_quotes(text: str) -> str:
    """Upstream defaults are often written with quotes inside the string (``'"20s"'``)."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def _field(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{where}: a metadata item has no name")
    type_ = raw.get("type") or "string"
    if type_ not in FIELD_TYPES:
        raise ValueError(f"{where}: field {name!r} has unknown type {type_!r}")
    out: dict[str, Any] = {"name": name.strip(), "type": type_}
    for key in ("required", "sensitive", "deprecated"):
        if raw.get(key) is True:
            out[key] = True
    allowed = raw.get("allowedValues")
    if isinstance(allowed, list) and allowed:
        out["allowed"] = [str(v) for v in allowed]
    default = raw.get("default")
    if default is not None:
        out["default"] = _strip_quotes(str(default))
    binding = raw.get("binding")
    if isinstance(binding, dict):
        directions = [d for d in ("input", "output") if binding.get(d) is True]
        if directions:
            out["binding"] = directions
    return out


def _fields(items: Any, where: str) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ValueError(f"{where}: 'metadata' is not a list")
    return [_field(item, where) for item in items if isinstance(item, dict)]


def _load_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error becomes a ValueError that names the line."""
    try:
        return yaml_text.load(path.read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ValueError(f"not valid YAML ({where}{exc.problem})") from None
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise ValueError(f"unreadable ({exc.__class__.__name__})") from None


def _builtin_profiles(root: Path, report: ImportReport) -> dict[str, list[dict[str, Any]]]:
    path = root / BUILTIN_PROFILES
    if not path.exists():
        return {}
    try:
        data = _load_yaml(path)
        if not isinstance(data, dict):
            raise ValueError("expected a mapping of profile names")
        profiles: dict[str, list[dict[str, Any]]] = {}
        for name, entries in data.items():
            items = []
            for entry in entries if isinstance(entries, list) else ():
                if not isinstance(entry, dict):
                    continue
                items.append(
                    {
                        "title": str(entry.get("title", "")),
                        "fields": _fields(entry.get("metadata"), f"{path} {name}"),
                    }
                )
            profiles[str(name)] = items
    except ValueError as exc:
        report.skipped.append((str(path), str(exc)))
        return {}
    report.builtin_profiles = sorted(profiles)
    return profiles


def _component(
    data: Any, where: str, builtin: Mapping[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("not a metadata mapping")
    category, name, version = data.get("type"), data.get("name"), data.get("version")
    if not all(isinstance(v, str) and v for v in (category, name, version)):
        raise ValueError("missing 'type', 'name' or 'version'")
    assert isinstance(category, str) and isinstance(name, str)
    category = _CATEGORY.get(category, category)
    subkind = _SUBKIND.get(category)
    if subkind and not name.startswith(subkind + "."):
        name = f"{subkind}.{name}"
    entry: dict[str, Any] = {
        "type": f"{category}.{name}".lower(),
        "version": str(version),
        "status": str(data.get("status", "")),
    }
    capabilities = data.get("capabilities")
    if isinstance(capabilities, list) and capabilities:
        entry["capabilities"] = sorted(str(c) for c in capabilities)
    binding = data.get("binding")
    if isinstance(binding, dict):
        entry["binding"] = [d for d in ("input", "output") if binding.get(d) is True]
    entry["fields"] = _fields(data.get("metadata"), where)
    profiles: list[dict[str, Any]] = []
    for raw in data.get("authenticationProfiles") or ():
        if isinstance(raw, dict):
            profiles.append(
                {
                    "title": str(raw.get("title", "")),
                    "fields": _fields(raw.get("metadata"), where),
                }
            )
    for raw in data.get("builtinAuthenticationProfiles") or ():
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            continue
        extra = _fields(raw.get("metadata"), where)
        known = builtin.get(raw["name"])
        if known is None:
            raise ValueError(f"unknown built-in authentication profile {raw['name']!r}")
        for profile in known:
            own = {f["name"].lower() for f in extra}
            fields = [f for f in profile["fields"] if f["name"].lower() not in own]
            profiles.append(
                {"title": profile["title"], "builtin": raw["name"], "fields": [*extra, *fields]}
            )
    if profiles:
        entry["profiles"] = profiles
    return entry


def _metadata_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob(METADATA_FILE)):
        relative = path.relative_to(root).parts
        if any(part.startswith(".") for part in relative[:-1]):
            continue
        if "tests" in relative[:-1] or "vendor" in relative[:-1]:
            continue
        yield path


def read_metadata(root: Path) -> tuple[list[dict[str, Any]], ImportReport]:
    """Read every metadata file under ``root`` into catalog entries, sorted by type and version."""
    if not root.is_dir():
        raise MetadataImportError(
            f"{root}: not a directory; point at a components-contrib checkout"
        )
    report = ImportReport(source=root)
    builtin = _builtin_profiles(root, report)
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for path in _metadata_files(root):
        where = str(path.relative_to(root))
        try:
            entry = _component(_load_yaml(path), where, builtin)
        except ValueError as exc:
            report.skipped.append((where, str(exc)))
            continue
        key = (entry["type"], entry["version"])
        if key in entries:
            report.skipped.append((where, f"duplicate of {key[0]} {key[1]}"))
            continue
        entry["source"] = where
        entries[key] = entry
        report.imported.append(f"{key[0]}/{key[1]}")
    report.imported.sort()
    return [entries[k] for k in sorted(entries)], report


def import_metadata(src: Path, out_dir: Path, *, ref: GitRef | None = None) -> ImportReport:
    """Read ``src`` (a components-contrib tree, or the git ``ref``) and write
    ``out_dir/catalog.json``."""
    entries, report = read_metadata(src) if ref is None else read_metadata_at(ref)
    if not entries:
        raise MetadataImportError(f"{src}: no {METADATA_FILE} file could be imported")
    out_dir.mkdir(parents=True, exist_ok=True)
    document = {
        "generated_by": "python -m tools schemas import-metadata",
        "source": src.name if ref is None else ref.ref,
        "skipped": [{"file": f, "reason": r} for f, r in report.skipped],
        "components": entries,
    }
    target = out_dir / CATALOG_FILE
    target.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    report.output = target
    return report


def read_metadata_at(source: GitRef) -> tuple[list[dict[str, Any]], ImportReport]:
    """``read_metadata`` of a git ref: its metadata files (and the built-in authentication
    profiles) are written to a temporary directory first."""
    profiles = BUILTIN_PROFILES.as_posix()

    def wanted(path: str) -> bool:
        return path == profiles or path.rsplit("/", 1)[-1] == METADATA_FILE

    with tempfile.TemporaryDirectory(prefix="todo-dapr-metadata-") as tmp:
        extract_tree(source, Path(tmp), wanted)
        entries, report = read_metadata(Path(tmp))
    report.source = Path(source.label)
    return entries, report
