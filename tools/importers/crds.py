"""Turn CustomResourceDefinitions into strict JSON Schemas (draft 2020-12).

The Kubernetes API server prunes fields a structural CRD schema does not declare, so a typo in a
custom resource is silently dropped rather than refused. The schemas built here refuse such
fields instead (``additionalProperties: false`` on every object that lists ``properties`` and does
not keep unknown fields), so that a validator can tell the user before the API server discards
their setting. Importing the CRDs of the Dapr version a cluster runs pins validation to that
version: ``python -m tools schemas import-crd FILE... --out DIR``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tools.core.findings import EXIT_USAGE
from tools.core.yaml_text import SafeLoader

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
CRD_KIND = "CustomResourceDefinition"
CRD_GROUP = "apiextensions.k8s.io"

# Keywords that carry the same meaning in OpenAPI v3 (as CRDs use it) and JSON Schema 2020-12.
_COPIED = (
    "type",
    "enum",
    "format",
    "pattern",
    "minimum",
    "maximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "required",
    "default",
    "description",
)
_JUNCTORS = ("allOf", "anyOf", "oneOf")
_FORMAT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}


class CrdImportError(ValueError):
    """A file or document that cannot be turned into schemas; the message says which and why."""

    exit_status = EXIT_USAGE


def convert_schema(node: Any, *, strict: bool = True) -> dict[str, Any]:
    """Convert one OpenAPI v3 CRD schema node (and its children) into JSON Schema.

    ``strict`` is false inside ``allOf``/``anyOf``/``oneOf``/``not``: a structural schema
    declares its fields outside those junctors, so closing an object there would refuse fields
    declared next to them.
    """
    if not isinstance(node, dict):
        raise CrdImportError(f"a schema node is a {type(node).__name__}, not a mapping")
    out: dict[str, Any] = {key: node[key] for key in _COPIED if key in node}
    preserve = node.get("x-kubernetes-preserve-unknown-fields") is True

    if node.get("x-kubernetes-int-or-string") is True:
        out.pop("type", None)
        out["type"] = ["integer", "string"]
    if node.get("nullable") is True and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = [*types, "null"]

    # OpenAPI 3.0 spells exclusive bounds as booleans next to minimum/maximum.
    for flag, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if node.get(flag) is True and bound in out:
            out[flag] = out.pop(bound)

    limits = _FORMAT_RANGES.get(str(node.get("format", "")))
    if limits is not None and _allows(out, "integer"):
        out.setdefault("minimum", limits[0])
        out.setdefault("maximum", limits[1])

    if node.get("x-kubernetes-list-type") == "set":
        out["uniqueItems"] = True

    properties = node.get("properties")
    if isinstance(properties, dict):
        out["properties"] = {
            str(name): convert_schema(child, strict=strict) for name, child in properties.items()
        }
    if node.get("x-kubernetes-embedded-resource") is True:
        # An embedded object always may carry its own apiVersion, kind and metadata.
        declared = out.setdefault("properties", {})
        declared.setdefault("apiVersion", {"type": "string"})
        declared.setdefault("kind", {"type": "string"})
        declared.setdefault("metadata", {"type": "object"})

    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = convert_schema(extra, strict=strict)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    elif strict and isinstance(properties, dict) and not preserve:
        out["additionalProperties"] = False

    items = node.get("items")
    if isinstance(items, dict):
        out["items"] = convert_schema(items, strict=strict)
    for junctor in _JUNCTORS:
        branches = node.get(junctor)
        if isinstance(branches, list):
            out[junctor] = [convert_schema(branch, strict=False) for branch in branches]
    if isinstance(node.get("not"), dict):
        out["not"] = convert_schema(node["not"], strict=False)
    return out


def _allows(schema: dict[str, Any], type_name: str) -> bool:
    declared = schema.get("type")
    return declared == type_name or (isinstance(declared, list) and type_name in declared)


def _versions(crd: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield (version name, openAPIV3Schema) for every served version of a CRD."""
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        raise CrdImportError("the CRD has no spec")
    shared = spec.get("validation")  # apiextensions.k8s.io/v1beta1 kept one schema for all
    shared_schema = shared.get("openAPIV3Schema") if isinstance(shared, dict) else None
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        legacy = spec.get("version")
        versions = [{"name": legacy, "served": True}] if isinstance(legacy, str) else []
    if not versions:
        raise CrdImportError("the CRD lists no versions (spec.versions is empty)")
    for entry in versions:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise CrdImportError("an entry of spec.versions has no name")
        if entry.get("served", True) is False:
            continue
        holder = entry.get("schema")
        schema = holder.get("openAPIV3Schema") if isinstance(holder, dict) else shared_schema
        if not isinstance(schema, dict):
            raise CrdImportError(
                f"version {entry['name']} has no schema.openAPIV3Schema to build a schema from"
            )
        yield entry["name"], schema


