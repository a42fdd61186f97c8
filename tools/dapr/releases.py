"""The Dapr releases the validator knows, and what changed between them.

The full generated data (CRD schemas, catalog, registry, code fields) describes the newest
supported release. ``schemas/releases.json`` (``python -m tools schemas import-releases``)
records, per entry, the releases that differ from it:

- ``components``: a registered type with ``since`` (first release that registers it) or
  ``until`` (last release that does, with the older release's registry entry);
- ``component_versions``: a type whose registered versions differ in an older release;
- ``metadata``: per components-contrib package, a metadata name with ``since`` (the component
  code and metadata.yaml of older releases do not know it) or ``until`` (dropped after it);
- ``component_specs``: per components-contrib package, the metadata.yaml fields (top level and
  per authentication profile) whose spec an older release defines differently: the older
  values of ``required``, ``type``, ``allowed``, ``default``, ``deprecated``, ``sensitive``, a
  field or profile the older release lacks (``absent``) or only it has (``entry``), each with
  the releases it applies to (``tools.dapr.release_catalog`` applies them);
- ``crd_fields``: per ``<kind>-<version>`` schema, the topmost field path a release added
  (``spec.tracing.otel.headers``: ``since`` 1.17); its children are implied.

Nothing here is read at import time: ``python -m tools --help`` does not load the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tools.core.data_files import schema_root
from tools.core.findings import EXIT_USAGE
from tools.dapr.supported import SUPPORTED

RELEASES_FILE = "releases.json"


class ReleaseError(ValueError):
    """A Dapr release the validator does not know: a usage error (exit 2)."""

    exit_status = EXIT_USAGE


def parse_release(text: str) -> str:
    """``1.16``, ``v1.16`` or ``1.16.3`` -> ``1.16``; anything else is a ReleaseError."""
    value = text.strip().removeprefix("v")
    parts = value.split(".")
    if len(parts) in (2, 3) and all(p.isdigit() and len(p) <= 4 for p in parts):
        minor = f"{int(parts[0])}.{int(parts[1])}"
        if minor in SUPPORTED:
            return minor
    raise ReleaseError(
        f"Dapr {text!r} is not supported; supported releases: {', '.join(SUPPORTED)}"
    )


def key(release: str) -> tuple[int, ...]:
    """A release as a sortable tuple: ``1.9`` sorts before ``1.16``."""
    return tuple(int(p) for p in release.split("."))


@dataclass(frozen=True)
class Change:
    """When an entry exists: from ``since`` (None: every supported release) up to ``until``."""

    since: str | None = None
    until: str | None = None

    def present_in(self, release: str) -> bool:
        if self.since is not None and key(release) < key(self.since):
            return False
        return self.until is None or key(release) <= key(self.until)

    def describe(self, release: str) -> str:
        """Why an entry is missing from ``release``, in the words every finding uses:
        ``added in Dapr 1.18`` or ``removed after Dapr 1.16``."""
        if self.since is not None and key(release) < key(self.since):
            return f"added in Dapr {self.since}"
        return f"removed after Dapr {self.until}"


SPEC_ATTRIBUTES = frozenset({"type", "required", "allowed", "default", "deprecated", "sensitive"})
SPEC_MARKERS = frozenset({"absent", "entry"})


@dataclass(frozen=True)
class SpecChange:
    """How the releases in ``change`` define a field or profile: ``values`` holds the older
    attribute values, or ``absent: True``, or the older ``entry``."""

    change: Change
    values: Mapping[str, Any]


@dataclass(frozen=True)
class PackageSpecChanges:
    """The spec records of one components-contrib package (field names lower-cased)."""

    fields: Mapping[str, tuple[SpecChange, ...]] = field(default_factory=dict)
    profiles: Mapping[str, tuple[SpecChange, ...]] = field(default_factory=dict)
    profile_fields: Mapping[str, Mapping[str, tuple[SpecChange, ...]]] = field(default_factory=dict)


def applying(records: tuple[SpecChange, ...] | None, release: str) -> SpecChange | None:
    """The record that describes ``release``, if any (none: the newest definition holds)."""
    return next((r for r in records or () if r.change.present_in(release)), None)


@dataclass(frozen=True)
class ReleaseData:
    refs: Mapping[str, Mapping[str, str]]
    components: Mapping[str, Change]
    removed_components: Mapping[str, Mapping[str, Any]]
    component_versions: Mapping[str, Mapping[str, Any]]
    metadata: Mapping[str, Mapping[str, tuple[str, Change]]]
    crd_fields: Mapping[str, Mapping[str, Change]] = field(default_factory=dict)
    component_specs: Mapping[str, PackageSpecChanges] = field(default_factory=dict)

    def component(self, type_: str) -> Change | None:
        return self.components.get(type_.lower())

    def metadata_change(self, package: str, name: str) -> tuple[str, Change] | None:
        """The metadata name's change record in a contrib package (compared case-insensitively)."""
        return self.metadata.get(package, {}).get(name.lower())

    def crd_changes(self, api_version: str, kind: str) -> Mapping[str, Change]:
        return self.crd_fields.get(schema_key(api_version, kind), {})


