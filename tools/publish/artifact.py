"""The artifact ``helm push`` would write for a chart package, byte for byte: the config blob
(the chart's metadata as Helm loads it), the layers, and the manifest with Helm's annotations;
and whether a manifest carries a given package."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.chart.package import Package
from tools.publish.bounds import Deadline
from tools.publish.errors import PublishError
from tools.publish.helm_calls import show_chart
from tools.publish.oci import (
    CHART_LAYER,
    CONFIG_TYPE,
    PROV_LAYER,
    Descriptor,
    Manifest,
    go_json,
    image_manifest,
)

# Go's json.Marshal of Helm's chart.Metadata writes the struct's fields in this order, each left
# out when empty ("omitempty"), except a dependency's name and repository.
METADATA_FIELDS = (
    "name", "home", "sources", "version", "description", "keywords", "maintainers", "icon",
    "apiVersion", "condition", "tags", "appVersion", "deprecated", "annotations", "kubeVersion",
    "dependencies", "type",
)  # fmt: skip
MAINTAINER_FIELDS = ("name", "email", "url")
DEPENDENCY_FIELDS = (
    "name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias",
)  # fmt: skip
DEPENDENCY_ALWAYS = frozenset({"name", "repository"})
OCI_ANNOTATION = "org.opencontainers.image."


def _scalar(value: Any) -> Any:
    """A YAML scalar as the Go string field holds it (a date-like string stays a string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return value if isinstance(value, str) else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _ordered(data: Any, fields: Iterable[str], always: frozenset[str] = frozenset()) -> Any:
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key in fields:
        value = data.get(key)
        if key == "maintainers" and isinstance(value, list):
            value = [_ordered(m, MAINTAINER_FIELDS) for m in value if m]
        elif key == "dependencies" and isinstance(value, list):
            value = [_ordered(d, DEPENDENCY_FIELDS, DEPENDENCY_ALWAYS) for d in value if d]
        elif key == "annotations" and isinstance(value, dict):
            value = {
                str(k): _scalar(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
            }
        elif isinstance(value, list):
            value = [_scalar(v) for v in value]
        elif key not in ("deprecated", "enabled"):
            value = _scalar(value)
        if value or key in always:
            out[key] = "" if value is None else value
    return out


def chart_metadata(helm: Path, archive: Path, env: dict[str, str], deadline: Deadline) -> Any:
    """The chart's metadata as Helm loads it (validated and sanitised): ``helm show chart``."""
    data = show_chart(
        helm, archive, env, deadline, what="helm show chart", failed="helm show chart failed"
    )
    if not isinstance(data, dict):
        raise PublishError(f"helm show chart {archive.name} printed no chart metadata")
    return _ordered(data, METADATA_FIELDS)


def helm_annotations(metadata: dict[str, Any], created: str) -> dict[str, str]:
    """The manifest annotations ``helm push`` sets (Helm's ``generateOCIAnnotations``)."""
    out: dict[str, str] = {}

    def put(key: str, value: Any) -> None:
        if isinstance(value, str) and value.strip():
            out[OCI_ANNOTATION + key] = value

    put("description", metadata.get("description"))
    put("title", metadata.get("name"))
    put("version", metadata.get("version"))
    put("url", metadata.get("home"))
    put("created", created)
    put("source", (metadata.get("sources") or [""])[0])
    authors = []
    for maintainer in metadata.get("maintainers") or []:
        email = maintainer.get("email")
        authors.append(str(maintainer.get("name") or "") + (f" ({email})" if email else ""))
    put("authors", ", ".join(authors))
    fixed = {OCI_ANNOTATION + "version", OCI_ANNOTATION + "title"}
    for key, value in (metadata.get("annotations") or {}).items():
        if key not in fixed:
            out[key] = value
    return out


@dataclass(frozen=True)
class Artifact:
    """What goes to the registry: blobs (config first) and the manifest naming them."""

    blobs: tuple[tuple[Descriptor, bytes], ...]
    manifest: bytes

    @property
    def digest(self) -> str:
        return "sha256:" + hashlib.sha256(self.manifest).hexdigest()


def build_artifact(package: Package, metadata: dict[str, Any], epoch: int) -> Artifact:
    config = go_json(metadata)
    blobs = [(Descriptor.of(CONFIG_TYPE, config), config)]
    archive = package.archive.read_bytes()
    blobs.append((Descriptor.of(CHART_LAYER, archive), archive))
    if package.provenance is not None:
        prov = package.provenance.read_bytes()
        blobs.append((Descriptor.of(PROV_LAYER, prov), prov))
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    manifest = image_manifest(
        blobs[0][0], [d for d, _ in blobs[1:]], helm_annotations(metadata, created)
    )
    return Artifact(tuple(blobs), manifest)


def layer_of(manifest: Manifest, media_type: str) -> dict[str, Any]:
    layers = manifest.layers(media_type)
    return layers[0] if layers else {}


def carries(manifest: Manifest, package: Package) -> bool:
    if layer_of(manifest, CHART_LAYER).get("digest") != "sha256:" + package.sha256:
        return False
    if package.provenance is None:
        return True
    prov = "sha256:" + hashlib.sha256(package.provenance.read_bytes()).hexdigest()
    return layer_of(manifest, PROV_LAYER).get("digest") == prov
