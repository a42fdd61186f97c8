"""What the image rules share: a container image reference split into name, tag and digest
as the container runtime reads it, and every image a Pod or pod template runs, the daprd image
of a Dapr pod included (the ``dapr.io/sidecar-image`` annotation)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from tools.core.resource import Resource
from tools.rules.kubernetes._field import brief
from tools.rules.kubernetes._pods import Path, containers
from tools.rules.security._dapr_sidecar import injects_sidecar
from tools.rules.security._pod_security import pod_view

SIDECAR_IMAGE = "dapr.io/sidecar-image"
DAPRD_LABEL = "the daprd sidecar"
# The longest reference read at all: the name is at most 255 bytes, a tag 128, a digest is short.
_MAX_REFERENCE = 1024
_TAG_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_TAG_CHARS = _TAG_FIRST | frozenset(".-")


@dataclass(frozen=True)
class ImageReference:
    """A reference split as the runtime splits it: ``name[:tag][@digest]``."""

    name: str
    tag: str | None
    digest: str | None


def parse_image(text: str) -> ImageReference | None:
    """Split ``text`` into name, tag and digest; None when it is not a reference at all (an
    empty part, a tag with characters a tag may not have), which the kubelet refuses to pull
    (``InvalidImageName``) and which other rules own. Single pass, no regular expression."""
    if not text or len(text) > _MAX_REFERENCE or text != text.strip():
        return None
    named, at, digest = text.partition("@")
    if at and not _is_digest(digest):
        return None
    # A tag follows the last ':' only when no '/' comes after it: in
    # "registry.example:5000/app" the ':' belongs to the host and port.
    colon = named.rfind(":")
    tag: str | None = None
    if colon > named.rfind("/"):
        named, tag = named[:colon], named[colon + 1 :]
        if not _is_tag(tag):
            return None
    if not named or named.startswith("/") or named.endswith("/") or "//" in named:
        return None
    if ":" in named:
        # Only a registry host may carry a ':', and only before a port number.
        host, slash, rest = named.partition("/")
        port = host.partition(":")[2]
        if not slash or ":" in rest or not (port.isascii() and port.isdigit()):
            return None
    return ImageReference(named, tag, digest if at else None)


def _is_tag(tag: str) -> bool:
    return 0 < len(tag) <= 128 and tag[0] in _TAG_FIRST and _TAG_CHARS.issuperset(tag)


def _is_digest(digest: str) -> bool:
    algorithm, colon, encoded = digest.partition(":")
    return bool(colon and algorithm and encoded) and (algorithm + encoded).isascii()


@dataclass(frozen=True)
class ImageSite:
    """One image a pod runs: a container's ``image`` or the daprd image annotation."""

    image: str
    path: Path
    label: str  # "container 'app'", "init container 'migrate'", "the daprd sidecar"
    pull_policy: str | None  # the written imagePullPolicy; None for daprd (the injector's)


def image_sites(resource: Resource) -> Iterator[ImageSite]:
    """Every image of a Pod or pod template whose reference is a string: init containers, then
    containers, then ``dapr.io/sidecar-image`` on a Dapr pod the injector will patch."""
    view = pod_view(resource)
    if view is None:
        return
    for container in containers(view.pod):
        name = container.body.get("name")
        image = container.body.get("image")
        if not isinstance(image, str):
            continue
        kind = "init container" if container.init else "container"
        label = f"{kind} '{brief(name, 63)}'" if isinstance(name, str) else kind
        policy = container.body.get("imagePullPolicy")
        yield ImageSite(
            image,
            (*container.path, "image"),
            label,
            policy if isinstance(policy, str) else None,
        )
    sidecar = view.annotations.get(SIDECAR_IMAGE)
    if isinstance(sidecar, str) and sidecar != "" and injects_sidecar(view):
        path: Path = (*view.metadata_path, "annotations", SIDECAR_IMAGE)
        yield ImageSite(sidecar, path, DAPRD_LABEL, None)
