"""``python -m tools schemas import-releases``: what changed between the supported Dapr releases.

For each supported minor release, the newest patch tag of dapr/dapr is read (its daprd component
registry and its CRDs) together with the components-contrib tag its go.mod pins (the
metadata.yaml files and the Go structs each registered component decodes). Each release is
compared with the newest one, whose full data is the rest of ``schemas``; only the
differences are written, with ``since``/``until`` per entry (``tools.dapr.releases`` reads them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.dapr.supported import NEWEST, SUPPORTED
from tools.importers import code_fields
from tools.importers.crds import schemas_at_ref
from tools.importers.daprd_components import import_registry
from tools.importers.metadata_yaml import read_metadata_at
from tools.importers.source import GitRef, SourceError
from tools.importers.spec_changes import diff_specs, package_specs

CONTRIB_MODULE = "github.com/dapr/components-contrib"
_PATCH = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


def newest_patch(dapr: Path, release: str) -> str:
    """The newest ``vX.Y.Z`` tag of ``release`` in the dapr/dapr repository (no pre-releases)."""
    listing = GitRef(dapr, "HEAD")._git("tag", "--list", f"v{release}.*")
    tags = [t for t in listing.split() if _PATCH.fullmatch(t)]
    if not tags:
        raise SourceError(f"{dapr}: no tag v{release}.N")
    return max(tags, key=lambda t: tuple(int(p) for p in t[1:].split(".")))


def pinned_contrib(dapr: Path, ref: str) -> str:
    """The components-contrib version dapr/dapr's go.mod requires at ``ref``."""
    for line in GitRef(dapr, ref).read("go.mod").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] in {CONTRIB_MODULE, "require"} and CONTRIB_MODULE in line:
            return parts[parts.index(CONTRIB_MODULE) + 1]
    raise SourceError(f"{dapr}@{ref}: go.mod does not require {CONTRIB_MODULE}")


def _field_paths(node: Any, prefix: str, out: set[str], open_out: set[str]) -> None:
    """Every declared field path of a strict schema into ``out``; into ``open_out`` the objects
    that keep unknown fields (``x-kubernetes-preserve-unknown-fields``: nothing is pruned)."""
    if not isinstance(node, dict):
        return
    if "properties" in node and node.get("additionalProperties") is not False:
        open_out.add(prefix)
    for name, child in node.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        out.add(path)
        _field_paths(child, path, out, open_out)
    if isinstance(node.get("items"), dict):
        _field_paths(node["items"], prefix + "[]", out, open_out)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        _field_paths(extra, prefix + "{}", out, open_out)


def _metadata_names(
    catalog: list[dict[str, Any]], code: Mapping[str, Any]
) -> dict[str, dict[str, str]]:
    """Per contrib package: every metadata name (lower-cased -> spelling) its metadata.yaml
    lists or its Go structs decode (with aliases)."""
    names: dict[str, dict[str, str]] = {}
    for entry in catalog:
        found = names.setdefault(str(entry["source"]).rpartition("/")[0], {})
        groups = [
            entry.get("fields", ()),
            *(p.get("fields", ()) for p in entry.get("profiles", ())),
        ]
        for fields in groups:
            for item in fields:
                found.setdefault(item["name"].lower(), item["name"])
    for package, fields in code.get("packages", {}).items():
        found = names.setdefault(package, {})
        for lower, item in fields.items():
            found.setdefault(lower, item["name"])
            for alias in item.get("aliases", ()):
                found.setdefault(alias.lower(), alias)
    return names


def read_release(dapr: Path, contrib: Path, dapr_ref: str, contrib_ref: str) -> dict[str, Any]:
    """Everything compared for one release: registry, metadata names and specs, CRD field
    paths."""
    registry, _ = import_registry(GitRef(dapr, dapr_ref), dapr_ref)
    contrib_source = GitRef(contrib, contrib_ref)
    catalog, _ = read_metadata_at(contrib_source)
    packages = code_fields.registry_packages(registry)
    code, _ = code_fields.import_code_fields(contrib_source, packages, contrib_ref)
    crds: dict[str, set[str]] = {}
    open_objects: dict[str, set[str]] = {}
    for (api_version, kind), schema in schemas_at_ref(GitRef(dapr, dapr_ref)).items():
        name = f"{kind.lower()}-{api_version.rpartition('/')[2]}"
        crds[name], open_objects[name] = set(), set()
        _field_paths(schema, "", crds[name], open_objects[name])
    return {
        "registry": {c["type"]: c for c in registry["components"]},
        "metadata": _metadata_names(catalog, code),
        "specs": package_specs(catalog),
        "crds": crds,
        "open": open_objects,
    }


