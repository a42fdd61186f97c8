"""Helm and the gate as subprocesses: bounded by the publish deadline, given no credentials, and
their failures said in one plain line.

Helm only packages and reads local files here; the registry is reached by our own client.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from tools.core import yaml_text
from tools.publish.bounds import Deadline
from tools.publish.credentials import ENV_PASSWORD, ENV_USERNAME
from tools.publish.errors import PublishError


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
        raise PublishError(f"{deadline.phrase} passed")
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, check=False, cwd=cwd, env=env, timeout=seconds
        )
    except subprocess.TimeoutExpired:
        raise PublishError(
            f"{what} was stopped: {deadline.phrase} passed. Nothing was tagged"
        ) from None


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


def show_chart(
    helm: Path, archive: Path, env: dict[str, str], deadline: Deadline, *, what: str, failed: str
) -> Any:
    """``helm show chart`` of a local archive, parsed (None when it is not YAML); a helm that
    fails is a PublishError that starts with ``failed``."""
    result = bounded_run([str(helm), "show", "chart", str(archive)], deadline, what, env=env)
    if result.returncode != 0:
        raise PublishError(f"{failed}: {helm_error(result.stderr or result.stdout)}")
    try:
        return yaml_text.load(result.stdout)
    except yaml.YAMLError:
        return None
