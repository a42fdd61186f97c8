"""Publish the chart to an OCI registry: gated, reproducible, immutable, verified, signed.

Steps: (1) ``helm package`` from a copy whose file times are pinned, so the same chart content
gives the same archive digest; (2) the registry is asked whether the version's tag exists, and an
existing one is refused (registries let a tag be overwritten silently); (3) the gate runs
``python -m tools lint`` and ``python -m tools render`` on the chart and stops at any failure;
(4) ``helm push`` with bounded retries of transient failures, then the manifest is read back by
digest, its layers compared with the local archive (and provenance), and ``helm pull`` by digest
must return the same bytes. ``--dry-run`` stops after step 3.

Credentials come from ``--username`` + ``--password-stdin``, from ``TODO_DAPR_REGISTRY_USERNAME``
/ ``TODO_DAPR_REGISTRY_PASSWORD``, or from an existing ``helm registry login``. Given credentials
go into a temporary registry config (mode 0600, deleted afterwards), never onto a command line,
into the user's helm config or into any message.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools import chart_package
from tools.chart_package import (
    DEFAULT_EPOCH,  # noqa: F401 (re-exported for callers of tools.publish)
    ChartRefused,
    Package,
    PackageFailed,
    _pin_times,  # noqa: F401 (re-exported for callers of tools.publish)
    helm_major,
    normalize_archive,  # noqa: F401 (re-exported for callers of tools.publish)
)
from tools.publish_args import add_arguments
from tools.registry import (
    CHART_LAYER,
    PROV_LAYER,
    Credentials,
    Manifest,
    RegistryClient,
    RegistryError,
    Retry,
)

__all__ = ["add_arguments", "main"]

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2

ENV_USERNAME = "TODO_DAPR_REGISTRY_USERNAME"
ENV_PASSWORD = "TODO_DAPR_REGISTRY_PASSWORD"
GATE_OUTPUT_LINES = 80

TRANSIENT_HELM = re.compile(
    r"status code (5\d\d|429)|\b(50[0234]|429) |EOF|connection reset|broken pipe|"
    r"timeout|timed out|server closed|TLS handshake",
    re.IGNORECASE,
)
DIGEST_RE = re.compile(r"Digest:\s*(sha256:[0-9a-f]{64})")


class PublishError(Exception):
    """Publishing was refused or failed; nothing new is tagged. Exit status 1."""

    exit_status = EXIT_REFUSED


class PublishUsageError(Exception):
    """Bad flags or environment (helm missing, unreadable chart). Exit status 2."""

    exit_status = EXIT_USAGE


# -- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryRef:
    """``oci://HOST[:PORT]/PATH``: where charts go; a chart lands at ``PATH/<chart name>``."""

    host: str
    path: str

    @classmethod
    def parse(cls, text: str) -> RegistryRef:
        match = re.fullmatch(r"oci://([^/\s@]+)(/[^\s@:]*)?", text.strip())
        if not match:
            raise PublishUsageError(
                f"--registry {text!r} is not of the form oci://HOST[:PORT]/PATH "
                "(e.g. oci://fra.ocir.io/mytenancy/charts); give the path without the "
                "chart name or version"
            )
        host, path = match.group(1), (match.group(2) or "").strip("/")
        if "//" in path or not re.fullmatch(r"[a-z0-9._/-]*", path):
            raise PublishUsageError(
                f"--registry path {path!r} is not a valid OCI repository path "
                "(lower-case letters, digits, '.', '_', '-' and '/')"
            )
        return cls(host=host, path=path)

    @property
    def url(self) -> str:
        return f"oci://{self.host}/{self.path}" if self.path else f"oci://{self.host}"

    def repository(self, chart: str) -> str:
        return f"{self.path}/{chart}" if self.path else chart


@dataclass(frozen=True)
class Signing:
    key: str
    keyring: Path


@dataclass(frozen=True)
class Options:
    chart: Path
    registry: RegistryRef
    plain_http: bool = False
    credentials: Credentials | None = None
    signing: Signing | None = None
    dry_run: bool = False