def schema_key(api_version: str, kind: str) -> str:
    """``dapr.io/v1alpha1`` + ``Configuration`` -> ``configuration-v1alpha1`` (the file stem)."""
    return f"{kind.lower()}-{api_version.rpartition('/')[2]}"


def _change(raw: Any, where: str) -> Change:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object with since/until")
    since, until = raw.get("since"), raw.get("until")
    for label, value in (("since", since), ("until", until)):
        if value is not None and value not in SUPPORTED:
            raise ValueError(f"{where}: {label} {value!r} is not a supported release")
    if since is None and until is None:
        raise ValueError(f"{where}: needs since or until")
    return Change(since=since, until=until)


def _spec_records(raw: Any, where: str) -> tuple[SpecChange, ...]:
    if not isinstance(raw, list) or not raw:
        raise ValueError(f"{where}: expected a list of records")
    out = []
    for number, item in enumerate(raw):
        place = f"{where}[{number}]"
        change = _change(item, place)
        values = {k: v for k, v in item.items() if k not in {"since", "until"}}
        unknown = set(values) - SPEC_ATTRIBUTES - SPEC_MARKERS
        if unknown or not values:
            raise ValueError(f"{place}: unknown or no keys {sorted(unknown)}")
        if "entry" in values and not isinstance(values["entry"], dict):
            raise ValueError(f"{place}: entry must be an object")
        out.append(SpecChange(change=change, values=values))
    return tuple(out)


def _named_records(raw: Any, where: str) -> dict[str, tuple[SpecChange, ...]]:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object")
    return {str(n): _spec_records(r, f"{where}.{n}") for n, r in raw.items()}


def _package_specs(raw: Any, where: str) -> PackageSpecChanges:
    if not isinstance(raw, dict) or not set(raw) <= {"fields", "profiles", "profile_fields"}:
        raise ValueError(f"{where}: expected fields, profiles and profile_fields")
    nested = raw.get("profile_fields", {})
    if not isinstance(nested, dict):
        raise ValueError(f"{where}.profile_fields: expected an object")
    return PackageSpecChanges(
        fields=_named_records(raw.get("fields", {}), f"{where}.fields"),
        profiles=_named_records(raw.get("profiles", {}), f"{where}.profiles"),
        profile_fields={
            str(t): _named_records(f, f"{where}.profile_fields.{t}") for t, f in nested.items()
        },
    )


def parse_release_data(data: Any) -> ReleaseData:
    """Check the shape of releases.json and build the lookups; ValueError says what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    refs = data.get("releases")
    if not isinstance(refs, dict) or sorted(refs, key=key) != list(SUPPORTED):
        raise ValueError(f"releases must name exactly {', '.join(SUPPORTED)}")
    components: dict[str, Change] = {}
    removed: dict[str, Mapping[str, Any]] = {}
    for type_, raw in dict(data.get("components", {})).items():
        components[type_] = _change(raw, f"components.{type_}")
        if raw.get("until") is not None:
            entry = raw.get("entry")
            if not isinstance(entry, dict):
                raise ValueError(f"components.{type_}: a removed type needs its entry")
            removed[type_] = entry
    versions = dict(data.get("component_versions", {}))
    for type_, per_release in versions.items():
        if not isinstance(per_release, dict) or not set(per_release) <= set(SUPPORTED):
            raise ValueError(f"component_versions.{type_}: keys must be releases")
    metadata: dict[str, dict[str, tuple[str, Change]]] = {}
    for package, names in dict(data.get("metadata", {})).items():
        if not isinstance(names, dict):
            raise ValueError(f"metadata.{package}: expected an object")
        metadata[package] = {
            lower: (str(raw.get("name", lower)), _change(raw, f"metadata.{package}.{lower}"))
            for lower, raw in names.items()
        }
    crd: dict[str, dict[str, Change]] = {}
    for schema, paths in dict(data.get("crd_fields", {})).items():
        if not isinstance(paths, dict):
            raise ValueError(f"crd_fields.{schema}: expected an object")
        crd[schema] = {p: _change(raw, f"crd_fields.{schema}.{p}") for p, raw in paths.items()}
    specs = data.get("component_specs", {})
    if not isinstance(specs, dict):
        raise ValueError("component_specs: expected an object")
    return ReleaseData(
        component_specs={
            p: _package_specs(raw, f"component_specs.{p}") for p, raw in specs.items()
        },
        refs=refs,
        components=components,
        removed_components=removed,
        component_versions=versions,
        metadata=metadata,
        crd_fields=crd,
    )


def releases_path() -> Path:
    return schema_root() / RELEASES_FILE


@cache
def load_release_data() -> ReleaseData:
    """The project's releases.json, read once."""
    path = releases_path()
    try:
        return parse_release_data(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValueError, AttributeError) as exc:
        raise ReleaseError(
            f"{path}: unusable ({exc}); re-create it with `python -m tools schemas import-releases`"
        ) from None
