"""The OCI formats a chart is published in: media types, descriptors, manifests, and JSON written
byte for byte as Helm (Go's ``encoding/json``) writes it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tools.publish.transport import printable

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST, DOCKER_LIST)
"""Every kind a tag can hold: a registry answers 404 for a kind the request does not accept, so
an existence check that left one out would call a taken tag free."""
ARTIFACT_KINDS = {
    OCI_MANIFEST: "an OCI image manifest",
    OCI_INDEX: "an OCI image index",
    DOCKER_MANIFEST: "a Docker image manifest",
    DOCKER_LIST: "a Docker manifest list",
}
CONFIG_TYPE = "application/vnd.cncf.helm.config.v1+json"
CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
PROV_LAYER = "application/vnd.cncf.helm.chart.provenance.v1.prov"


@dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor, serialised in the field order Go's image-spec types use."""

    media_type: str
    digest: str
    size: int

    @classmethod
    def of(cls, media_type: str, data: bytes) -> Descriptor:
        return cls(media_type, sha256_digest(data), len(data))

    def as_json(self) -> dict[str, Any]:
        return {"mediaType": self.media_type, "digest": self.digest, "size": self.size}


@dataclass(frozen=True)
class Manifest:
    digest: str
    media_type: str
    data: dict[str, Any]

    def layers(self, media_type: str) -> list[dict[str, Any]]:
        layers = self.data.get("layers")
        if not isinstance(layers, list):
            return []
        return [x for x in layers if isinstance(x, dict) and x.get("mediaType") == media_type]


def load_json(data: bytes | str) -> Any:
    """``json.loads``, with nesting too deep for the parser a ValueError like any other bad JSON."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def artifact_kind(media_type: str) -> str:
    """What a manifest media type holds, in words."""
    kind = ARTIFACT_KINDS.get(media_type.partition(";")[0].strip())
    return kind or f"an artifact of type {printable(media_type or 'unknown', 80)!r}"


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def image_manifest(
    config: Descriptor, layers: list[Descriptor], annotations: Mapping[str, str]
) -> bytes:
    """The manifest bytes Helm writes: Go's ``json.Marshal`` of an image-spec ``Manifest``.

    Helm 3.17 and 4 leave ``mediaType`` unset (so it is omitted), sort the layers by digest,
    and Go writes map keys sorted and ``<``, ``>``, ``&`` escaped.
    """
    manifest: dict[str, Any] = {
        "schemaVersion": 2,
        "config": config.as_json(),
        "layers": [d.as_json() for d in sorted(layers, key=lambda d: d.digest)],
    }
    if annotations:
        manifest["annotations"] = dict(sorted(annotations.items()))
    return go_json(manifest)


def go_json(value: Any) -> bytes:
    """Compact JSON as Go's ``encoding/json`` writes it (HTML-safe escapes, UTF-8 kept)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text.encode("utf-8")
