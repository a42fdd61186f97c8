"""daprd for each supported Dapr release, and one started in standalone mode on 127.0.0.1.

The binary is our small program in ``cluster/daprd``: Dapr's own ``cmd/daprd/app`` with only
the components the chart renders and the tests load registered (``components.go``), built from
the module proxy with one module file per release (``go.<release>.mod``). Dapr's package
``cmd/daprd/components`` holds a file, ``zz_notag.go``, that panics at start-up in a build
without the ``allcomponents``/``stablecomponents`` tags, and Go refuses an overlay of a file in
the module cache; so the build replaces the dapr module by a copy of it (hard links into the
module cache) where that one file declares the package and nothing else."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.cluster import cache
from tools.cluster.processes import ClusterError, Started, free_port, start, stop, wait_until

MODULE_DIR = Path(__file__).resolve().parents[2] / "cluster" / "daprd"
RELEASES = ("1.16", "1.17", "1.18")

_DAPR = "github.com/dapr/dapr"
_PANIC_FILE = "cmd/daprd/components/zz_notag.go"
_PANIC_FILE_STUB = (
    "// Written by todo-dapr's tools/cluster/daprd.py in place of a file that panics when\n"
    "// neither allcomponents nor stablecomponents is set: cluster/daprd registers its own.\n"
    "\npackage components\n"
)
_DOWNLOAD_TIMEOUT_S = 15 * 60
_READY_DEADLINE_S = 90.0
# Starts tried, each on newly chosen ports, when daprd finds one of its ports taken.
_PORT_ATTEMPTS = 3
_PORT_TAKEN = ("could not listen", "address already in use")
# Most of a response body read from daprd; metadata of a few components is a few KiB.
_MAX_BODY = 1 << 20
# Most of a log read for its JSON records.
_MAX_LOG = 4 << 20


def _module_file(release: str) -> Path:
    path = MODULE_DIR / f"go.{release}.mod"
    if not path.is_file():
        raise ClusterError(
            f"there is no daprd module file for Dapr {release} ({path}); the releases built "
            f"here are {', '.join(RELEASES)}"
        )
    return path


def dapr_version(release: str) -> str:
    """The github.com/dapr/dapr version the module file of ``release`` builds, e.g. v1.18.2."""
    text = _module_file(release).read_text(encoding="utf-8")
    found = re.search(r"^\s*github\.com/dapr/dapr (v\S+)", text, re.MULTILINE)
    if found is None:
        raise ClusterError(f"{_module_file(release)} does not require {_DAPR}")
    return found.group(1)


def _download_dapr(go: str, release: str, version: str) -> tuple[Path, str]:
    """The dapr module's directory in the module cache and its commit, downloaded if needed."""
    argv = [go, "mod", "download", "-json", f"-modfile={_module_file(release)}"]
    env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"}
    try:
        done = subprocess.run(
            [*argv, f"{_DAPR}@{version}"],
            cwd=MODULE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=_DOWNLOAD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ClusterError(
            f"downloading {_DAPR}@{version} took more than {_DOWNLOAD_TIMEOUT_S // 60} min"
        ) from None
    try:
        info: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        info = {}
    directory = info.get("Dir")
    if done.returncode != 0 or not isinstance(directory, str) or info.get("Error"):
        detail = str(info.get("Error") or done.stderr.strip()[-2000:])
        raise ClusterError(f"cannot download {_DAPR}@{version} from the Go module proxy: {detail}")
    origin = info.get("Origin")
    commit = origin.get("Hash", "") if isinstance(origin, dict) else ""
    return Path(directory), str(commit)


def _linked_copy(source: Path, target: Path) -> None:
    """``source`` as ``target`` by hard links (plain copies across file systems), the file
    that panics in an untagged build replaced by a stub; writable directories, so that it can
    be removed."""
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    for root, _dirs, files in os.walk(source):
        relative = Path(root).relative_to(source)
        (partial / relative).mkdir(parents=True, exist_ok=True)
        for file in files:
            if (relative / file).as_posix() == _PANIC_FILE:
                (partial / _PANIC_FILE).write_text(_PANIC_FILE_STUB, encoding="utf-8")
                continue
            try:
                os.link(Path(root) / file, partial / relative / file)
            except OSError:
                shutil.copyfile(Path(root) / file, partial / relative / file)
    partial.rename(target)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def _build_inputs(release: str) -> tuple[Path, str, str]:
    """The module file to build with (ours plus a replace of the dapr module by its copy),
    the dapr version and its commit."""
    go = cache.require_tool(
        "go",
        f"building daprd {release} needs Go 1.26 or newer (https://go.dev/dl/), with the Go "
        "module proxy reachable",
    )
    version = dapr_version(release)
    work = cache.cache_root() / "daprd"
    work.mkdir(parents=True, exist_ok=True)
    # The stub's hash in the name: a changed stub is a new copy, a new module file and so a
    # new build.
    stub = hashlib.sha256(_PANIC_FILE_STUB.encode()).hexdigest()[:8]
    copy = work / f"dapr@{version}-{stub}"
    # The commit the module proxy names for the version, kept beside the copy: a cached
    # build needs no network.
    commit_file = work / f"dapr@{version}.commit"
    with cache.locked(f"daprd-source-{version}"):
        if not (copy / "go.mod").is_file() or not commit_file.is_file():
            source, commit = _download_dapr(go, release, version)
            shutil.rmtree(copy, ignore_errors=True)
            _linked_copy(source, copy)
            commit_file.write_text(commit, encoding="ascii")
        commit = commit_file.read_text(encoding="ascii").strip()
        modfile = _module_file(release)
        generated = work / f"go.{release}.mod"
        _write_if_changed(
            generated,
            modfile.read_text(encoding="utf-8")
            + f"\n// Written by tools/cluster/daprd.py: {_DAPR} with a stub {_PANIC_FILE}.\n"
            + f"replace {_DAPR} => {copy}\n",
        )
        _write_if_changed(
            generated.with_suffix(".sum"),
            modfile.with_suffix(".sum").read_text(encoding="utf-8"),
        )
    return generated, version, commit


def _ldflags(version: str, commit: str) -> str:
    """The version stamps daprd's Makefile sets, and its release -s -w."""
    plain = version.removeprefix("v")
    stamps = {
        "github.com/dapr/dapr/pkg/buildinfo.version": plain,
        "github.com/dapr/dapr/pkg/buildinfo.gitversion": version,
        "github.com/dapr/kit/logger.DaprVersion": plain,
    }
    if commit:
        stamps["github.com/dapr/dapr/pkg/buildinfo.gitcommit"] = commit
    return " ".join(["-s", "-w", *(f"-X {name}={value}" for name, value in stamps.items())])


def daprd_binary(release: str) -> Path:
    """Our daprd for Dapr ``release`` ("1.16", "1.17", "1.18"), built once into the cache."""
    generated, version, commit = _build_inputs(release)
    return cache.go_build(
        MODULE_DIR,
        ".",
        f"daprd-{release}",
        modfile=os.path.relpath(generated, MODULE_DIR),
        ldflags=_ldflags(version, commit),
    )


@dataclass(frozen=True)
class Daprd:
    """One daprd started by start_daprd: its ports on 127.0.0.1 and its log."""

    started: Started
    run_dir: Path
    app_id: str
    http_port: int
    grpc_port: int
    internal_grpc_port: int
    metrics_port: int
    # Seconds from the start of the process to /v1.0/healthz/outbound answering 204.
    ready_s: float

    @property
    def name(self) -> str:
        return self.started.name

    @property
    def log(self) -> Path:
        return self.started.log

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http_port}/{path.lstrip('/')}"

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        timeout_s: float = 10.0,
    ) -> tuple[int, bytes]:
        """Status and body (at most 1 MiB) of one call to daprd's HTTP API; a JSON ``body``
        is sent as JSON. An HTTP error status is returned, not raised."""
        data = None if body is None else json.dumps(body).encode()
        headers = {} if data is None else {"Content-Type": "application/json"}
        req = urllib.request.Request(self.url(path), data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout_s) as response:
                status: int = response.status
                return status, response.read(_MAX_BODY)
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read(_MAX_BODY)

    def metadata(self, *, timeout_s: float = 10.0) -> dict[str, Any]:
        """``GET /v1.0/metadata``: the loaded components ("components": name, type, version),
        subscriptions, the runtime version and more."""
        status, body = self.request("GET", "v1.0/metadata", timeout_s=timeout_s)
        if status != 200:
            raise ClusterError(
                f"daprd {self.app_id}: GET /v1.0/metadata answered {status}: {body[:500]!r}"
            )
        loaded: dict[str, Any] = json.loads(body)
        return loaded

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON records of daprd's log so far (its last 4 MiB), e.g. ``msg``, ``level``,
        ``scope``; lines that are not JSON are skipped."""
        try:
            with self.log.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(0, handle.tell() - _MAX_LOG))
                data = handle.read(_MAX_LOG)
        except OSError:
            return []
        return json_records(data)

    def stop(self, *, grace_s: float = 10.0) -> None:
        stop(self.run_dir, self.name, grace_s=grace_s)


def json_records(data: bytes) -> list[dict[str, Any]]:
    """The JSON object lines of a daprd log (``--log-as-json``); other lines are skipped."""
    records = []
    for line in data.decode("utf-8", "replace").splitlines():
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                records.append(record)
    return records


def _answers_204(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status) == 204
    except (urllib.error.HTTPError, http.client.HTTPException):
        return False


def start_daprd(
    run_dir: Path,
    binary: Path,
    *,
    app_id: str,
    resources_dir: Path | None,
    config_file: Path | None,
    app_port: int | None = None,
    env: Mapping[str, str] | None = None,
    ready_deadline_s: float = _READY_DEADLINE_S,
) -> Daprd:
    """Start ``binary`` in standalone mode for ``app_id``, every port a free one on 127.0.0.1,
    no placement or scheduler, JSON logs in ``run_dir/daprd-<app_id>.log``; return once
    ``/v1.0/healthz/outbound`` answers 204 (components loaded, API servers up).

    The process sees only PATH, HOME=run_dir (so no ~/.kube/config of the user's is read) and
    ``env`` (e.g. KUBECONFIG for the Kubernetes secret store, NAMESPACE)."""
    for attempt in range(_PORT_ATTEMPTS):
        ports = tuple(free_port() for _ in range(4))
        try:
            started, ready_s = _start_on(
                run_dir,
                binary,
                ports,
                app_id=app_id,
                resources_dir=resources_dir,
                config_file=config_file,
                app_port=app_port,
                env=env,
                ready_deadline_s=ready_deadline_s,
            )
        except ClusterError as exc:
            # A free port is released before daprd binds it, so another process may take it
            # first: daprd then exits saying it could not listen. Try other ports.
            if attempt + 1 < _PORT_ATTEMPTS and any(m in str(exc) for m in _PORT_TAKEN):
                continue
            raise
        http_port, grpc_port, internal_port, metrics_port = ports
        return Daprd(
            started, run_dir, app_id, http_port, grpc_port, internal_port, metrics_port, ready_s
        )
    raise AssertionError("unreachable")


def _start_on(
    run_dir: Path,
    binary: Path,
    ports: tuple[int, ...],
    *,
    app_id: str,
    resources_dir: Path | None,
    config_file: Path | None,
    app_port: int | None,
    env: Mapping[str, str] | None,
    ready_deadline_s: float,
) -> tuple[Started, float]:
    http_port, grpc_port, internal_port, metrics_port = ports
    argv = [
        str(binary),
        "--mode=standalone",
        f"--app-id={app_id}",
        f"--dapr-http-port={http_port}",
        f"--dapr-grpc-port={grpc_port}",
        f"--dapr-internal-grpc-port={internal_port}",
        "--dapr-listen-addresses=127.0.0.1",
        "--dapr-internal-grpc-listen-address=127.0.0.1",
        f"--metrics-port={metrics_port}",
        "--metrics-listen-address=127.0.0.1",
        "--app-channel-address=127.0.0.1",
        "--log-as-json",
        "--log-level=info",
    ]
    if resources_dir is not None:
        argv.append(f"--resources-path={resources_dir}")
    if config_file is not None:
        argv.append(f"--config={config_file}")
    if app_port is not None:
        argv.append(f"--app-port={app_port}")
    process_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(run_dir)}
    process_env.update(env or {})
    name = f"daprd-{app_id}"
    began = time.monotonic()
    started = start(name, argv, run_dir=run_dir, env=process_env)
    outbound = f"http://127.0.0.1:{http_port}/v1.0/healthz/outbound"
    try:
        wait_until(
            lambda: _answers_204(outbound),
            what=f"ready on 127.0.0.1:{http_port} (GET /v1.0/healthz/outbound)",
            started=started,
            deadline_s=ready_deadline_s,
        )
    except ClusterError:
        stop(run_dir, name)
        raise
    return started, time.monotonic() - began
