"""Pushing without overwriting: blobs and the manifest by digest, then the tag, set under a
per-machine lock only while it is still absent, and read back.

A tag ``PUT`` is never repeated blindly, a tag that names another digest fails the publish
loudly with both digests, and so does a tag that moves within a moment after
(:data:`SETTLE_SECONDS`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tools.chart.package import Package
from tools.publish.artifact import Artifact, layer_of
from tools.publish.bounds import Deadline, Retry
from tools.publish.errors import PublishError
from tools.publish.model import Options
from tools.publish.oci import CHART_LAYER, OCI_MANIFEST, Manifest, artifact_kind
from tools.publish.registry import RegistryClient
from tools.publish.target import registry_identity
from tools.publish.transport import RegistryError

SETTLE_SECONDS = 1.0
"""After the read-back confirms our digest, the tag is read once more this much later: a
publish on another machine that overwrote it in that moment makes this one fail loudly."""


def refusal(outcome_ref: str, existing: Manifest, package: Package) -> str:
    layer = layer_of(existing, CHART_LAYER).get("digest")
    if layer is None:
        what = f"holding {artifact_kind(existing.media_type)}, not a Helm chart"
    elif layer == "sha256:" + package.sha256:
        what = "with the same content"
    else:
        what = "with different content"
    return (
        f"{outcome_ref} already exists ({existing.digest}, {what}); published versions are "
        f"immutable: bump `version` in Chart.yaml (now {package.version}) and publish again. "
        "Nothing was tagged"
    )


@contextlib.contextmanager
def publish_lock(
    host: str, repository: str, tag: str, deadline: Deadline, *, plain_http: bool = False
) -> Iterator[Path]:
    """An exclusive per-machine lock for one registry tag, waited for until the deadline.

    Two publishes of one version on this machine take turns from the tag check to the read-back,
    so the second sees the first's tag and is refused. The lock is keyed on the registry's
    identity, not its spelling: ``localhost:5000`` and ``127.0.0.1:5000`` share one.
    """
    from tools.chart.helm import cache_dir

    identity = registry_identity(host, plain_http)
    key = hashlib.sha256(f"{identity}/{repository}:{tag}".encode()).hexdigest()[:32]
    folder = cache_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"publish-{key}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline.cap(0.05) < 0.05:
                    raise PublishError(
                        f"another publish of {host}/{repository}:{tag} on this machine held "
                        f"the lock {path} until the deadline (--timeout); nothing was tagged"
                    ) from None
                time.sleep(0.05)
        yield path
    finally:
        os.close(fd)


@dataclass
class Run:
    """What upload, tag and verify share: helm, the registry client, the retry policy."""

    helm: Path
    options: Options
    client: RegistryClient
    env: dict[str, str]
    retry: Retry
    deadline: Deadline

    def upload(self, package: Package, artifact: Artifact) -> None:
        """Blobs the registry lacks, then the manifest by digest: nothing is tagged yet."""
        repository = self.options.registry.repository(package.name)
        for descriptor, data in artifact.blobs:
            self.client.upload_blob(repository, descriptor, data)
        self.client.put_manifest(repository, artifact.digest, artifact.manifest, OCI_MANIFEST)

    def tag(self, package: Package, artifact: Artifact, reference: str) -> None:
        """Under the lock: the tag must still be absent; put it; read it back.

        A tag ``PUT`` is never repeated blindly: after a failed one the tag is read, and only an
        absent tag is tried again (ours counts as done, another digest fails the publish).
        """
        repository = self.options.registry.repository(package.name)
        host = self.options.registry.host
        plain = self.options.plain_http
        with publish_lock(host, repository, package.tag, self.deadline, plain_http=plain):
            existing = self.client.tagged(repository, package.tag)
            if existing is not None:
                raise PublishError(refusal(reference, existing, package))
            self._put_tag(package, artifact, repository)
            back = self.client.tagged(repository, package.tag)
        if back is None:
            raise PublishError(
                f"the tag {package.tag} is absent right after it was set to {artifact.digest}"
            )
        if back.digest != artifact.digest:
            raise PublishError(self._moved(package, back.digest, artifact.digest))
        self._settle(package, artifact, repository)

    def _settle(self, package: Package, artifact: Artifact, repository: str) -> None:
        """Read the tag once more a moment later: a publish on another machine that raced this
        one and overwrote the tag after our read-back makes this one fail, loudly."""
        time.sleep(self.deadline.cap(SETTLE_SECONDS))
        later = self.client.tagged(repository, package.tag)
        if later is not None and later.digest == artifact.digest:
            return
        theirs = later.digest if later is not None else "nothing (the tag was deleted)"
        raise PublishError(
            f"another publish overwrote this one after it was set: the tag {package.tag} named "
            f"{artifact.digest} (this publish) and {SETTLE_SECONDS:g} s later names {theirs}. "
            f"Find out which content is release {package.version} before anyone installs it, "
            "and turn on tag immutability (docs/publishing.md)"
        )

    def _put_tag(self, package: Package, artifact: Artifact, repository: str) -> None:
        for attempt in range(self.retry.attempts):
            try:
                self.client.put_manifest(
                    repository, package.tag, artifact.manifest, OCI_MANIFEST, retry=False
                )
                return
            except RegistryError as exc:
                current = self.client.tagged(repository, package.tag)
                if current is not None and current.digest == artifact.digest:
                    return
                if current is not None:
                    raise PublishError(
                        self._moved(package, current.digest, artifact.digest)
                    ) from None
                if not exc.transient or attempt + 1 >= self.retry.attempts:
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise PublishError(f"{exc}{tries}; the tag was not created") from None
            delay = self.retry.delay(attempt)
            if self.deadline.cap(delay) < delay:
                raise PublishError(
                    f"{self.deadline.phrase} passed while setting the tag; the tag was not created"
                )
            self.retry.sleep(delay)

    def _moved(self, package: Package, theirs: str, ours: str) -> str:
        return (
            f"the tag {package.tag} names {theirs}, not {ours} that this publish pushed: another "
            "publish of this version set it between this publish's tag check and its tag PUT "
            f"(or the registry refused ours). {ours} stays in the registry untagged; find out "
            f"which content is release {package.version} before anyone installs it, and turn "
            "on tag immutability (docs/publishing.md)"
        )