@dataclass
class Outcome:
    status: str
    package: Package
    registry: RegistryRef
    digest: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def repository_url(self) -> str:
        return f"{self.registry.url}/{self.package.name}"

    @property
    def reference(self) -> str:
        ref = f"{self.repository_url}:{self.package.tag}"
        return f"{ref}@{self.digest}" if self.digest else ref

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "chart": self.package.name,
            "version": self.package.version,
            "repository": self.repository_url,
            "tag": self.package.tag,
            "reference": self.reference,
            "digest": self.digest,
            "archive": {
                "file": self.package.archive.name,
                "sha256": "sha256:" + self.package.sha256,
                "size": self.package.size,
            },
            "signed": self.package.provenance is not None,
            "dry_run": self.status == "dry-run",
        }


# -- secrets ------------------------------------------------------------------------------------


class Scrubber:
    """Remove known secret values from text before it is printed."""

    def __init__(self, credentials: Credentials | None) -> None:
        self.secrets: list[str] = []
        if credentials is not None and credentials.password:
            self.secrets.append(credentials.password)
            self.secrets.append(credentials.basic().removeprefix("Basic "))

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        try:
            from tools.redact import redact_text  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            return text
        return str(redact_text(text))


def read_credentials(
    args: argparse.Namespace, stdin: io.TextIOBase | Any = None
) -> Credentials | None:
    """Flags first (password only from stdin), then the CI environment variables, else None."""
    if args.password_stdin and not args.username:
        raise PublishUsageError("--password-stdin needs --username")
    if args.username:
        if not args.password_stdin:
            raise PublishUsageError(
                "--username needs --password-stdin: the password is read from standard input, "
                'never from a flag (e.g. `printf %s "$TOKEN" | python -m tools publish ... '
                "--username U --password-stdin`)"
            )
        stream = stdin if stdin is not None else sys.stdin
        password = stream.read().rstrip("\r\n") if stream is not None else ""
        if not password:
            raise PublishUsageError("--password-stdin: standard input was empty")
        return Credentials(args.username, password)
    user, password = os.environ.get(ENV_USERNAME), os.environ.get(ENV_PASSWORD)
    if user and password:
        return Credentials(user, password)
    if user or password:
        missing = ENV_PASSWORD if user else ENV_USERNAME
        raise PublishUsageError(f"{missing} is not set (set both registry variables, or neither)")
    return None


def _helm_registry_config() -> Path:
    explicit = os.environ.get("HELM_REGISTRY_CONFIG")
    if explicit:
        return Path(explicit)
    home = os.environ.get("HELM_CONFIG_HOME")
    if home:
        return Path(home) / "registry" / "config.json"
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "helm" / "registry" / "config.json"


def stored_credentials(host: str) -> Credentials | None:
    """Credentials from an earlier ``helm registry login`` (config entry or credential helper)."""
    path = _helm_registry_config()
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(config, dict):
        return None
    entry = (config.get("auths") or {}).get(host)
    if isinstance(entry, dict):
        if isinstance(entry.get("auth"), str):
            try:
                user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return Credentials(user, password) if user else None
        if entry.get("username") and entry.get("password"):
            return Credentials(str(entry["username"]), str(entry["password"]))
    helper = (config.get("credHelpers") or {}).get(host) or config.get("credsStore")
    if isinstance(helper, str) and helper:
        return _from_helper(helper, host)
    return None


def _from_helper(helper: str, host: str) -> Credentials | None:
    program = shutil.which(f"docker-credential-{helper}")
    if program is None:
        return None
    result = subprocess.run(
        [program, "get"], input=host, capture_output=True, text=True, check=False, timeout=30
    )
    if result.returncode != 0:
        return None
    try:
        data = json.loads(result.stdout)
        return Credentials(str(data["Username"]), str(data["Secret"]))
    except (ValueError, KeyError, TypeError):
        return None


def write_registry_config(directory: Path, host: str, credentials: Credentials) -> Path:
    """A docker-format registry config only we can read, for helm's ``HELM_REGISTRY_CONFIG``."""
    path = directory / "registry-config.json"
    token = credentials.basic().removeprefix("Basic ")
    payload = json.dumps({"auths": {host: {"auth": token}}})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(payload)
    return path


# -- gate ---------------------------------------------------------------------------------------

Gate = Callable[[Path], None]


def _tools_path() -> str:
    return str(Path(__file__).resolve().parent.parent)


