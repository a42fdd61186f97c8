"""Publish the chart to an OCI registry: gated, reproducible, never overwriting, verified, signed.

Steps: (1) ``helm package`` from a copy whose file times are pinned, so the same chart content gives
the same archive digest; (2) the registry is asked whether the version's tag exists, and an existing
one is refused at once; (3) the gate runs ``python -m tools lint`` and ``python -m tools render`` on
the chart and stops at any failure; (4) our own OCI upload (:mod:`tools.publish.registry`, not
``helm push``, which moves an existing tag): the config and layer blobs, then the manifest Helm
would write, put by digest; then, holding a per-machine lock, the tag is checked again, set only if
still absent, and read back: a tag that names another digest fails the publish loudly with both
digests, and so does a tag that moves within a moment after (:data:`SETTLE_SECONDS`); (5) the
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

import argparse
import base64
import contextlib
import fcntl
import hashlib
import io
import ipaddress
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import yaml

from tools.chart import package as chart_package
from tools.chart.package import (
    DEFAULT_EPOCH,  # noqa: F401 (re-exported for callers of tools.publish.flow)
    ChartRefused,
    Package,
    PackageFailed,
    _pin_times,  # noqa: F401 (re-exported for callers of tools.publish.flow)
    helm_major,
    normalize_archive,  # noqa: F401 (re-exported for callers of tools.publish.flow)
)
from tools.cli.publish_args import DEFAULT_TIMEOUT, MAX_TIMEOUT, add_arguments
from tools.core import yaml_text
from tools.core.bounded_read import InputError, read_text
from tools.core.terminal_text import visible_lines
from tools.publish.registry import (
    CHART_LAYER,
    CONFIG_TYPE,
    OCI_MANIFEST,
    PROV_LAYER,
    Credentials,
    Deadline,
    Descriptor,
    Manifest,
    RegistryClient,
    RegistryError,
    Retry,
    artifact_kind,
    go_json,
    image_manifest,
    load_json,
    valid_port,
)

__all__ = ["add_arguments", "main"]

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2

ENV_USERNAME = "TODO_DAPR_REGISTRY_USERNAME"
ENV_PASSWORD = "TODO_DAPR_REGISTRY_PASSWORD"
GATE_OUTPUT_LINES = 80
BACKSTOP_GRACE = 2.0
PASSWORD_CAP = 64 * 1024
REGISTRY_CONFIG_CAP = 1024 * 1024
HELPER_OUTPUT_CAP = 64 * 1024
HELPER_TIMEOUT = 30.0
SETTLE_SECONDS = 1.0
"""After the read-back confirms our digest, the tag is read once more this much later: a
publish on another machine that overwrote it in that moment makes this one fail loudly."""

CREDENTIALS_GO = (
    "pass the user with --username and the password or token on standard input with "
    f"--password-stdin, or set {ENV_USERNAME} and {ENV_PASSWORD}"
)


class PublishError(Exception):
    """Publishing was refused or failed; nothing new is tagged. Exit status 1.

    ``details`` are lines printed before the message (the gate's findings).
    """

    exit_status = EXIT_REFUSED

    def __init__(self, message: str, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.details = list(details)


class PublishUsageError(Exception):
    """Bad flags or environment (helm missing, unreadable chart). Exit status 2."""

    exit_status = EXIT_USAGE


# -- inputs -------------------------------------------------------------------------------------


def _shown(text: str) -> str:
    """``--registry`` as given, unless it holds what could be a credential or a token."""
    if re.fullmatch(r"[A-Za-z0-9._:/\[\]-]*", text):
        return repr(text)
    return "(value not shown: it has characters a URL can carry credentials or tokens in)"


def is_loopback(host: str) -> bool:
    """``127.0.0.0/8``, ``::1`` or ``localhost`` (``host`` may carry a port).

    A trailing dot makes a name absolute, to be looked up in DNS: ``localhost.`` is not
    loopback.
    """
    name = _host_name(host).lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.partition(":")[0] if host.count(":") == 1 else host


def registry_identity(host: str, plain_http: bool) -> str:
    """One key per registry, however its host is spelled: the name lower-cased (a trailing dot
    dropped: ``fra.ocir.io.`` is ``fra.ocir.io``), the port explicit, and every loopback
    spelling (localhost, 127.0.0.0/8, ::1) the same."""
    default = "80" if plain_http else "443"
    if host.startswith("["):
        port = host.partition("]")[2].removeprefix(":") or default
    else:
        port = (host.partition(":")[2] if host.count(":") == 1 else "") or default
    name = "loopback" if is_loopback(host) else _host_name(host).lower().rstrip(".")
    return f"{name}:{port}"


def _check_host(host: str) -> None:
    """HOST[:PORT] as a URL carries it: a DNS name or IPv4 address, or a bracketed IPv6 one,
    and a port of 1-65535."""
    if host.startswith("["):
        address, _, rest = host[1:].partition("]")
        try:
            valid = isinstance(ipaddress.ip_address(address), ipaddress.IPv6Address)
        except ValueError:
            valid = False
        if not valid or "%" in address:
            raise PublishUsageError(
                f"--registry host {_shown(host)}: brackets hold an IPv6 address "
                "(e.g. oci://[::1]:5000/charts); an IPv4 address or a name goes without them"
            )
        port: str | None = rest.removeprefix(":") if rest else None
        if rest and not rest.startswith(":"):
            port = rest
    else:
        name, colon, port_text = host.partition(":")
        if not re.fullmatch(r"[A-Za-z0-9._-]+", name) or ":" in port_text:
            raise PublishUsageError(
                f"--registry host {_shown(host)} is not a host name or IP address "
                "(letters, digits, '.', '-'; an IPv6 address goes in brackets)"
            )
        port = port_text if colon else None
    if port is not None and not valid_port(port):
        raise PublishUsageError(
            f"--registry port {_shown(port)} is not a port number (1-65535), "
            "e.g. oci://127.0.0.1:5000/charts"
        )


@dataclass(frozen=True)
class RegistryRef:
    """``oci://HOST[:PORT]/PATH``: where charts go; a chart lands at ``PATH/<chart name>``."""

    host: str
    path: str

    @classmethod
    def parse(cls, text: str) -> RegistryRef:
        text = text.strip()
        if not text.startswith("oci://"):
            raise PublishUsageError(cls._form(text))
        netloc = re.split(r"[/?#]", text.removeprefix("oci://"), maxsplit=1)[0]
        if "@" in netloc:
            raise PublishUsageError(
                "--registry must not carry credentials (user:password@ in the URL is printed "
                f"in logs and visible in process lists); {CREDENTIALS_GO}"
            )
        if "?" in text or "#" in text:
            raise PublishUsageError(
                "--registry must not have a ?query or #fragment (a token there would be "
                f"printed and sent nowhere useful); {CREDENTIALS_GO}"
            )
        match = re.fullmatch(r"oci://([^/\s@]+)(/[^\s@:]*)?", text)
        if not match:
            raise PublishUsageError(cls._form(text))
        host, path = match.group(1), (match.group(2) or "").strip("/")
        _check_host(host)
        if "//" in path or not re.fullmatch(r"[a-z0-9._/-]*", path):
            raise PublishUsageError(
                f"--registry path {_shown(path)} is not a valid OCI repository path "
                "(lower-case letters, digits, '.', '_', '-' and '/')"
            )
        return cls(host=host, path=path)

    @staticmethod
    def _form(text: str) -> str:
        return (
            f"--registry {_shown(text)} is not of the form oci://HOST[:PORT]/PATH "
            "(e.g. oci://fra.ocir.io/mytenancy/charts); give the path without the "
            "chart name or version"
        )

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
    timeout: float = DEFAULT_TIMEOUT


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
    """The one way out for text: known secrets removed, control characters escaped.

    Every message publish prints (usage errors, registry errors, helm's and the gate's output,
    the JSON error object) passes through one instance.
    """

    def __init__(self, credentials: Credentials | None = None) -> None:
        self.secrets: list[str] = []
        if credentials is not None:
            self.add(credentials)

    def add(self, credentials: Credentials | None) -> None:
        if credentials is None or not credentials.password:
            return
        for secret in (credentials.password, credentials.basic().removeprefix("Basic ")):
            if secret not in self.secrets:
                self.secrets.append(secret)
        self.secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        from tools.redact import redact_text

        for secret in self.secrets:
            text = text.replace(secret, "***")
        return visible_lines(redact_text(text))

    def line(self, text: str) -> str:
        """One output line: a newline in the text cannot start another."""
        return self(text).replace("\n", "\\n")


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
        secret = _read_password(stdin if stdin is not None else sys.stdin).rstrip("\r\n")
        if not secret:
            raise PublishUsageError("--password-stdin: standard input was empty")
        return Credentials(args.username, secret)
    user, password = os.environ.get(ENV_USERNAME), os.environ.get(ENV_PASSWORD)
    if user and password:
        return Credentials(user, password)
    if user or password:
        missing = ENV_PASSWORD if user else ENV_USERNAME
        raise PublishUsageError(f"{missing} is not set (set both registry variables, or neither)")
    return None


def _read_password(stream: Any) -> str:
    """At most the cap from standard input, as bytes decoded as UTF-8 (text only for a stream
    that has no bytes under it)."""
    raw = getattr(stream, "buffer", None)
    data: bytes | str
    if raw is not None:
        data = raw.read(PASSWORD_CAP + 1) or b""
    else:
        data = stream.read(PASSWORD_CAP + 1) if stream is not None else ""
    if len(data) > PASSWORD_CAP:
        raise PublishUsageError(
            f"--password-stdin: standard input holds more than {PASSWORD_CAP} bytes; "
            "it takes one password or token"
        )
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PublishUsageError(
            "--password-stdin: standard input is not UTF-8 text; pass the password or token "
            "as UTF-8"
        ) from None


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


def stored_credentials(host: str, deadline: Deadline | None = None) -> Credentials | None:
    """Credentials from an earlier ``helm registry login`` (config entry or credential helper).

    No config file means no stored credentials; a config that cannot be used is an error that
    names it (exit 2).
    """
    path = _helm_registry_config()
    if not os.path.lexists(path):
        return None
    what = "helm registry config (HELM_REGISTRY_CONFIG)"
    try:
        loaded = load_json(read_text(path, REGISTRY_CONFIG_CAP, what))
    except InputError as exc:
        raise PublishUsageError(str(exc)) from None
    except ValueError:
        raise PublishUsageError(f"{path}: the {what} is not valid JSON") from None
    config = _mapping(loaded, path, "the file")
    entry = _mapping(config.get("auths") or {}, path, "'auths'").get(host)
    if isinstance(entry, dict):
        if isinstance(entry.get("auth"), str):
            try:
                user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                raise PublishUsageError(
                    f"{path}: the 'auth' of {host} is not base64 of user:password"
                ) from None
            return Credentials(user, password) if user else None
        if entry.get("username") and entry.get("password"):
            return Credentials(str(entry["username"]), str(entry["password"]))
    helpers = _mapping(config.get("credHelpers") or {}, path, "'credHelpers'")
    helper = helpers.get(host) or config.get("credsStore")
    if isinstance(helper, str) and helper:
        return _from_helper(helper, host, deadline or Deadline(None))
    return None


def _mapping(value: Any, path: Path, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PublishUsageError(
            f"{path}: {what} of the helm registry config (HELM_REGISTRY_CONFIG) is not a JSON "
            "object; run `helm registry login` again or point HELM_REGISTRY_CONFIG elsewhere"
        )
    return value


def _from_helper(helper: str, host: str, deadline: Deadline) -> Credentials | None:
    program = shutil.which(f"docker-credential-{helper}")
    if program is None:
        return None
    seconds = deadline.cap(HELPER_TIMEOUT)
    status, output = _run_helper(program, host, seconds)
    name = Path(program).name
    if status is None:
        within = (
            f"{HELPER_TIMEOUT:g} s"
            if seconds >= HELPER_TIMEOUT
            else f"the publish deadline of {deadline.seconds:g} s (--timeout)"
        )
        raise PublishUsageError(
            f"the credential helper {name} did not answer within {within}; check it with "
            f"`echo {host} | {name} get`"
        )
    if len(output) > HELPER_OUTPUT_CAP:
        raise PublishUsageError(
            f"the credential helper {name} printed more than {HELPER_OUTPUT_CAP} bytes; it "
            "should print one small JSON object"
        )
    if status != 0:
        return None
    try:
        data = load_json(output)
        return Credentials(str(data["Username"]), str(data["Secret"]))
    except (ValueError, KeyError, TypeError):
        return None


def _run_helper(program: str, host: str, seconds: float) -> tuple[int | None, bytes]:
    """Run ``program get`` with ``host`` on stdin: its exit status (None when it did not end in
    ``seconds``) and at most the cap plus one byte of its output; stopped, with anything it
    started, either way."""
    proc = subprocess.Popen(
        [program, "get"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    end = time.monotonic() + seconds
    chunks: list[bytes] = []
    total = 0
    try:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(host.encode())
            proc.stdin.close()
        fd = proc.stdout.fileno()
        while total <= HELPER_OUTPUT_CAP:
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None, b""
            chunk = os.read(fd, HELPER_OUTPUT_CAP + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > HELPER_OUTPUT_CAP:
            return 0, b"".join(chunks)
        try:
            return proc.wait(timeout=max(0.0, end - time.monotonic())), b"".join(chunks)
        except subprocess.TimeoutExpired:
            return None, b""
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()


# -- gate ---------------------------------------------------------------------------------------

Gate = Callable[[Path, Deadline], None]


def _tools_path() -> str:
    return str(Path(__file__).resolve().parent.parent)


def run_gate(chart: Path, deadline: Deadline) -> None:
    """Lint, then render and validate every profile, in subprocesses; any failure refuses.

    ``chart`` is the staged copy that was packaged; the commands run from the repository the
    publish was started in, so its config file applies.
    """
    from tools.chart.profiles import repo_root

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_tools_path(), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="todo-dapr-gate-") as out:
        steps = (
            ("lint", ["lint", "--chart", str(chart)]),
            ("render", ["render", "--chart", str(chart), "--out", out]),
        )
        for name, argv in steps:
            cmd = [sys.executable, "-m", "tools", *argv]
            result = bounded_run(
                cmd, deadline, f"the gate's `python -m tools {name}`", cwd=repo_root(), env=env
            )
            if result.returncode != 0:
                output = (result.stdout + result.stderr).strip().splitlines()
                raise PublishError(
                    f"gate failed: `python -m tools {name}` exited {result.returncode}; fix what "
                    "it reports above. Nothing was pushed",
                    output[-GATE_OUTPUT_LINES:],
                )


def bounded_run(
    cmd: list[str],
    deadline: Deadline,
    what: str,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """A subprocess that is killed when the publish deadline passes."""
    seconds = deadline.remaining()
    if seconds is not None and seconds <= 0:
        raise PublishError(f"the publish deadline of {deadline.seconds:g} s (--timeout) passed")
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, check=False, cwd=cwd, env=env, timeout=seconds
        )
    except subprocess.TimeoutExpired:
        raise PublishError(
            f"{what} was stopped: the publish deadline of {deadline.seconds:g} s (--timeout) "
            "passed. Nothing was tagged"
        ) from None


# -- packaging ----------------------------------------------------------------------------------


def add_missing_profiles(chart: Path, staged: Path) -> None:
    """Give the gate every ``ci/*-values.yaml`` profile of the working tree.

    A chart whose ``.helmignore`` leaves ``ci/`` out of the package would otherwise be gated on
    its defaults alone. The archive is built already, so the profiles copied here are test
    inputs for the gate, never shipped.
    """
    from tools.chart.profiles import chart_profiles
    from tools.core.bounded_read import MAX_VALUES_BYTES, InputError, read_file

    for profile in chart_profiles(chart):
        for source in profile.values_files:
            target = staged / "ci" / source.name
            if target.exists():
                continue
            try:
                data = read_file(source, MAX_VALUES_BYTES, "profile values file")
            except InputError as exc:
                raise PublishUsageError(str(exc)) from None
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(data)


@contextlib.contextmanager
def _packaging() -> Iterator[None]:
    """Packaging (tools.chart.package) refusals as publish errors: exit 2 for the chart, 1 for
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


# -- the artifact Helm would push ---------------------------------------------------------------

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
    result = bounded_run(
        [str(helm), "show", "chart", str(archive)], deadline, "helm show chart", env=env
    )
    if result.returncode != 0:
        raise PublishError(f"helm show chart failed: {helm_error(result.stderr or result.stdout)}")
    try:
        data = yaml_text.load(result.stdout)
    except yaml.YAMLError:
        data = None
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


# -- publishing ---------------------------------------------------------------------------------


def _layer(manifest: Manifest, media_type: str) -> dict[str, Any]:
    layers = manifest.layers(media_type)
    return layers[0] if layers else {}


def _matches(manifest: Manifest, package: Package) -> bool:
    if _layer(manifest, CHART_LAYER).get("digest") != "sha256:" + package.sha256:
        return False
    if package.provenance is None:
        return True
    prov = "sha256:" + hashlib.sha256(package.provenance.read_bytes()).hexdigest()
    return _layer(manifest, PROV_LAYER).get("digest") == prov


def _refusal(outcome_ref: str, existing: Manifest, package: Package) -> str:
    layer = _layer(existing, CHART_LAYER).get("digest")
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
                raise PublishError(_refusal(reference, existing, package))
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
                    f"the publish deadline of {self.deadline.seconds:g} s (--timeout) passed "
                    "while setting the tag; the tag was not created"
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

    def verify(self, package: Package, digest: str, work: Path) -> None:
        """Read the manifest by digest, download its layers (bounded, digest-checked) and compare
        them with the local files byte for byte; then ``helm show chart`` of the downloaded
        archive (a local file: helm gets no registry access and no credentials)."""
        repository = self.options.registry.repository(package.name)
        manifest = self.client.manifest(repository, digest)
        if manifest is None:
            raise PublishError(f"the registry has no manifest {digest} right after the push")
        if not _matches(manifest, package):
            raise PublishError(
                f"the pushed manifest {digest} does not carry this archive"
                + (" and its provenance" if package.provenance else "")
            )
        archive = self._download(repository, manifest, CHART_LAYER, package.archive)
        if package.provenance is not None:
            self._download(repository, manifest, PROV_LAYER, package.provenance)
        pulled = work / "pulled"
        pulled.mkdir()
        copy = pulled / package.archive.name
        copy.write_bytes(archive)
        self._loads(package, copy, digest)

    def _download(self, repository: str, manifest: Manifest, media_type: str, local: Path) -> bytes:
        """The layer's bytes, read no further than the local file's size; they must equal it."""
        expected = local.read_bytes()
        layer = _layer(manifest, media_type)
        if layer.get("size") != len(expected):
            raise PublishError(
                f"the pushed manifest {manifest.digest} gives {local.name} a size of "
                f"{layer.get('size')!r}, not its {len(expected)} bytes"
            )
        data = self.client.blob(repository, str(layer.get("digest")), len(expected))
        if data != expected:
            raise PublishError(
                f"{local.name} read back from the registry differs from the one pushed"
            )
        return data

    def _loads(self, package: Package, archive: Path, digest: str) -> None:
        result = bounded_run(
            [str(self.helm), "show", "chart", str(archive)],
            self.deadline,
            f"helm show chart of the archive read back from {digest}",
            env=self.env,
        )
        if result.returncode != 0:
            raise PublishError(
                f"helm cannot load the archive read back from {digest}: "
                f"{helm_error(result.stderr or result.stdout)}"
            )
        try:
            shown = yaml_text.load(result.stdout)
        except yaml.YAMLError:
            shown = None
        named = (
            (str(shown.get("name")), str(shown.get("version"))) if isinstance(shown, dict) else None
        )
        if named != (package.name, package.version):
            raise PublishError(
                f"helm show chart of the archive read back from {digest} does not name "
                f"{package.name} {package.version}"
            )


def helm_env(work: Path) -> dict[str, str]:
    """Helm's environment: fresh caches, and no registry credentials of any kind.

    Helm only packages and reads local files here; the registry is reached by our own client.
    Its registry config points at a file that does not exist, and the CI credential variables
    are left out.
    """
    env = {k: v for k, v in os.environ.items() if k not in (ENV_USERNAME, ENV_PASSWORD)}
    env["HELM_CACHE_HOME"] = str(work / "cache")
    env["HELM_CONTENT_CACHE"] = str(work / "cache" / "content")
    env["HELM_REGISTRY_CONFIG"] = str(work / "no-registry-config" / "config.json")
    return env


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
        try:
            client.ping()
            existing = client.tagged(repository, package.tag)
            if existing is not None:
                raise PublishError(_refusal(outcome.reference, existing, package))
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
            session.verify(package, artifact.digest, work)
            log(
                "verified: the layers read back by digest match the local files, and helm "
                "loads the archive"
            )
        except RegistryError as exc:
            raise PublishError(str(exc)) from None
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
            f"the publish deadline of {seconds:g} s (--timeout) passed; nothing was tagged "
            "unless a `tagged` line was printed above"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds + BACKSTOP_GRACE)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


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


def _plain_http(args: argparse.Namespace, registry: RegistryRef) -> bool:
    insecure = bool(getattr(args, "insecure_plain_http", False))
    if args.plain_http and not insecure and not is_loopback(registry.host):
        raise PublishUsageError(
            f"--plain-http is for a registry on this machine (127.0.0.0/8, ::1, localhost); "
            f"{registry.host} is not one. Use https, or --insecure-plain-http if you accept "
            "that the credentials and the chart cross the network in clear text"
        )
    return bool(args.plain_http) or insecure


def _timeout(args: argparse.Namespace) -> float:
    timeout = float(getattr(args, "timeout", DEFAULT_TIMEOUT))
    if not 0 < timeout <= MAX_TIMEOUT:
        raise PublishUsageError(
            f"--timeout takes a number of seconds above 0 and at most {MAX_TIMEOUT:g} "
            "(e.g. --timeout 600)"
        )
    return timeout


def options_from_args(args: argparse.Namespace, stdin: Any = None) -> Options:
    from tools.chart.profiles import ProfileError, repo_root, resolve_chart

    registry = RegistryRef.parse(args.registry)
    plain_http = _plain_http(args, registry)
    timeout = _timeout(args)
    signing = _signing(args)
    credentials = read_credentials(args, stdin)
    try:
        chart = resolve_chart(args.chart, repo_root())
    except ProfileError as exc:
        raise PublishUsageError(str(exc)) from None
    return Options(
        chart=chart,
        registry=registry,
        plain_http=plain_http,
        credentials=credentials,
        signing=signing,
        dry_run=args.dry_run,
        timeout=timeout,
    )


def report(outcome: Outcome, fmt: str, scrub: Scrubber) -> None:
    if fmt == "json":
        print(json.dumps(outcome.as_json(), indent=2))
    elif outcome.status == "dry-run":
        for note in outcome.notes:
            print(scrub.line(f"dry run: {note}"))
    else:
        print(scrub.line(f"published {outcome.reference}"))


def fail(message: str, fmt: str, status: int, scrub: Scrubber, lines: Iterable[str] = ()) -> int:
    """The one error exit: every line goes through ``scrub`` first."""
    for line in lines:
        print(scrub.line(line), file=sys.stderr)
    clean = scrub.line(message)
    print(f"todo-dapr publish: error: {clean}", file=sys.stderr)
    if fmt == "json":
        print(json.dumps({"status": "error", "error": clean, "exit_status": status}))
    return status


def main(args: argparse.Namespace, *, gate: Gate = run_gate, retry: Retry | None = None) -> int:
    """Entry point from ``tools.cli.main``: 0 published, 1 refused or failed, 2 usage/environment.

    The deadline runs from the moment ``--timeout`` is known, so reading the password is under
    it too. Whatever goes wrong leaves as one scrubbed line (and the JSON object with
    ``--format json``); an unexpected exception is named by its type only, never its text.
    """
    from tools.chart.helm import HelmError

    fmt = getattr(args, "format", "text")
    scrub = Scrubber()
    try:
        with backstop(_timeout(args)):
            return _main(args, gate, retry, fmt, scrub)
    except (PublishUsageError, HelmError) as exc:
        return fail(str(exc), fmt, EXIT_USAGE, scrub)
    except PublishError as exc:
        return fail(str(exc), fmt, EXIT_REFUSED, scrub, exc.details)
    except OSError as exc:
        return fail(f"{exc.filename or ''}: {exc.strerror or exc}", fmt, EXIT_USAGE, scrub)
    except Exception as exc:
        if os.environ.get("TODO_DAPR_DEBUG"):
            raise
        return fail(
            f"internal error ({type(exc).__name__}); set TODO_DAPR_DEBUG=1 to see the "
            "traceback, and please report it",
            fmt,
            EXIT_USAGE,
            scrub,
        )


def _main(
    args: argparse.Namespace, gate: Gate, retry: Retry | None, fmt: str, scrub: Scrubber
) -> int:
    from tools.chart.helm import find_helm

    options = options_from_args(args)
    scrub.add(options.credentials)
    helm = find_helm(quiet=fmt == "json")

    def log(message: str) -> None:
        print(scrub.line(message), file=sys.stderr)

    outcome = publish(options, helm=helm, gate=gate, retry=retry, log=log, scrub=scrub)
    report(outcome, fmt, scrub)
    return EXIT_OK
