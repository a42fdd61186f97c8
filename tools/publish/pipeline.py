"""Publish the chart to an OCI registry: gated, reproducible, never overwriting, verified, signed.

Steps: (1) ``helm package`` from a copy whose file times are pinned, so the same chart content gives
the same archive digest; (2) the registry is asked whether the version's tag exists, and an existing
one is refused at once; (3) the gate runs ``python -m tools lint`` and ``python -m tools render`` on
the chart and stops at any failure; (4) our own OCI upload (:mod:`tools.publish.registry`, not
``helm push``, which moves an existing tag): the config and layer blobs, then the manifest Helm
would write, put by digest; then, holding a per-machine lock, the tag is checked again, set only if
still absent, and read back: a tag that names another digest fails the publish loudly with both
digests, and so does a tag that moves within a moment after (:mod:`tools.publish.push`); (5) the
manifest is read back by digest, its layers downloaded (bounded, digest-checked) must be the local
archive and provenance byte for byte, and ``helm show chart`` of the downloaded archive proves Helm
loads it. ``--dry-run`` stops after step 3.

Across machines no registry client can close the window between its last check and its tag
``PUT`` (the distribution API has no conditional ``PUT``); the read-back makes a lost race loud,
the release workflow runs one release at a time, and registry-side tag immutability (OCIR's
immutable artifacts) closes it (docs/publishing.md).

Credentials come from ``--username`` + ``--password-stdin``, from ``TODO_DAPR_REGISTRY_USERNAME``
/ ``TODO_DAPR_REGISTRY_PASSWORD``, or from an existing ``helm registry login``; never from the
``--registry`` URL, which is refused when it carries userinfo, a query or a fragment.
Credentials go to our own client only: helm is never given any (it only packages and reads local
files), and no credential is written to disk. Every message leaves through one
:class:`Scrubber`. Everything, reading the password included, is bounded by ``--timeout``.
"""

from __future__ import annotations

import contextlib
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

from tools.chart.package import helm_major
from tools.publish.artifact import build_artifact, chart_metadata
from tools.publish.bounds import Deadline, Retry, deadline_phrase
from tools.publish.credentials import stored_credentials
from tools.publish.errors import PublishError, PublishUsageError, translated
from tools.publish.gate import Gate, add_missing_profiles
from tools.publish.helm_calls import helm_env
from tools.publish.model import Options, Outcome
from tools.publish.packaging import package_chart, read_chart, source_epoch
from tools.publish.push import Run, refusal
from tools.publish.registry import RegistryClient
from tools.publish.scrub import Scrubber
from tools.publish.transport import RegistryError
from tools.publish.verify import verify

BACKSTOP_GRACE = 2.0


def publish(
    options: Options,
    *,
    helm: Path,
    gate: Gate,
    retry: Retry | None = None,
    log: Callable[[str], None] = lambda _: None,
    scrub: Scrubber | None = None,
) -> Outcome:
    """Run the whole pipeline; raises PublishError (exit 1) or PublishUsageError (exit 2)."""
    retry = retry or Retry()
    deadline = Deadline(options.timeout)
    read_chart(options.chart)
    if options.signing is not None and helm_major(helm) < 4:
        raise PublishUsageError(
            f"--sign needs Helm 4 ({helm} is older): Helm 3 stamps archives with the current "
            "time, so its package is rewritten for reproducibility and would no longer match "
            "the signature. Point $HELM at a Helm 4 binary"
        )
    credentials = options.credentials or stored_credentials(options.registry.host, deadline)
    if scrub is not None:
        scrub.add(credentials)
    client = RegistryClient(
        options.registry.host,
        plain_http=options.plain_http,
        credentials=credentials,
        retry=retry,
        deadline=deadline,
    )
    with tempfile.TemporaryDirectory(prefix="todo-dapr-publish-") as tmp:
        work = Path(tmp)
        env = helm_env(work)
        package = package_chart(helm, options.chart, work, env, options.signing)
        log(f"packaged {package.archive.name} sha256:{package.sha256}")
        metadata = chart_metadata(helm, package.archive, env, deadline)
        artifact = build_artifact(package, metadata, source_epoch())
        outcome = Outcome("dry-run", package, options.registry)
        repository = options.registry.repository(package.name)
        with translated(refused=(RegistryError,)):
            client.ping()
            existing = client.tagged(repository, package.tag)
            if existing is not None:
                raise PublishError(refusal(outcome.reference, existing, package))
            log(f"{outcome.reference} is free")
            # The gate runs after the cheap checks: a version already published is refused at
            # once, without minutes of lint and render first.
            # The gate checks the staged copy: what ships, .helmignore applied, not the
            # working tree beside it; with every profile of the working tree.
            if package.staged is not None:
                add_missing_profiles(options.chart, package.staged)
            gate(package.staged or options.chart, deadline)
            log("gate passed: lint, render and validation are clean")
            if options.dry_run:
                outcome.notes.append(
                    f"would push {package.archive.name} to {outcome.reference} as {artifact.digest}"
                )
                return outcome
            session = Run(helm, options, client, env, retry, deadline)
            session.upload(package, artifact)
            log(f"uploaded {artifact.digest} (untagged)")
            session.tag(package, artifact, outcome.reference)
            outcome.digest = artifact.digest
            outcome.status = "published"
            log(f"tagged {outcome.reference}")
            verify(session, package, artifact.digest, work)
            log(
                "verified: the layers read back by digest match the local files, and helm "
                "loads the archive"
            )
        return outcome


@contextlib.contextmanager
def backstop(seconds: float) -> Iterator[None]:
    """Stop the whole publish a little after its deadline, whatever it is waiting on.

    Every wait publish makes has its own bound; this catches the ones it cannot bound itself
    (a host name lookup, helm package). An alarm only works in the main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise PublishError(
            f"{deadline_phrase(seconds)} passed; nothing was tagged unless a `tagged` line was "
            "printed above"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds + BACKSTOP_GRACE)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