def run_gate(chart: Path) -> None:
    """Lint, then render and validate every profile, in subprocesses; any failure refuses."""
    from tools.profiles import repo_root

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_tools_path(), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="todo-dapr-gate-") as out:
        steps = (
            ("lint", ["lint", "--chart", str(chart)]),
            ("render", ["render", "--chart", str(chart), "--out", out]),
        )
        for name, argv in steps:
            cmd = [sys.executable, "-m", "tools", *argv]
            result = subprocess.run(
                cmd, capture_output=True, text=True, check=False, cwd=repo_root(chart), env=env
            )
            if result.returncode != 0:
                output = (result.stdout + result.stderr).strip().splitlines()
                shown = output[-GATE_OUTPUT_LINES:]
                if shown:
                    print("\n".join(shown), file=sys.stderr)
                raise PublishError(
                    f"gate failed: `python -m tools {name}` exited {result.returncode}; fix what "
                    "it reports above. Nothing was pushed"
                )


# -- packaging ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _packaging() -> Iterator[None]:
    """Packaging (tools.chart_package) refusals as publish errors: exit 2 for the chart, 1 for
    helm."""
    try:
        yield
    except ChartRefused as exc:
        raise PublishUsageError(str(exc)) from None
    except PackageFailed as exc:
        raise PublishError(str(exc)) from None


def source_epoch() -> int:
    with _packaging():
        return chart_package.source_epoch()


def read_chart(chart: Path) -> tuple[str, str]:
    with _packaging():
        return chart_package.read_chart(chart)


def package_chart(
    helm: Path, chart: Path, work: Path, env: dict[str, str], signing: Signing | None
) -> Package:
    """``helm package`` the chart's own files only (no links or special files), reproducibly."""
    with _packaging():
        return chart_package.package_chart(helm, chart, work, env, signing)


# -- helm output --------------------------------------------------------------------------------


# A 401 status on its own, not three digits inside a digest or a port number.
_STATUS_401 = re.compile(r"(?<![0-9A-Za-z])401(?![0-9A-Za-z])")


