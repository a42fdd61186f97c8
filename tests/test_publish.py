"""``python -m tools publish`` against a real registry (Debian's docker-registry) on loopback."""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.chart.helm import ensure_helm, run
from tools.chart.package import DEFAULT_EPOCH, normalize_archive
from tools.cli import publish
from tools.cli.publish_args import add_arguments
from tools.publish.auth import Credentials
from tools.publish.bounds import Deadline, Retry
from tools.publish.credentials import ENV_PASSWORD, ENV_USERNAME
from tools.publish.errors import PublishError, PublishUsageError
from tools.publish.helm_calls import helm_env
from tools.publish.oci import CHART_LAYER, PROV_LAYER
from tools.publish.packaging import package_chart
from tools.publish.registry import RegistryClient
from tools.publish.target import RegistryRef

sys.path.insert(0, str(Path(__file__).parent))
from forked_cli import run_tools
from programs import require
from publish_argv import publish_argv
from registry_fixture import (
    Fault,
    FaultProxy,
    Registry,
    make_htpasswd,
    require_registry_binary,
    start_registry,
)
from small_chart import make_chart

REPO = Path(__file__).resolve().parent.parent
FAST = Retry(attempts=3, base=0.05)
# For faults that never clear: each `helm push` already retries a 5xx about six times with its
# own back-off (some seven seconds), so two attempts prove the bounded retry at half the cost.
PERSISTENT = Retry(attempts=2, base=0.01)
USER, PASSWORD = "ci-bot", "s3cret-Token-9f2"


