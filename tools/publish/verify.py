"""Reading a publish back: the manifest by digest, its layers (bounded, digest-checked) equal to
the local files byte for byte, and ``helm show chart`` of the downloaded archive proving Helm
loads it (a local file: helm gets no registry access and no credentials)."""

from __future__ import annotations

from pathlib import Path

from tools.chart.package import Package
from tools.publish.artifact import carries, layer_of
from tools.publish.errors import PublishError
from tools.publish.helm_calls import show_chart
from tools.publish.oci import CHART_LAYER, PROV_LAYER, Manifest
from tools.publish.push import Run


def verify(run: Run, package: Package, digest: str, work: Path) -> None:
    """Read the manifest by digest, download its layers and compare them with the local files;
    then have helm load the downloaded archive."""
    repository = run.options.registry.repository(package.name)
    manifest = run.client.manifest(repository, digest)
    if manifest is None:
        raise PublishError(f"the registry has no manifest {digest} right after the push")
    if not carries(manifest, package):
        raise PublishError(
            f"the pushed manifest {digest} does not carry this archive"
            + (" and its provenance" if package.provenance else "")
        )
    archive = _download(run, repository, manifest, CHART_LAYER, package.archive)
    if package.provenance is not None:
        _download(run, repository, manifest, PROV_LAYER, package.provenance)
    pulled = work / "pulled"
    pulled.mkdir()
    copy = pulled / package.archive.name
    copy.write_bytes(archive)
    _loads(run, package, copy, digest)


def _download(run: Run, repository: str, manifest: Manifest, media_type: str, local: Path) -> bytes:
    """The layer's bytes, read no further than the local file's size; they must equal it."""
    expected = local.read_bytes()
    layer = layer_of(manifest, media_type)
    if layer.get("size") != len(expected):
        raise PublishError(
            f"the pushed manifest {manifest.digest} gives {local.name} a size of "
            f"{layer.get('size')!r}, not its {len(expected)} bytes"
        )
    data = run.client.blob(repository, str(layer.get("digest")), len(expected))
    if data != expected:
        raise PublishError(f"{local.name} read back from the registry differs from the one pushed")
    return data


def _loads(run: Run, package: Package, archive: Path, digest: str) -> None:
    shown = show_chart(
        run.helm,
        archive,
        run.env,
        run.deadline,
        what=f"helm show chart of the archive read back from {digest}",
        failed=f"helm cannot load the archive read back from {digest}",
    )
    named = (str(shown.get("name")), str(shown.get("version"))) if isinstance(shown, dict) else None
    if named != (package.name, package.version):
        raise PublishError(
            f"helm show chart of the archive read back from {digest} does not name "
            f"{package.name} {package.version}"
        )