def _span(present: list[str]) -> dict[str, str]:
    """since/until of an entry present in ``present`` (a contiguous run of releases)."""
    out: dict[str, str] = {}
    if present[0] != SUPPORTED[0]:
        out["since"] = present[0]
    if present[-1] != NEWEST:
        out["until"] = present[-1]
    return out


def diff_releases(per_release: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The since/until records of everything not the same in every supported release."""
    newest = per_release[NEWEST]
    components: dict[str, Any] = {}
    versions: dict[str, Any] = {}
    all_types = sorted({t for data in per_release.values() for t in data["registry"]})
    for type_ in all_types:
        present = [r for r in SUPPORTED if type_ in per_release[r]["registry"]]
        span = _span(present)
        if "until" in span:
            span["entry"] = per_release[span["until"]]["registry"][type_]
        if span:
            components[type_] = span
        if type_ not in newest["registry"]:
            continue
        wanted = newest["registry"][type_]
        for release in present:
            entry = per_release[release]["registry"][type_]
            if (entry["versions"], entry.get("default")) != (
                wanted["versions"],
                wanted.get("default"),
            ):
                versions.setdefault(type_, {})[release] = {
                    k: entry[k] for k in ("versions", "default", "preferred") if k in entry
                }
    metadata: dict[str, Any] = {}
    for package in sorted({p for data in per_release.values() for p in data["metadata"]}):
        having = [r for r in SUPPORTED if package in per_release[r]["metadata"]]
        spellings: dict[str, str] = {}
        for release in reversed(having):
            for lower, name in per_release[release]["metadata"][package].items():
                spellings.setdefault(lower, name)
        for lower in sorted(spellings):
            present = [r for r in having if lower in per_release[r]["metadata"][package]]
            span = {}
            if present[0] != having[0]:
                span["since"] = present[0]
            if present[-1] != having[-1]:
                span["until"] = present[-1]
            if span:
                metadata.setdefault(package, {})[lower] = {"name": spellings[lower], **span}
    crd_fields: dict[str, Any] = {}
    for schema, paths in sorted(newest["crds"].items()):
        if not all(schema in per_release[r]["crds"] for r in SUPPORTED):
            continue  # a CRD newer than the oldest release: its kind is not validated here
        first = {
            path: next(r for r in SUPPORTED if path in per_release[r]["crds"][schema])
            for path in paths
        }
        added: dict[str, str] = {}
        for path in sorted(paths):
            parent = path.rsplit(".", 1)[0].removesuffix("[]").removesuffix("{}")
            if "." not in path:
                parent = ""
            earlier = SUPPORTED[: SUPPORTED.index(first[path])]
            kept = any(parent in per_release[r].get("open", {}).get(schema, ()) for r in earlier)
            if earlier and not kept and first.get(parent) != first[path]:
                added[path] = first[path]
        if added:
            crd_fields[schema] = {p: {"since": r} for p, r in added.items()}
    return {
        "components": components,
        "component_versions": versions,
        "metadata": metadata,
        "component_specs": diff_specs({r: d.get("specs", {}) for r, d in per_release.items()}),
        "crd_fields": crd_fields,
    }


def dumps(data: Mapping[str, Any]) -> str:
    """One line per entry, so a diff shows what a re-import changed."""
    lines = ["{"]
    sections = ("components", "component_versions", "metadata", "component_specs", "crd_fields")
    for name in [k for k in data if k not in sections]:
        lines.append(f" {json.dumps(name)}: {json.dumps(data[name], sort_keys=True)},")
    for index, section in enumerate(sections):
        entries = data[section]
        lines.append(f" {json.dumps(section)}: {{")
        for number, (name, value) in enumerate(sorted(entries.items())):
            comma = "," if number < len(entries) - 1 else ""
            lines.append(f"  {json.dumps(name)}: {json.dumps(value, sort_keys=True)}{comma}")
        lines.append(" }" + ("," if index < len(sections) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def import_releases(
    dapr: Path, contrib: Path, refs: Mapping[str, Mapping[str, str]] | None
) -> dict[str, Any]:
    """The releases.json data; ``refs`` pins the tags (as recorded), else the newest patches."""
    chosen: dict[str, dict[str, str]] = {}
    per_release: dict[str, dict[str, Any]] = {}
    for release in SUPPORTED:
        if refs is not None and release in refs:
            dapr_ref, contrib_ref = refs[release]["dapr"], refs[release]["contrib"]
        else:
            dapr_ref = newest_patch(dapr, release)
            contrib_ref = pinned_contrib(dapr, dapr_ref)
        chosen[release] = {"dapr": dapr_ref, "contrib": contrib_ref}
        per_release[release] = read_release(dapr, contrib, dapr_ref, contrib_ref)
    return {
        "generated_by": "python -m tools schemas import-releases",
        "newest": NEWEST,
        "releases": chosen,
        **diff_releases(per_release),
    }
