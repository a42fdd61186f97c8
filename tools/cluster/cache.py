"""Build the stack's programs once per version and keep them: Go programs from the module
proxy, keyed by their module files and the Go toolchain, under one cache directory."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tools.cluster.processes import ClusterError

# The longest a single `go build` may take on a slow two-core machine before it is given up.
BUILD_DEADLINE_S = 45 * 60
_OUTPUT_TAIL = 4000


def cache_root() -> Path:
    """``$TODO_DAPR_CLUSTER_CACHE``, else ``~/.cache/todo-dapr/cluster``."""
    configured = os.environ.get("TODO_DAPR_CLUSTER_CACHE")
    root = Path(configured) if configured else Path.home() / ".cache" / "todo-dapr" / "cluster"
    root.mkdir(parents=True, exist_ok=True)
    return root


def require_tool(name: str, hint: str) -> str:
    """The path of ``name`` on PATH, or a ClusterError that says how to get it."""
    found = shutil.which(name)
    if found is None:
        raise ClusterError(f"{name} is not on PATH: {hint}")
    return found


@contextmanager
def locked(name: str) -> Iterator[None]:
    """One builder at a time for ``name``, across processes (pytest workers, two shells)."""
    locks = cache_root() / "locks"
    locks.mkdir(exist_ok=True)
    with (locks / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _go_version(go: str) -> str:
    try:
        done = subprocess.run(
            [go, "version"], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ClusterError(f"`go version` failed: {exc}") from None
    return done.stdout.strip()


def _module_key(
    module_dir: Path, modfile: str | None, package: str, tags: Sequence[str], ldflags: str
) -> str:
    digest = hashlib.sha256()
    mod = module_dir / (modfile or "go.mod")
    for path in (mod, mod.with_suffix(".sum")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for path in sorted(module_dir.rglob("*.go")):
        digest.update(str(path.relative_to(module_dir)).encode() + b"\0" + path.read_bytes())
    digest.update(f"\0{package}\0{','.join(tags)}\0{ldflags}".encode())
    return digest.hexdigest()[:16]


def go_build(
    module_dir: Path,
    package: str,
    name: str,
    *,
    modfile: str | None = None,
    tags: Sequence[str] = (),
    ldflags: str = "",
) -> Path:
    """Build ``package`` of the Go module in ``module_dir`` into the cache, once.

    The binary is named after ``name`` and a hash of the module's files, the Go version, the
    tags and the link flags, so a changed go.mod or main.go builds again and an unchanged one
    never does. ``modfile``: a module file other than go.mod (one source tree, one module file
    per release), with its ``.sum`` beside it."""
    if not module_dir.is_dir():
        raise ClusterError(
            f"{module_dir} is missing: the cluster commands build from a checkout of the "
            "todo-dapr repository; run them from one"
        )
    go = require_tool(
        "go",
        f"building {name} needs Go 1.26 or newer (https://go.dev/dl/), with the Go module "
        "proxy reachable",
    )
    key = _module_key(module_dir, modfile, package, tags, f"{ldflags}\0{_go_version(go)}")
    target = cache_root() / "bin" / f"{name}-{key}"
    if target.is_file():
        return target
    with locked(name):
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        argv = [go, "build", "-trimpath", "-o", str(partial)]
        if modfile:
            argv.append(f"-modfile={modfile}")
        if tags:
            argv.append("-tags=" + ",".join(tags))
        if ldflags:
            argv.append(f"-ldflags={ldflags}")
        argv.append(package)
        print(
            f"todo-dapr cluster: building {name} with {_go_version(go)} (first time only; "
            "it can take several minutes)",
            file=sys.stderr,
            flush=True,
        )
        began = time.monotonic()
        env = {**os.environ, "CGO_ENABLED": "0", "GOFLAGS": "-mod=readonly"}
        try:
            done = subprocess.run(
                argv,
                check=False,
                cwd=module_dir,
                env=env,
                capture_output=True,
                text=True,
                timeout=BUILD_DEADLINE_S,
            )
        except subprocess.TimeoutExpired:
            raise ClusterError(
                f"building {name} took more than {BUILD_DEADLINE_S // 60} min and was stopped"
            ) from None
        if done.returncode != 0:
            output = (done.stdout + done.stderr)[-_OUTPUT_TAIL:]
            partial.unlink(missing_ok=True)
            raise ClusterError(
                f"building {name} from {module_dir} failed (go build exit {done.returncode}); "
                f"the module proxy must be reachable. Last output:\n{output}"
            )
        partial.replace(target)
        print(
            f"todo-dapr cluster: built {name} in {time.monotonic() - began:.0f} s: {target}",
            file=sys.stderr,
            flush=True,
        )
    return target
