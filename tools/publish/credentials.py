"""Registry credentials: the password from standard input, the CI environment variables, or an
earlier ``helm registry login`` (its config entry or its credential helper).

Nothing here writes a credential anywhere; every read is capped and the credential helper runs
under the publish deadline.
"""

from __future__ import annotations

import base64
import contextlib
import os
import select
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

from tools.core.bounded_read import InputError, read_text
from tools.publish.auth import Credentials
from tools.publish.bounds import Deadline
from tools.publish.errors import PublishUsageError, translated
from tools.publish.oci import load_json

ENV_USERNAME = "TODO_DAPR_REGISTRY_USERNAME"
ENV_PASSWORD = "TODO_DAPR_REGISTRY_PASSWORD"
PASSWORD_CAP = 64 * 1024
REGISTRY_CONFIG_CAP = 1024 * 1024
HELPER_OUTPUT_CAP = 64 * 1024
HELPER_TIMEOUT = 30.0

CREDENTIALS_GO = (
    "pass the user with --username and the password or token on standard input with "
    f"--password-stdin, or set {ENV_USERNAME} and {ENV_PASSWORD}"
)


def from_environment() -> Credentials | None:
    """Both CI variables, or None when neither is set; one without the other is an error."""
    user, password = os.environ.get(ENV_USERNAME), os.environ.get(ENV_PASSWORD)
    if user and password:
        return Credentials(user, password)
    if user or password:
        missing = ENV_PASSWORD if user else ENV_USERNAME
        raise PublishUsageError(f"{missing} is not set (set both registry variables, or neither)")
    return None


def read_password(stream: Any) -> str:
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
    with translated(usage=(InputError,)):
        text = read_text(path, REGISTRY_CONFIG_CAP, what)
    try:
        loaded = load_json(text)
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
        within = f"{HELPER_TIMEOUT:g} s" if seconds >= HELPER_TIMEOUT else deadline.phrase
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