@pytest.fixture(autouse=True)
def helm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own helm config, cache and helm 4; nothing touches the user's."""
    home = tmp_path / "helm-home"
    monkeypatch.setenv("HELM_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("HELM_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("HELM_DATA_HOME", str(home / "data"))
    monkeypatch.delenv("HELM_REGISTRY_CONFIG", raising=False)
    monkeypatch.delenv(ENV_USERNAME, raising=False)
    monkeypatch.delenv(ENV_PASSWORD, raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("HELM", str(ensure_helm(4)))
    return home


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    return make_chart(tmp_path / "src")


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with start_registry(tmp_path / "registry") as reg:
        yield reg


@pytest.fixture
def auth_registry(tmp_path: Path) -> Iterator[Registry]:
    require_registry_binary()  # skip before anything else when there is no registry to run
    htpasswd = tmp_path / "htpasswd"
    make_htpasswd(htpasswd, USER, PASSWORD)
    with start_registry(tmp_path / "auth-registry", htpasswd=htpasswd) as reg:
        yield reg


@dataclass
class Result:
    status: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, object]:
        data = json.loads(self.out)
        assert isinstance(data, dict)
        return data


def no_gate(chart: Path, deadline: Deadline) -> None:
    """The real gate needs the real chart; these tests publish a small chart of their own."""


def run_publish(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *argv: str,
    stdin: str = "",
    gate: Callable[[Path, Deadline], None] = no_gate,
    retry: Retry = FAST,
) -> Result:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args(list(argv))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    capsys.readouterr()
    status = publish.main(args, gate=gate, retry=retry)
    out, err = capsys.readouterr()
    return Result(status, out, err)


Publish = Callable[..., Result]


@pytest.fixture
def pub(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Publish:
    def call(
        *argv: str,
        stdin: str = "",
        gate: Callable[[Path, Deadline], None] = no_gate,
        retry: Retry = FAST,
    ) -> Result:
        return run_publish(capsys, monkeypatch, *argv, stdin=stdin, gate=gate, retry=retry)

    return call


def tag_digest(
    host: str, repository: str, tag: str, creds: Credentials | None = None
) -> str | None:
    manifest = RegistryClient(host, plain_http=True, credentials=creds).manifest(repository, tag)
    return manifest.digest if manifest else None


def one_line_error(result: Result) -> str:
    lines = [ln for ln in result.err.splitlines() if ln.startswith("todo-dapr publish: error:")]
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err + result.out
    return lines[0]


# -- without a registry -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "host", "path"),
    [
        ("oci://127.0.0.1:5000/charts", "127.0.0.1:5000", "charts"),
        ("oci://fra.ocir.io/tenancy/charts/", "fra.ocir.io", "tenancy/charts"),
        ("oci://registry.example", "registry.example", ""),
    ],
)
def test_registry_reference_parses(text: str, host: str, path: str) -> None:
    ref = RegistryRef.parse(text)
    assert (ref.host, ref.path) == (host, path)
    assert ref.repository("todo-dapr") == f"{path}/todo-dapr".lstrip("/")


@pytest.mark.parametrize(
    "text",
    [
        "http://127.0.0.1:5000/charts",
        "127.0.0.1/charts",
        "oci://h/charts/todo-dapr:0.1.0",
        "oci://h/Ch",
    ],
)
def test_bad_registry_reference_is_a_usage_error(text: str) -> None:
    with pytest.raises(PublishUsageError, match="--registry"):
        RegistryRef.parse(text)


@pytest.mark.parametrize("helm_major", [4, 3])
def test_package_digest_ignores_file_times(tmp_path: Path, helm_major: int) -> None:
    helm = ensure_helm(helm_major)
    chart = make_chart(tmp_path / "a")
    digests = []
    for n, when in enumerate((1_000_000_000, 1_700_000_000)):
        if n:
            time.sleep(1.1)  # the second package is built in a later second
        for path in chart.rglob("*"):
            os.utime(path, (when, when))
        work = tmp_path / f"work{n}"
        work.mkdir()
        env = helm_env(work)
        package = package_chart(helm, chart, work, env, None)
        digests.append(package.sha256)
        shown = run(helm, "show", "chart", str(package.archive), env=env)
        assert shown.returncode == 0, shown.stderr
        assert "name: todo-dapr" in shown.stdout
        rendered = run(helm, "template", "x", str(package.archive), env=env)
        assert rendered.returncode == 0 and 'note: "one"' in rendered.stdout
    assert digests[0] == digests[1]
    changed = make_chart(tmp_path / "b", note="two")
    work = tmp_path / "work-changed"
    work.mkdir()
    other = package_chart(helm, changed, work, helm_env(work), None)
    assert other.sha256 != digests[0]


def test_normalized_archive_is_still_a_chart(tmp_path: Path) -> None:
    helm = ensure_helm(4)
    chart = make_chart(tmp_path / "c")
    result = run(helm, "package", str(chart), "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    archive = tmp_path / "todo-dapr-0.1.0.tgz"
    with tarfile.open(archive) as tar:
        names_before = tar.getnames()
    normalize_archive(archive, 42)
    with tarfile.open(archive) as tar:
        assert tar.getnames() == names_before
        assert {m.mtime for m in tar.getmembers()} == {42}
    assert run(helm, "lint", str(archive)).returncode == 0


def test_username_needs_password_stdin(pub: Publish, chart: Path) -> None:
    result = pub(
        "--registry",
        "oci://127.0.0.1:1/c",
        "--chart",
        str(chart),
        "--username",
        USER,
    )
    assert result.status == 2
    assert "--password-stdin" in one_line_error(result)


def test_half_set_environment_credentials_is_a_usage_error(
    pub: Publish, chart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_USERNAME, USER)
    result = pub("--registry", "oci://127.0.0.1:1/c", "--chart", str(chart))
    assert result.status == 2
    assert ENV_PASSWORD in one_line_error(result)


def test_sign_needs_key_and_keyring(pub: Publish, chart: Path) -> None:
    result = pub("--registry", "oci://127.0.0.1:1/c", "--chart", str(chart), "--sign")
    assert result.status == 2
    assert "--key" in one_line_error(result)


def test_cli_usage_error_has_no_traceback(tmp_path: Path) -> None:
    result = run_tools("publish", "--registry", "https://example/charts", cwd=REPO)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "oci://HOST[:PORT]/PATH" in result.stderr


# -- against a real registry --------------------------------------------------------------------


@pytest.mark.registry
def test_first_publish_succeeds_and_helm_pull_reproduces_the_digest(
    pub: Publish,
    registry: Registry,
    chart: Path,
    tmp_path: Path,
) -> None:
    result = pub(*publish_argv(f"oci://{registry.host}/charts", chart, "--format", "json"))
    assert result.status == 0, result.err
    data = result.json
    digest = data["digest"]
    assert isinstance(digest, str) and digest.startswith("sha256:")
    assert data["reference"] == f"oci://{registry.host}/charts/todo-dapr:0.1.0@{digest}"
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") == digest
    helm = ensure_helm(4)
    pulled = tmp_path / "pulled"
    pulled.mkdir()
    got = run(
        helm,
        "pull",
        f"oci://{registry.host}/charts/todo-dapr",
        "--version",
        "0.1.0",
        "--plain-http",
        "-d",
        str(pulled),
    )
    assert got.returncode == 0, got.stderr
    assert f"Digest: {digest}" in got.stdout + got.stderr
    archive = pulled / "todo-dapr-0.1.0.tgz"
    archive_sha = "sha256:" + hashlib.sha256(archive.read_bytes()).hexdigest()
    assert isinstance(data["archive"], dict) and data["archive"]["sha256"] == archive_sha


@pytest.mark.slow(3)
@pytest.mark.registry
def test_publish_with_helm3_is_reproducible_and_verified(
    pub: Publish, registry: Registry, chart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELM", str(ensure_helm(3)))
    digests = []
    for n, path in enumerate(("one", "two")):
        if n:
            time.sleep(1.1)  # Helm 3 stamps the current second into the archive
        result = pub(*publish_argv(f"oci://{registry.host}/{path}", chart, "--format", "json"))
        assert result.status == 0, result.err
        digests.append(result.json["digest"])
    assert digests[0] == digests[1]


def test_sign_with_helm3_is_refused(
    pub: Publish, chart: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HELM", str(ensure_helm(3)))
    keyring = tmp_path / "secring.gpg"
    keyring.write_bytes(b"")
    result = pub(
        "--registry",
        "oci://127.0.0.1:1/charts",
        "--chart",
        str(chart),
        "--sign",
        "--key",
        "k",
        "--keyring",
        str(keyring),
    )
    assert result.status == 2
    assert "--sign needs Helm 4" in one_line_error(result)


@pytest.mark.registry
def test_text_output_names_reference_and_digest(
    pub: Publish,
    registry: Registry,
    chart: Path,
) -> None:
    result = pub(*publish_argv(f"oci://{registry.host}/charts", chart))
    assert result.status == 0, result.err
    digest = tag_digest(registry.host, "charts/todo-dapr", "0.1.0")
    assert result.out.strip() == f"published oci://{registry.host}/charts/todo-dapr:0.1.0@{digest}"


@pytest.mark.slow(3)
@pytest.mark.registry
def test_same_content_publishes_to_the_same_digest_in_another_repository(
    pub: Publish,
    registry: Registry,
    chart: Path,
) -> None:
    digests = []
    for n, path in enumerate(("one", "two")):
        if n:
            time.sleep(1.1)  # the files are touched in a later second
        for file in chart.rglob("*"):
            file.touch()
        result = pub(*publish_argv(f"oci://{registry.host}/{path}", chart, "--format", "json"))
        assert result.status == 0, result.err
        digests.append(result.json["digest"])
    assert digests[0] == digests[1]


@pytest.mark.registry
@pytest.mark.parametrize("change", [False, True], ids=["same-content", "changed-content"])
def test_second_publish_of_a_version_is_refused_and_the_tag_is_unchanged(
    pub: Publish,
    registry: Registry,
    tmp_path: Path,
    change: bool,
) -> None:
    chart = make_chart(tmp_path / "v1")
    args = ("--registry", f"oci://{registry.host}/charts", "--plain-http")
    first = pub(*args, "--chart", str(chart))
    assert first.status == 0, first.err
    before = tag_digest(registry.host, "charts/todo-dapr", "0.1.0")
    again = make_chart(tmp_path / "v2", note="changed") if change else chart
    gated: list[Path] = []
    second = pub(
        *args, "--chart", str(again), "--format", "json", gate=lambda c, _: gated.append(c)
    )
    assert second.status == 1
    assert gated == [], "a version already published is refused before the gate runs"
    line = one_line_error(second)
    assert "already exists" in line and "bump `version` in Chart.yaml" in line
    assert f"({before}, with {'different' if change else 'the same'} content)" in line
    assert second.json["status"] == "error"
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") == before


@pytest.mark.registry
def test_failing_gate_stops_before_the_push(pub: Publish, registry: Registry, chart: Path) -> None:
    def gate(path: Path, deadline: Deadline) -> None:
        raise PublishError("gate failed: `python -m tools lint` exited 1")

    result = pub(*publish_argv(f"oci://{registry.host}/c", chart), gate=gate)
    assert result.status == 1
    assert "gate failed" in one_line_error(result)
    assert "pushed" not in result.err
    assert tag_digest(registry.host, "c/todo-dapr", "0.1.0") is None


@pytest.mark.registry
def test_dry_run_pushes_nothing(
    pub: Publish,
    registry: Registry,
    chart: Path,
) -> None:
    result = pub(*publish_argv(f"oci://{registry.host}/charts", chart, "--dry-run"))
    assert result.status == 0, result.err
    assert (
        f"would push todo-dapr-0.1.0.tgz to oci://{registry.host}/charts/todo-dapr:0.1.0"
        in result.out
    )
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") is None


@pytest.mark.registry
def test_stopped_registry_fails_cleanly(pub: Publish, tmp_path: Path, chart: Path) -> None:
    reg = start_registry(tmp_path / "gone")
    reg.stop()
    result = pub(*publish_argv(f"oci://{reg.host}/charts", chart, "--format", "json"))
    assert result.status == 1
    line = one_line_error(result)
    assert f"registry {reg.host} is not reachable: connection refused" in line
    assert result.json["exit_status"] == 1


@pytest.mark.registry
def test_https_to_a_plain_http_registry_suggests_plain_http(
    pub: Publish,
    registry: Registry,
    chart: Path,
) -> None:
    result = pub("--registry", f"oci://{registry.host}/charts", "--chart", str(chart))
    assert result.status == 1
    assert "--plain-http" in one_line_error(result)


@pytest.mark.registry
def test_authenticated_registry_with_password_stdin(
    pub: Publish,
    auth_registry: Registry,
    chart: Path,
    helm_home: Path,
) -> None:
    result = pub(
        *publish_argv(
            f"oci://{auth_registry.host}/charts", chart, "--username", USER, "--password-stdin"
        ),
        stdin=PASSWORD + "\n",
    )
    assert result.status == 0, result.err
    creds = Credentials(USER, PASSWORD)
    digest = tag_digest(auth_registry.host, "charts/todo-dapr", "0.1.0", creds)
    assert digest and digest in result.out
    assert PASSWORD not in result.out + result.err
    assert not (helm_home / "config" / "registry").exists(), "credentials landed in helm's config"


@pytest.mark.registry
def test_authenticated_registry_with_environment_credentials(
    pub: Publish,
    auth_registry: Registry,
    chart: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_USERNAME, USER)
    monkeypatch.setenv(ENV_PASSWORD, PASSWORD)
    result = pub(*publish_argv(f"oci://{auth_registry.host}/charts", chart, "--format", "json"))
    assert result.status == 0, result.err
    assert result.json["status"] == "published"
    assert PASSWORD not in result.out + result.err


@pytest.mark.registry
def test_authenticated_registry_with_an_existing_helm_login(
    pub: Publish,
    auth_registry: Registry,
    chart: Path,
) -> None:
    login = run(
        ensure_helm(4),
        "registry",
        "login",
        auth_registry.host,
        "--plain-http",
        "--username",
        USER,
        "--password-stdin",
        input_text=PASSWORD,
    )
    assert login.returncode == 0, login.stderr
    result = pub(*publish_argv(f"oci://{auth_registry.host}/charts", chart))
    assert result.status == 0, result.err


@pytest.mark.registry
def test_authenticated_registry_without_credentials_says_how_to_log_in(
    pub: Publish,
    auth_registry: Registry,
    chart: Path,
) -> None:
    result = pub(*publish_argv(f"oci://{auth_registry.host}/charts", chart))
    assert result.status == 1
    line = one_line_error(result)
    assert "401 unauthorized" in line and "--password-stdin" in line
    creds = Credentials(USER, PASSWORD)
    assert tag_digest(auth_registry.host, "charts/todo-dapr", "0.1.0", creds) is None


@pytest.mark.registry
def test_wrong_password_is_refused_without_echoing_it(
    pub: Publish,
    auth_registry: Registry,
    chart: Path,
) -> None:
    wrong = "wrong-Pa55word-xyz"
    result = pub(
        *publish_argv(
            f"oci://{auth_registry.host}/charts",
            chart,
            "--username",
            USER,
            "--password-stdin",
            "--format",
            "json",
        ),
        stdin=wrong,
    )
    assert result.status == 1
    assert "refused the credentials" in one_line_error(result)
    for secret in (wrong, base64.b64encode(f"{USER}:{wrong}".encode()).decode()):
        assert secret not in result.out + result.err


def _publish_through(
    pub: Publish,
    proxy: FaultProxy,
    chart: Path,
    retry: Retry = FAST,
) -> Result:
    return pub(*publish_argv(f"oci://{proxy.host}/charts", chart, "--format", "json"), retry=retry)


def _first(n: int, method: str, fragment: str, fault: Fault) -> Callable[[str, str], Fault]:
    """A proxy decision: the first ``n`` matching requests get ``fault``."""
    left = [n]

    def decide(m: str, path: str) -> Fault:
        if m == method and fragment in path and left[0] > 0:
            left[0] -= 1
            return fault
        return None

    return decide


@pytest.mark.registry
@pytest.mark.parametrize(
    "case",
    [
        ("PUT", "/blobs/uploads/", 503),
        ("PUT", "/manifests/0.1.0", 502),
        ("PUT", "/manifests/", "cut"),
        ("PUT", "/manifests/0.1.0", "cut-after"),
        ("GET", "/manifests/", 500),
    ],
    ids=["503-blob-upload", "502-tag", "cut-manifest", "cut-after-tag-landed", "500-manifest-read"],
)
def test_transient_faults_are_retried(
    pub: Publish, registry: Registry, chart: Path, case: tuple[str, str, Fault]
) -> None:
    with FaultProxy(registry.host, _first(1, *case)) as proxy:
        result = _publish_through(pub, proxy, chart)
        injected = [s for s in proxy.seen if s.fault is not None]
    assert injected, "the fault was never injected"
    assert result.status == 0, result.err
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") == result.json["digest"]


@pytest.mark.registry
@pytest.mark.parametrize(
    ("case", "words"),
    [
        (
            ("PUT", "/manifests/0.1.0", 503),
            "503 Service Unavailable (UNAVAILABLE: injected) to PUT manifest "
            "charts/todo-dapr:0.1.0 (after 2 attempts); the tag was not created",
        ),
        (("PUT", "/manifests/", "cut"), "is not reachable: connection reset"),
        (
            ("GET", "/v2/", 503),
            "503 Service Unavailable (UNAVAILABLE: injected) to GET /v2/ (after 2 attempts)",
        ),
    ],
    ids=["503-tag", "cut-manifest", "503-ping"],
)
def test_persistent_faults_fail_cleanly_with_nothing_tagged(
    pub: Publish, registry: Registry, chart: Path, case: tuple[str, str, Fault], words: str
) -> None:
    with FaultProxy(registry.host, _first(100, *case)) as proxy:
        result = _publish_through(pub, proxy, chart, PERSISTENT)
    assert result.status == 1
    line = one_line_error(result)
    assert words in line
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") is None


# -- signing ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A throwaway, passphrase-less signing key: (legacy secret keyring, public keyring)."""
    gpg = require("gpg", "gnupg")
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    spec = (
        "%no-protection\nKey-Type: RSA\nKey-Length: 2048\nName-Real: Chart Signer\n"
        "Name-Email: signer@example.invalid\nExpire-Date: 0\n%commit\n"
    )
    subprocess.run(
        [gpg, "--batch", "--gen-key"],
        input=spec,
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    secring, pubring = home / "secring.gpg", home / "pubring-export.gpg"
    for flag, target in (("--export-secret-keys", secring), ("--export", pubring)):
        data = subprocess.run([gpg, "--batch", flag], env=env, check=True, capture_output=True)
        target.write_bytes(data.stdout)
    # helm signs from the exported keyring on its own: the agent gpg started is not needed.
    _stop_gpg_agent(home)
    yield secring, pubring
    _stop_gpg_agent(home)


def _agents_of(home: Path) -> list[int]:
    marker = str(home).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if b"gpg-agent" in cmdline and marker in cmdline:
            found.append(int(proc.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (the daemonized agent's parent may never reap it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _stop_gpg_agent(home: Path) -> None:
    """Stop the gpg-agent serving ``home``, and never wait on it for long.

    ``gpgconf --kill`` waits for the agent to exit; inside the whole suite it was seen to wait
    its full timeout every time, and an agent in a busy loop once held a module's teardown for
    minutes. So the agent is found by its ``--homedir`` and sent SIGTERM, with SIGKILL for one
    still there after a short grace.
    """
    pids = _agents_of(home)
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 2
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = [pid for pid in pids if _running(pid)]
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.registry
def test_signed_chart_carries_provenance_and_verifies(
    pub: Publish,
    registry: Registry,
    chart: Path,
    keyring: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    secring, pubring = keyring
    result = pub(
        *publish_argv(
            f"oci://{registry.host}/charts",
            chart,
            "--sign",
            "--key",
            "Chart Signer",
            "--keyring",
            str(secring),
            "--format",
            "json",
        )
    )
    assert result.status == 0, result.err
    assert result.json["signed"] is True
    manifest = RegistryClient(registry.host, plain_http=True).manifest("charts/todo-dapr", "0.1.0")
    assert manifest is not None
    assert manifest.layers(CHART_LAYER) and manifest.layers(PROV_LAYER)
    helm = ensure_helm(4)
    base = f"oci://{registry.host}/charts/todo-dapr"
    (tmp_path / "ok").mkdir()
    ok = run(
        helm,
        "pull",
        base,
        "--version",
        "0.1.0",
        "--plain-http",
        "--verify",
        "--keyring",
        str(pubring),
        "-d",
        str(tmp_path / "ok"),
    )
    assert ok.returncode == 0, ok.stderr

    # Tampered: new content under the old signature, pushed with plain helm (not publish).
    tampered_dir = tmp_path / "tampered"
    tampered_dir.mkdir()
    other = make_chart(tmp_path / "evil", note="evil")
    packaged = run(helm, "package", str(other), "-d", str(tampered_dir))
    assert packaged.returncode == 0, packaged.stderr
    signed_prov = next(tmp_path.glob("ok/*.prov"))
    shutil.copy(signed_prov, tampered_dir / "todo-dapr-0.1.0.tgz.prov")
    pushed = run(
        helm,
        "push",
        str(tampered_dir / "todo-dapr-0.1.0.tgz"),
        f"oci://{registry.host}/tampered",
        "--plain-http",
    )
    assert pushed.returncode == 0, pushed.stderr
    (tmp_path / "bad").mkdir()
    bad = run(
        helm,
        "pull",
        f"oci://{registry.host}/tampered/todo-dapr",
        "--version",
        "0.1.0",
        "--plain-http",
        "--verify",
        "--keyring",
        str(pubring),
        "-d",
        str(tmp_path / "bad"),
    )
    assert bad.returncode != 0, bad.stderr
    assert "sha256 sum does not match" in bad.stderr


# -- end to end: the real CLI with the real gate ------------------------------------------------


def _cli(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in (ENV_USERNAME, ENV_PASSWORD)}
    return run_tools("publish", *argv, cwd=REPO, env=env, input_text=stdin, timeout=600)


@pytest.mark.registry
def test_real_gate_refuses_a_broken_chart(registry: Registry, tmp_path: Path) -> None:
    broken = make_chart(tmp_path / "broken")
    (broken / "templates" / "bad.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    result = _cli(*publish_argv(f"oci://{registry.host}/charts", broken))
    assert result.returncode == 1, result.stderr
    assert "gate failed" in result.stderr and "Traceback" not in result.stderr
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") is None


@pytest.mark.registry
@pytest.mark.slow(5)
def test_real_cli_publishes_the_project_chart(registry: Registry) -> None:
    chart = REPO / "charts" / "todo-dapr"
    if not (chart / "Chart.yaml").is_file():
        pytest.skip("charts/todo-dapr has no Chart.yaml yet")
    result = _cli("--registry", f"oci://{registry.host}/charts", "--plain-http", "--format", "json")
    assert result.returncode == 0, result.stderr[-3000:]
    data = json.loads(result.stdout)
    assert data["status"] == "published"
    repository = f"charts/{data['chart']}"
    assert tag_digest(registry.host, repository, str(data["tag"])) == data["digest"]
    again = _cli("--registry", f"oci://{registry.host}/charts", "--plain-http")
    assert again.returncode == 1
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("output", "is_auth"),
    [
        ("Error: unexpected status from HEAD request: 401 Unauthorized", True),
        (
            'Error: failed to push: PUT "http://127.0.0.1:5000/v2/charts/todo-dapr/manifests/'
            'sha256:0a401f": response status code 503: unavailable',
            False,
        ),
        ("Error: dial tcp 127.0.0.1:40123: connect: connection refused", False),
    ],
)
def test_helm_error_names_401_only_for_a_401_status(output: str, is_auth: bool) -> None:
    from tools.publish.helm_calls import helm_error

    assert ("refused the credentials" in helm_error(output)) is is_auth


# -- the manifest Helm writes -------------------------------------------------------------------


def rich_chart(root: Path) -> Path:
    """A chart whose Chart.yaml uses every field Helm copies into the config and annotations."""
    chart = make_chart(root)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: todo-dapr\nversion: 0.1.0+build.7\nappVersion: '1.0'\n"
        "description: >-\n  Ampersands & <angle brackets>,\n  folded over two lines\n"
        "home: https://example.invalid/home\nicon: https://example.invalid/icon.png\n"
        "sources: [https://example.invalid/src, https://example.invalid/mirror]\n"
        "keywords: [dapr, kafka]\nkubeVersion: '>=1.32.0-0'\ntype: application\n"
        "deprecated: true\n"
        "maintainers:\n  - name: Ada\n    email: ada@example.invalid\n  - name: Bob\n"
        "    url: https://example.invalid/bob\n"
        "annotations:\n  category: Infrastructure\n  artifacthub.io/links: |\n"
        "    - name: docs\n      url: https://example.invalid/docs\n"
        "  org.opencontainers.image.title: not-the-name\n  empty: ''\n",
        encoding="utf-8",
    )
    return chart


@pytest.mark.registry
@pytest.mark.parametrize("helm_major", [4, 3])
def test_manifest_is_byte_for_byte_what_helm_push_writes(
    pub: Publish,
    registry: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    helm_major: int,
) -> None:
    """Our upload stands in for `helm push`: the same archive gives the same manifest digest,
    so Helm reads what we push exactly as it reads its own."""
    helm = ensure_helm(helm_major)
    monkeypatch.setenv("HELM", str(helm))
    chart = rich_chart(tmp_path / "rich")
    result = pub(*publish_argv(f"oci://{registry.host}/ours", chart, "--format", "json"))
    assert result.status == 0, result.err
    ours = result.json["digest"]
    pulled = tmp_path / "pulled"
    pulled.mkdir()
    got = run(
        helm, "pull", f"oci://{registry.host}/ours/todo-dapr@{ours}", "--plain-http",
        "-d", str(pulled),
    )  # fmt: skip
    assert got.returncode == 0, got.stderr
    archive = next(pulled.glob("*.tgz"))
    # helm push stamps the archive's mtime, in the local zone, as the created annotation.
    os.utime(archive, (DEFAULT_EPOCH, DEFAULT_EPOCH))
    pushed = run(
        helm, "push", str(archive), f"oci://{registry.host}/theirs", "--plain-http",
        env={**os.environ, "TZ": "UTC"},
    )  # fmt: skip
    assert pushed.returncode == 0, pushed.stderr
    assert f"Digest: {ours}" in pushed.stdout + pushed.stderr


@pytest.mark.registry
@pytest.mark.parametrize("helm_major", [4, 3])
def test_helm_reads_the_published_digest(
    pub: Publish, registry: Registry, chart: Path, tmp_path: Path, helm_major: int
) -> None:
    result = pub(*publish_argv(f"oci://{registry.host}/charts", chart, "--format", "json"))
    assert result.status == 0, result.err
    ref = f"oci://{registry.host}/charts/todo-dapr@{result.json['digest']}"
    helm = ensure_helm(helm_major)
    shown = run(helm, "show", "chart", ref, "--plain-http")
    assert shown.returncode == 0, shown.stderr
    assert "name: todo-dapr" in shown.stdout and "version: 0.1.0" in shown.stdout
    rendered = run(helm, "template", "x", ref, "--plain-http")
    assert rendered.returncode == 0, rendered.stderr
    assert 'note: "one"' in rendered.stdout


def test_release_workflow_runs_one_release_at_a_time() -> None:
    """The client cannot stop two machines racing for one tag; CI must not be one of them.

    One group for every release (not one per tag) also keeps two deploys off OKE at once, and a
    queued release never cancels one that is pushing.
    """
    import yaml

    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yaml").read_text())
    concurrency = workflow["concurrency"]
    assert "${{" not in str(concurrency["group"]), concurrency
    assert concurrency["cancel-in-progress"] is False
