"""How a catalog entry is put together from JSON: the generated metadata.yaml facts, the
hand-written overrides (``_overrides.json``) and the fields the Go code decodes
(``code_fields.json``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from tools.dapr.component_spec import FIELD_TYPES, ComponentSpec, FieldSpec, ProfileSpec


def field_from(data: Mapping[str, Any], origin: str) -> FieldSpec:
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"field without a name: {dict(data)!r}")
    type_ = data.get("type") or "string"
    if type_ not in FIELD_TYPES:
        raise ValueError(f"field {name}: unknown type {type_!r}")
    allowed = data.get("allowed")
    default = data.get("default")
    return FieldSpec(
        name=name,
        type=type_,
        required=bool(data.get("required", False)),
        sensitive=bool(data.get("sensitive", False)),
        allowed=tuple(str(a) for a in allowed) if isinstance(allowed, list) else None,
        values_case_sensitive=bool(data.get("values_case_sensitive", False)),
        default=None if default is None else str(default),
        deprecated=bool(data.get("deprecated", False)),
        aliases=tuple(str(a) for a in data.get("aliases", ())),
        exact_key=bool(data.get("exact_key", False)),
        constraint=data.get("constraint"),
        required_unless=tuple(str(a) for a in data.get("required_unless", ())),
        origin=str(data.get("origin", origin)),
        invalid_effect=data.get("invalid_effect"),
        replaced_by=data.get("replaced_by"),
        decode=data.get("decode"),
        exact_prefix=data.get("exact_prefix"),
    )


def _patch_field(spec: FieldSpec, patch: Mapping[str, Any]) -> FieldSpec:
    """Apply a hand-written override to a generated field."""
    changes: dict[str, Any] = {}
    for key, value in patch.items():
        if key == "name":
            continue
        if key == "allowed":
            changes[key] = None if value is None else tuple(str(v) for v in value)
        elif key == "allowed_add":
            # Added once: a release's metadata.yaml may already list a value the override adds.
            added = (*(spec.allowed or ()), *(str(v) for v in value))
            changes["allowed"] = tuple(dict.fromkeys(added))
        elif key in {"aliases", "required_unless"}:
            changes[key] = tuple(str(v) for v in value)
        elif key in FieldSpec.__dataclass_fields__:
            changes[key] = value
        else:
            raise ValueError(f"field {spec.name}: unknown override key {key!r}")
    return replace(spec, **changes)


def index_fields(fields: Iterable[FieldSpec]) -> dict[str, FieldSpec]:
    """Key every field by its lower-cased name and each alias; the first definition wins."""
    out: dict[str, FieldSpec] = {}
    for spec in fields:
        for spelling in spec.spellings:
            out.setdefault(spelling.lower(), spec)
    return out


def _merge_fields(generated: Iterable[FieldSpec]) -> dict[str, FieldSpec]:
    """Merge same-named fields of the top level and of every profile into one field each.

    A top-level field keeps its own ``required``; a profile-only field is required overall only
    when every profile requires it (set by the caller); allowed values are the union over all
    definitions, or unrestricted if any definition is unrestricted.
    """
    merged: dict[str, FieldSpec] = {}
    for spec in generated:
        key = spec.name.lower()
        old = merged.get(key)
        if old is None:
            merged[key] = spec
            continue
        allowed: tuple[str, ...] | None
        if old.allowed is None or spec.allowed is None:
            allowed = None
        else:
            allowed = tuple(dict.fromkeys((*old.allowed, *spec.allowed)))
        merged[key] = replace(
            old,
            type=old.type if old.type != "string" else spec.type,
            required=old.required,
            sensitive=old.sensitive or spec.sensitive,
            allowed=allowed,
            default=old.default if old.default is not None else spec.default,
            deprecated=old.deprecated and spec.deprecated,
        )
    return merged


def component_from(entry: Mapping[str, Any], overrides: Mapping[str, Any]) -> ComponentSpec:
    type_ = str(entry["type"]).lower()
    version = str(entry["version"])
    patch = _override_for(overrides, type_, version)
    shared, own_patches = patch["shared"], patch["fields"]
    field_patches: dict[str, Any] = {**shared, **own_patches}
    top = [field_from(f, "metadata") for f in entry.get("fields", ())]
    extra = [field_from(f, "code") for f in patch["add_fields"]]
    profile_fields: list[FieldSpec] = []
    profiles: list[ProfileSpec] = []
    for raw in entry.get("profiles", ()):
        own = [field_from(f, "profile") for f in raw.get("fields", ())]
        own = [_patch_field(f, field_patches.get(f.name.lower(), {})) for f in own]
        profile_fields.extend(own)
        selectors = {
            f.name.lower(): f.allowed
            for f in own
            if f.required and f.allowed and f.origin == "profile"
        }
        profiles.append(
            ProfileSpec(
                title=str(raw.get("title", "")),
                builtin=raw.get("builtin"),
                fields=MappingProxyType(index_fields(own)),
                selectors=MappingProxyType({k: v for k, v in selectors.items() if v}),
            )
        )
    merged = _merge_fields([*top, *profile_fields])
    for key, spec in merged.items():
        if spec.origin == "profile" and profiles:
            everywhere = all(
                key in p.fields and p.fields[key].required and p.fields[key].name.lower() == key
                for p in profiles
            )
            merged[key] = replace(spec, required=everywhere)
    for spec in extra:
        merged.setdefault(spec.name.lower(), spec)
    for key, spec in list(merged.items()):
        if key in field_patches:
            merged[key] = _patch_field(spec, field_patches[key])
    unknown = set(own_patches) - set(merged)
    if unknown:
        raise ValueError(f"{type_}/{version}: overrides for fields it does not have: {unknown}")
    return ComponentSpec(
        type=type_,
        version=version,
        status=str(entry.get("status", "")),
        fields=MappingProxyType(index_fields(merged.values())),
        verified=bool(patch["verified"]),
        profiles=tuple(profiles),
        capabilities=frozenset(str(c) for c in entry.get("capabilities", ())),
        source=str(entry.get("source", "metadata")),
        open=bool(entry.get("open", False)),
    )


def _lower_keys(raw: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in (raw or {}).items()}


def _override_for(overrides: Mapping[str, Any], type_: str, version: str) -> dict[str, Any]:
    """The hand-written patch for one component version: shared groups it uses, then its own
    fields, then its version-specific fields (later wins)."""
    by_type: Mapping[str, Any] = overrides.get("components", {}).get(type_, {})
    specific: Mapping[str, Any] = by_type.get("versions", {}).get(version, {})
    shared: dict[str, Any] = {}
    add_fields: list[Any] = []
    for group in by_type.get("use", ()):
        data = overrides.get("shared_fields", {})[group]
        shared.update(_lower_keys(data.get("fields")))
        add_fields.extend(data.get("add_fields", ()))
    add_fields.extend(by_type.get("add_fields", ()))
    add_fields.extend(specific.get("add_fields", ()))
    return {
        "shared": shared,
        "fields": {**_lower_keys(by_type.get("fields")), **_lower_keys(specific.get("fields"))},
        "add_fields": add_fields,
        "verified": specific.get("verified", by_type.get("verified", False)),
    }


def with_code_fields(spec: ComponentSpec, code: Mapping[str, Any]) -> ComponentSpec:
    """Add what the component's Go code decodes (``code_fields.json``) to its entry: the Go
    decoding of known fields (unless written by hand), their ``mapstructurealiases``,
    deprecations, and names the code reads that metadata.yaml does not list."""
    package = code.get(spec.source.rpartition("/")[0])
    if not package:
        return spec
    fields = dict(spec.fields)
    for key, raw in package.items():
        known = fields.get(key)
        if known is None:
            added = field_from({**raw, "origin": "code"}, "code")
            for spelling in added.spellings:
                fields.setdefault(spelling.lower(), added)
            continue
        changes: dict[str, Any] = {}
        if known.decode is None and raw.get("decode"):
            changes["decode"] = raw["decode"]
        if known.exact_prefix is None and raw.get("exact_prefix"):
            changes["exact_prefix"] = raw["exact_prefix"]
        new_aliases = [
            a
            for a in raw.get("aliases", ())
            if a.lower() not in {s.lower() for s in known.spellings}
        ]
        if new_aliases:
            changes["aliases"] = (*known.aliases, *new_aliases)
        if raw.get("deprecated") and not known.deprecated and key == known.name.lower():
            changes["deprecated"] = True
            changes["replaced_by"] = known.replaced_by or raw.get("replaced_by")
        if not changes:
            continue
        updated = replace(known, **changes)
        for spelling, current in list(fields.items()):
            if current is known:
                fields[spelling] = updated
        for spelling in updated.spellings:
            fields.setdefault(spelling.lower(), updated)
    return replace(spec, fields=MappingProxyType(fields))
