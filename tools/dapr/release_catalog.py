"""The component catalog as one supported Dapr release's components-contrib describes it.

The generated catalog (``schemas/dapr-components/catalog.json``) is the newest release's.
For another release, the ``component_specs`` records of ``schemas/releases.json`` are put
back into the generated metadata.yaml entries first (older ``required``/``type``/``allowed``/
``default``/``deprecated`` values; fields and authentication profiles the release lacks or
only it has), then the catalog is built as usual (hand-written overrides, code fields), and
last the metadata names the release's daprd does not read yet (or any more) are taken out.
Every release's catalog also says since when a deprecated field is deprecated, where an
earlier supported release did not deprecate it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache, partial
from types import MappingProxyType
from typing import Any

from tools.dapr.catalog import (
    Catalog,
    LazySpecs,
    SpecKey,
    build_catalog,
    load_catalog,
    lookup_component,
    read_catalog_files,
)
from tools.dapr.component_spec import CatalogError, ComponentSpec, FieldSpec
from tools.dapr.releases import (
    PackageSpecChanges,
    ReleaseData,
    SpecChange,
    applying,
    key,
    load_release_data,
)
from tools.dapr.supported import NEWEST, SUPPORTED

_FLAGS = frozenset({"required", "deprecated", "sensitive"})


def _patched(raw: Mapping[str, Any], record: SpecChange | None) -> dict[str, Any] | None:
    """A generated field with an older release's record applied (None: the release lacks it)."""
    if record is None:
        return dict(raw)
    if record.values.get("absent"):
        return None
    if "entry" in record.values:
        return dict(record.values["entry"])
    out = dict(raw)
    for attribute, value in record.values.items():
        if value is None or (attribute in _FLAGS and value is False):
            out.pop(attribute, None)
        else:
            out[attribute] = True if attribute in _FLAGS else value
    return out


def _fields_at(
    fields: list[Mapping[str, Any]],
    changes: Mapping[str, tuple[SpecChange, ...]],
    release: str,
) -> list[dict[str, Any]]:
    out = []
    listed = set()
    for raw in fields:
        lower = str(raw["name"]).lower()
        listed.add(lower)
        patched = _patched(raw, applying(changes.get(lower), release))
        if patched is not None:
            out.append(patched)
    for lower, records in sorted(changes.items()):
        record = applying(records, release)
        if lower not in listed and record is not None and "entry" in record.values:
            out.append(dict(record.values["entry"]))
    return out


def entry_at(entry: Mapping[str, Any], changes: PackageSpecChanges, release: str) -> dict[str, Any]:
    """One generated catalog entry as ``release``'s metadata.yaml has it."""
    out = dict(entry)
    out["fields"] = _fields_at(list(entry.get("fields", ())), changes.fields, release)
    profiles = []
    titles = set()
    for raw in entry.get("profiles", ()):
        title = str(raw.get("title", ""))
        titles.add(title)
        record = applying(changes.profiles.get(title), release)
        if record is not None and record.values.get("absent"):
            continue
        own = changes.profile_fields.get(title, {})
        profiles.append({**raw, "fields": _fields_at(list(raw.get("fields", ())), own, release)})
    for title, records in sorted(changes.profiles.items()):
        record = applying(records, release)
        if title not in titles and record is not None and "entry" in record.values:
            profiles.append(dict(record.values["entry"]))
    if profiles or "profiles" in entry:
        out["profiles"] = profiles
    return out


def _deprecated_since(records: list[tuple[SpecChange, ...]], release: str) -> str | None:
    """The release after the last earlier one whose records say "not deprecated", if any."""
    earlier = [r for r in SUPPORTED if key(r) < key(release)]
    not_yet = [
        r
        for r in earlier
        for group in records
        if (found := applying(group, r)) is not None and found.values.get("deprecated") is False
    ]
    if not not_yet:
        return None
    return SUPPORTED[SUPPORTED.index(max(not_yet, key=key)) + 1]


def _narrowed(spec: ComponentSpec, data: ReleaseData, release: str) -> ComponentSpec:
    """Drop the metadata names ``release`` does not read; date the deprecations."""
    package = spec.source.rpartition("/")[0]
    gone = {
        lower
        for lower, (_, change) in data.metadata.get(package, {}).items()
        if not change.present_in(release)
    }
    changes = data.component_specs.get(package, PackageSpecChanges())

    def keep(fields: Mapping[str, FieldSpec]) -> dict[str, FieldSpec]:
        out = {}
        for spelling, found in fields.items():
            lower = found.name.lower()
            if spelling in gone or lower in gone:
                continue
            since = None
            if found.deprecated and found.deprecated_since is None:
                groups = [changes.fields.get(lower, ())]
                groups += [own.get(lower, ()) for own in changes.profile_fields.values()]
                since = _deprecated_since(groups, release)
            out[spelling] = found if since is None else replace(found, deprecated_since=since)
        return out

    profiles = tuple(
        replace(
            p,
            fields=MappingProxyType(keep(p.fields)),
            selectors=MappingProxyType({k: v for k, v in p.selectors.items() if k not in gone}),
        )
        for p in spec.profiles
    )
    return replace(spec, fields=MappingProxyType(keep(spec.fields)), profiles=profiles)


def build_release_catalog(
    generated: Mapping[str, Any],
    overrides: Mapping[str, Any],
    code_fields: Mapping[str, Any],
    data: ReleaseData,
    release: str,
    *,
    lazy: bool = False,
) -> Catalog:
    """The catalog of ``release`` from the newest release's files and the release data."""
    entries = []
    for entry in generated.get("components", ()):
        changes = data.component_specs.get(str(entry.get("source", "")).rpartition("/")[0])
        entries.append(entry if changes is None else entry_at(entry, changes, release))
    catalog = build_catalog({**generated, "components": entries}, overrides, code_fields, lazy=lazy)
    return narrowed(catalog, data, release, lazy=lazy)


def narrowed(catalog: Catalog, data: ReleaseData, release: str, *, lazy: bool = False) -> Catalog:
    """A copy of ``catalog`` without the names ``release`` does not read, deprecations dated
    (each entry narrowed on first lookup when ``lazy``)."""

    def narrow(found: SpecKey) -> ComponentSpec:
        return _narrowed(catalog.components[found], data, release)

    specs = LazySpecs()
    for found in catalog.components:
        specs.put(found, partial(narrow, found), catalog.source_of(found))
    if not lazy:
        specs.build_all()
    return replace(catalog, components=specs, _package_keys={})


@cache
def catalog_at(release: str) -> Catalog:
    """The project catalog as Dapr ``release`` has it, built once per release. No record
    applies to the newest release, so its catalog is the generated one, narrowed."""
    data = load_release_data()
    if release == NEWEST:
        return narrowed(load_catalog(), data, release, lazy=True)
    generated, overrides, code_fields = read_catalog_files()
    try:
        return build_release_catalog(generated, overrides, code_fields, data, release, lazy=True)
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"catalog for Dapr {release}: malformed ({exc})") from None


def spec_for(type_: str, version: str, release: str | None = None) -> ComponentSpec | None:
    """The catalog entry of a component type and version, as Dapr ``release`` (a supported
    minor) describes it; without a release, the generated catalog's (the newest release's), and
    the release data is not read. The one spec lookup: rules reach it through
    ``tools.dapr.release.DaprRelease.spec``."""
    if release is None:
        return lookup_component(load_catalog(), type_, version)
    return lookup_component(catalog_at(release), type_, version, release)