def helm_error(text: str) -> str:
    """The one line of helm's output that says what went wrong, in plain terms."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("Error:")]
    line = (errors or lines or ["no output"])[-1].removeprefix("Error:").strip()
    lowered = line.lower()
    if "server gave http response to https client" in lowered:
        return f"{line} (the registry speaks plain HTTP: add --plain-http)"
    if "connection refused" in lowered:
        return f"the registry is not reachable: connection refused ({line})"
    if (
        _STATUS_401.search(line)
        or "unauthorized" in lowered
        or "basic credential not found" in lowered
    ):
        return (
            f"the registry refused the credentials (401 unauthorized): log in with `helm "
            f"registry login` or pass --username with --password-stdin ({line})"
        )
    return line


# -- publishing ---------------------------------------------------------------------------------


def _layer_digest(manifest: Manifest, media_type: str) -> str | None:
    layers = manifest.layers(media_type)
    return str(layers[0].get("digest")) if layers else None


def _matches(manifest: Manifest, package: Package) -> bool:
    if _layer_digest(manifest, CHART_LAYER) != "sha256:" + package.sha256:
        return False
    if package.provenance is None:
        return True
    prov = "sha256:" + hashlib.sha256(package.provenance.read_bytes()).hexdigest()
    return _layer_digest(manifest, PROV_LAYER) == prov


def _refusal(outcome_ref: str, existing: Manifest, package: Package) -> str:
    same = _layer_digest(existing, CHART_LAYER) == "sha256:" + package.sha256
    what = "with the same content" if same else "with different content"
    return (
        f"{outcome_ref} already exists ({existing.digest}, {what}); published versions are "
        f"immutable: bump `version` in Chart.yaml (now {package.version}) and publish again. "
        "Nothing was pushed"
    )


@dataclass
class Run:
    """What push and verify share: helm, its environment, the registry client, the retry policy."""

    helm: Path
    options: Options
    client: RegistryClient
    env: dict[str, str]
    retry: Retry
    scrub: Callable[[str], str]

    def _helm(self, *args: str) -> subprocess.CompletedProcess[str]:
        from tools.helm import run

        extra = ("--plain-http",) if self.options.plain_http else ()
        return run(self.helm, *args, *extra, env=self.env)

    def _error(self, result: subprocess.CompletedProcess[str]) -> str:
        return self.scrub(helm_error(result.stderr or result.stdout))

    def push(self, package: Package) -> str:
        """``helm push`` with bounded retries; returns the manifest digest the tag points at.

        After a failed attempt the tag is read again: a push whose reply was lost may have
        landed (then it counts, if the content is ours), and a retry must not overwrite
        someone else's push of the same version.
        """
        repository = self.options.registry.repository(package.name)
        retry = self.retry
        for attempt in range(retry.attempts):
            result = self._helm("push", str(package.archive), self.options.registry.url)
            current = self.client.manifest(repository, package.tag)
            if result.returncode == 0:
                found = DIGEST_RE.search(result.stdout + "\n" + result.stderr)
                if current is None:
                    raise PublishError("helm push reported success but the registry has no tag")
                if found and found.group(1) != current.digest:
                    raise PublishError(
                        f"helm push reported {found.group(1)} but the tag points at "
                        f"{current.digest}"
                    )
                return current.digest
            message = self._error(result)
            if current is not None:
                if _matches(current, package):
                    return current.digest
                raise PublishError(
                    f"the tag {package.tag} appeared with other content while pushing "
                    f"({current.digest}): another publish of this version raced this one"
                )
            if not TRANSIENT_HELM.search(message) or attempt + 1 >= retry.attempts:
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                raise PublishError(f"helm push failed: {message}{tries}; the tag was not created")
            retry.sleep(retry.delay(attempt))
        raise PublishError("helm push failed")

    def verify(self, package: Package, digest: str, work: Path) -> None:
        """Read the manifest by digest and pull the chart back with helm; both must match."""
        repository = self.options.registry.repository(package.name)
        manifest = self.client.manifest(repository, digest)
        if manifest is None:
            raise PublishError(f"the registry has no manifest {digest} right after the push")
        if not _matches(manifest, package):
            raise PublishError(
                f"the pushed manifest {digest} does not carry this archive"
                + (" and its provenance" if package.provenance else "")
            )
        if package.provenance is not None:
            prov = _layer_digest(manifest, PROV_LAYER) or ""
            if self.client.blob(repository, prov) != package.provenance.read_bytes():
                raise PublishError("the provenance pulled back differs from the one pushed")
        target = work / "pulled"
        target.mkdir()
        ref = f"{self.options.registry.url}/{package.name}@{digest}"
        for attempt in range(self.retry.attempts):
            result = self._helm("pull", ref, "--destination", str(target))
            if result.returncode == 0:
                break
            message = self._error(result)
            if not TRANSIENT_HELM.search(message) or attempt + 1 >= self.retry.attempts:
                raise PublishError(f"helm pull of {digest} failed: {message}")
            self.retry.sleep(self.retry.delay(attempt))
        pulled = sorted(target.glob("*.tgz"))
        if len(pulled) != 1 or pulled[0].read_bytes() != package.archive.read_bytes():
            raise PublishError(f"helm pull of {digest} did not return the archive that was pushed")


def helm_env(work: Path, credentials: Credentials | None, host: str) -> dict[str, str]:
    """Fresh caches (a pull must reach the registry) and, with credentials, our own config."""
    env = dict(os.environ)
    env["HELM_CACHE_HOME"] = str(work / "cache")
    env["HELM_CONTENT_CACHE"] = str(work / "cache" / "content")
    if credentials is not None:
        env["HELM_REGISTRY_CONFIG"] = str(write_registry_config(work, host, credentials))
    return env


def publish(
    options: Options,
    *,
    helm: Path,
    gate: Gate,
    retry: Retry | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> Outcome:
    """Run the whole pipeline; raises PublishError (exit 1) or PublishUsageError (exit 2)."""
    retry = retry or Retry()
    read_chart(options.chart)
    if options.signing is not None and helm_major(helm) < 4:
        raise PublishUsageError(
            f"--sign needs Helm 4 ({helm} is older): Helm 3 stamps archives with the current "
            "time, so its package is rewritten for reproducibility and would no longer match "
            "the signature. Point $HELM at a Helm 4 binary"
        )
    credentials = options.credentials or stored_credentials(options.registry.host)
    scrub = Scrubber(credentials)
    client = RegistryClient(
        options.registry.host,
        plain_http=options.plain_http,
        credentials=credentials,
        retry=retry,
    )
    with tempfile.TemporaryDirectory(prefix="todo-dapr-publish-") as tmp:
        work = Path(tmp)
        env = helm_env(work, options.credentials, options.registry.host)
        package = package_chart(helm, options.chart, work, env, options.signing)
        log(f"packaged {package.archive.name} sha256:{package.sha256}")
        outcome = Outcome("dry-run", package, options.registry)
        repository = options.registry.repository(package.name)
        try:
            client.ping()
            existing = client.manifest(repository, package.tag)
            if existing is not None:
                raise PublishError(_refusal(outcome.reference, existing, package))
            log(f"{outcome.reference} is free")
            # The gate runs after the cheap checks: a version already published is refused at
            # once, without minutes of lint and render first.
            gate(options.chart)
            log("gate passed: lint, render and validation are clean")
            if options.dry_run:
                outcome.notes.append(f"would push {package.archive.name} to {outcome.reference}")
                return outcome
            session = Run(helm, options, client, env, retry, scrub)
            digest = session.push(package)
            outcome.digest = digest
            outcome.status = "published"
            log(f"pushed {outcome.reference}")
            session.verify(package, digest, work)
            log("verified: manifest layers and helm pull by digest match the local archive")
        except RegistryError as exc:
            raise PublishError(scrub(str(exc))) from None
        return outcome


# -- CLI ----------------------------------------------------------------------------------------


def _signing(args: argparse.Namespace) -> Signing | None:
    if not args.sign:
        if args.key or args.keyring:
            raise PublishUsageError("--key and --keyring are used with --sign")
        return None
    if not args.key or not args.keyring:
        raise PublishUsageError("--sign needs --key NAME and --keyring FILE (a legacy keyring)")
    keyring = Path(args.keyring)
    if not keyring.is_file():
        raise PublishUsageError(f"--keyring {args.keyring}: no such file")
    return Signing(args.key, keyring)


def options_from_args(args: argparse.Namespace, stdin: Any = None) -> Options:
    from tools.profiles import ProfileError, repo_root, resolve_chart

    registry = RegistryRef.parse(args.registry)
    signing = _signing(args)
    credentials = read_credentials(args, stdin)
    try:
        chart = resolve_chart(args.chart, repo_root())
    except ProfileError as exc:
        raise PublishUsageError(str(exc)) from None
    return Options(
        chart=chart,
        registry=registry,
        plain_http=args.plain_http,
        credentials=credentials,
        signing=signing,
        dry_run=args.dry_run,
    )


def report(outcome: Outcome, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(outcome.as_json(), indent=2))
    elif outcome.status == "dry-run":
        for note in outcome.notes:
            print(f"dry run: {note}")
    else:
        print(f"published {outcome.reference}")


def fail(message: str, fmt: str, status: int, lines: Iterable[str] = ()) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    print(f"todo-dapr publish: error: {message}", file=sys.stderr)
    if fmt == "json":
        print(json.dumps({"status": "error", "error": message, "exit_status": status}))
    return status


def main(args: argparse.Namespace, *, gate: Gate = run_gate, retry: Retry | None = None) -> int:
    """Entry point from ``tools.cli``: 0 published, 1 refused or failed, 2 usage/environment."""
    from tools.helm import HelmError, find_helm

    fmt = getattr(args, "format", "text")
    scrub: Callable[[str], str] = str
    try:
        options = options_from_args(args)
        scrub = Scrubber(options.credentials)
        helm = find_helm(quiet=fmt == "json")

        def log(message: str) -> None:
            print(message, file=sys.stderr)

        outcome = publish(options, helm=helm, gate=gate, retry=retry, log=log)
    except PublishUsageError as exc:
        return fail(scrub(str(exc)), fmt, EXIT_USAGE)
    except HelmError as exc:
        return fail(scrub(str(exc)), fmt, EXIT_USAGE)
    except PublishError as exc:
        return fail(scrub(str(exc)), fmt, EXIT_REFUSED)
    except OSError as exc:
        return fail(scrub(f"{exc.filename or ''}: {exc.strerror or exc}"), fmt, EXIT_USAGE)
    report(outcome, fmt)
    return EXIT_OK
