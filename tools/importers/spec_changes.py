"""How each components-contrib ``metadata.yaml`` of an older release differs from the newest.

``python -m tools schemas import-releases`` reads the metadata files of every supported release
(``tools.importers.metadata_yaml.read_metadata_at``); this module keeps, per contrib package,
only the fields (top level and per authentication profile, by title) whose spec is not the newest
one's:

- a field both releases list: the older values of the attributes that differ
  (``required``, ``type``, ``allowed``, ``default``, ``deprecated``, ``sensitive``);
- a field only the older release lists: ``entry``, its whole older definition;
- a required field only the newest lists: ``absent`` (a field the newest release lists but does
  not require is left to the metadata-name records, which say since when daprd reads it);
- a profile only the newest has: ``absent``; a profile only the older has: ``entry``.

Each record carries the releases it applies to (``since``/``until``, as ``tools.dapr.releases``
reads them); consecutive older releases with the same difference share one record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.dapr.supported import NEWEST, SUPPORTED

ATTRIBUTES = ("type", "required", "allowed", "default", "deprecated", "sensitive")
FLAGS = frozenset({"required", "deprecated", "sensitive"})
OLDER = SUPPORTED[:-1]


def package_specs(catalog: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per contrib package: its metadata.yaml fields and profiles (by title), keyed to compare."""
    out: dict[str, dict[str, Any]] = {}
    for entry in catalog:
        package = str(entry["source"]).rpartition("/")[0]
        out[package] = {
            "fields": {str(f["name"]).lower(): f for f in entry.get("fields", ())},
            "profiles": {
                str(p.get("title", "")): {
                    "entry": p,
                    "fields": {str(f["name"]).lower(): f for f in p.get("fields", ())},
                }
                for p in entry.get("profiles", ())
            },
        }
    return out


def _value(raw: Mapping[str, Any], attribute: str) -> Any:
    if attribute in FLAGS:
        return bool(raw.get(attribute, False))
    if attribute == "type":
        return raw.get("type") or "string"
    return raw.get(attribute)


def field_change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> Any:
    """What an older release's definition of one field changes against the newest, or None."""
    if old is None:
        return {"absent": True} if new is not None and new.get("required") else None
    if new is None:
        return {"entry": dict(old)}
    diff = {a: _value(old, a) for a in ATTRIBUTES if _value(old, a) != _value(new, a)}
    return diff or None


def records(per_release: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One record per run of consecutive older releases with the same (non-None) change."""
    runs: list[tuple[str, str, Any]] = []
    for release in OLDER:
        value = per_release.get(release)
        if value is None:
            continue
        if runs and runs[-1][2] == value and OLDER.index(runs[-1][1]) == OLDER.index(release) - 1:
            runs[-1] = (runs[-1][0], release, value)
        else:
            runs.append((release, release, value))
    out = []
    for first, last, value in runs:
        span = {} if first == SUPPORTED[0] else {"since": first}
        out.append({**span, "until": last, **value})
    return out


def _fields_diff(
    olds: Mapping[str, Mapping[str, Any] | None], new: Mapping[str, Any]
) -> dict[str, Any]:
    """Records per field name, for fields maps of the older releases and of the newest."""
    names = set(new) | {n for old in olds.values() if old is not None for n in old}
    out: dict[str, Any] = {}
    for name in sorted(names):
        found = records(
            {
                r: field_change(old.get(name), new.get(name)) if old is not None else None
                for r, old in olds.items()
            }
        )
        if found:
            out[name] = found
    return out


def _package_diff(
    olds: Mapping[str, Mapping[str, Any] | None], new: Mapping[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = _fields_diff(
        {r: old["fields"] if old is not None else None for r, old in olds.items()}, new["fields"]
    )
    if fields:
        out["fields"] = fields
    titles = set(new["profiles"]) | {
        t for old in olds.values() if old is not None for t in old["profiles"]
    }
    profiles: dict[str, Any] = {}
    profile_fields: dict[str, Any] = {}
    for title in sorted(titles):
        mine = new["profiles"].get(title)
        states: dict[str, Any] = {}
        for release, old in olds.items():
            theirs = old["profiles"].get(title) if old is not None else None
            if old is None or (theirs is None and mine is None):
                states[release] = None
            elif theirs is None:
                states[release] = {"absent": True}
            elif mine is None:
                states[release] = {"entry": theirs["entry"]}
            else:
                states[release] = None
        if found := records(states):
            profiles[title] = found
        if mine is None:
            continue
        shared: dict[str, Mapping[str, Any] | None] = {}
        for release, old in olds.items():
            theirs = old["profiles"].get(title) if old is not None else None
            shared[release] = theirs["fields"] if theirs is not None else None
        if changed := _fields_diff(shared, mine["fields"]):
            profile_fields[title] = changed
    if profiles:
        out["profiles"] = profiles
    if profile_fields:
        out["profile_fields"] = profile_fields
    return out


def diff_specs(per_release: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Per contrib package the newest release has, the records of its older definitions.

    ``per_release`` maps each supported release to ``package_specs`` of its catalog. A package
    only older releases have belongs to a type the newest release no longer registers: its
    metadata is not checked there, so it is not recorded.
    """
    newest = per_release[NEWEST]
    out: dict[str, Any] = {}
    for package in sorted(newest):
        olds = {r: per_release[r].get(package) for r in OLDER}
        if diff := _package_diff(olds, newest[package]):
            out[package] = diff
    return out