def _is_crd(doc: object) -> bool:
    if not isinstance(doc, dict):
        return False
    api_version = doc.get("apiVersion")
    return (
        doc.get("kind") == CRD_KIND
        and isinstance(api_version, str)
        and api_version.startswith(CRD_GROUP + "/")
    )


def schemas_from_crd(
    crd: dict[str, Any], *, label: str | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """Build one strict schema per served version of ``crd``, keyed by (apiVersion, kind).

    Each schema covers the whole object: apiVersion and kind must be present and equal to the
    ones the schema is for; ``metadata`` stays a free object (the API server checks it).
    ``label`` (for instance the Dapr release the CRD came from) is recorded as ``x-source``.
    """
    if not _is_crd(crd):
        kind = crd.get("kind") if isinstance(crd, dict) else None
        what = f"a {kind}" if isinstance(kind, str) and kind else "not a Kubernetes object"
        raise CrdImportError(f"document is {what}, not a {CRD_KIND} ({CRD_GROUP})")
    spec = crd.get("spec")
    group = spec.get("group") if isinstance(spec, dict) else None
    names = spec.get("names") if isinstance(spec, dict) else None
    kind = names.get("kind") if isinstance(names, dict) else None
    if not isinstance(group, str) or not group or not isinstance(kind, str) or not kind:
        raise CrdImportError("the CRD has no spec.group or spec.names.kind")

    result: dict[tuple[str, str], dict[str, Any]] = {}
    for version, source in _versions(crd):
        api_version = f"{group}/{version}"
        body = convert_schema(source)
        body.pop("description", None)
        body["type"] = "object"
        declared = body.setdefault("properties", {})
        declared["apiVersion"] = {"type": "string", "const": api_version}
        declared["kind"] = {"type": "string", "const": kind}
        declared["metadata"] = {"type": "object"}
        body["required"] = sorted({"apiVersion", "kind", *body.get("required", [])})
        header: dict[str, Any] = {
            "$schema": SCHEMA_DIALECT,
            "title": f"{kind} {api_version}",
            "x-api-version": api_version,
            "x-kind": kind,
        }
        crd_meta = crd.get("metadata")
        crd_name = crd_meta.get("name") if isinstance(crd_meta, dict) else None
        if isinstance(crd_name, str):
            header["x-crd"] = crd_name
        if label:
            header["x-source"] = label
        result[(api_version, kind)] = {**header, **body}
    return result


def _load_documents(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CrdImportError(f"{path}: cannot be read ({exc.__class__.__name__})") from exc
    try:
        return [doc for doc in yaml.load_all(text, Loader=SafeLoader) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise CrdImportError(f"{path}{where}: not valid YAML") from exc


def import_crd_files(paths: list[Path], out_dir: Path, *, label: str | None = None) -> list[Path]:
    """Write ``<kind-lower>-<version>.json`` into ``out_dir`` for every CRD version in ``paths``.

    Every document of every file must be a CRD; nothing is written unless all of them convert.
    """
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for path in paths:
        documents = _load_documents(path)
        if not documents:
            raise CrdImportError(f"{path}: empty file, expected a {CRD_KIND}")
        for number, doc in enumerate(documents, start=1):
            try:
                schemas.update(schemas_from_crd(doc, label=label))
            except CrdImportError as exc:
                raise CrdImportError(f"{path} (document {number}): {exc}") from exc
    return write_schemas(schemas, out_dir)


CRD_DIR = "charts/dapr/crds"


def schemas_at_ref(source: Any, directory: str = CRD_DIR) -> dict[tuple[str, str], dict[str, Any]]:
    """Strict schemas of every CRD in ``directory`` of a git ref (``tools.importers.source``'s
    GitRef or Checkout), keyed by (apiVersion, kind); the label is the source's."""
    schemas: dict[tuple[str, str], dict[str, Any]] = {}
    for name in source.files(directory):
        if not name.endswith((".yaml", ".yml")):
            continue
        where = f"{directory}/{name}"
        try:
            documents = [d for d in yaml.load_all(source.read(where), Loader=SafeLoader) if d]
        except yaml.YAMLError as exc:
            raise CrdImportError(f"{where}: not valid YAML") from exc
        for number, doc in enumerate(documents, start=1):
            try:
                schemas.update(schemas_from_crd(doc, label=source.label))
            except CrdImportError as exc:
                raise CrdImportError(f"{where} (document {number}): {exc}") from exc
    if not schemas:
        raise CrdImportError(f"{source.label}: no CRD under {directory}")
    return schemas


def write_schemas(schemas: dict[tuple[str, str], dict[str, Any]], out_dir: Path) -> list[Path]:
    """Write ``<kind-lower>-<version>.json`` for each schema into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for (api_version, kind), schema in sorted(schemas.items()):
        version = api_version.rpartition("/")[2]
        target = out_dir / f"{kind.lower()}-{version}.json"
        target.write_text(json.dumps(schema, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        written.append(target)
    return written
