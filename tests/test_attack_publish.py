"""Red-team tests of ``python -m tools publish``: each is an attack, run through the real CLI.

The registry is the real ``docker-registry`` (alone, or behind a proxy that slips another
manifest in at the tag); the hostile servers are small ones of the tests' own on loopback
addresses, each bounded in requests and in time. Every test states the promise it attacks.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.publish import is_loopback
from tools.registry import Deadline, RegistryClient, RegistryError, Retry

sys.path.insert(0, str(Path(__file__).parent))
from conftest import CliRunner
from forked_cli import command
from registry_fixture import (
    FaultProxy,
    Hostile,
    Registry,
    Slip,
    reply,
    require_registry_binary,
    start_registry,
)
from small_chart import make_chart

REPO = Path(__file__).resolve().parent.parent
USER, PASSWORD = "ci-bot", "Zq8-hunter2-Secret"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
MIB = 1024 * 1024


@pytest.fixture
def env(tmp_path: Path, helm4: Path) -> dict[str, str]:
    """The CLI's environment: its own helm home, no registry credentials from outside."""
    home = tmp_path / "helm-home"
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TODO_DAPR_REGISTRY_USERNAME", "TODO_DAPR_REGISTRY_PASSWORD")
    }
    return {
        **base,
        "HELM": str(helm4),
        "NO_COLOR": "1",
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_DATA_HOME": str(home / "data"),
    }


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with start_registry(tmp_path / "registry") as reg:
        yield reg


def small_chart(root: Path, note: str = "one", version: str = "0.1.0") -> Path:
    return make_chart(root, version, note, app_version=None, description="attack target")


def tag_digest(host: str, repository: str, tag: str) -> str | None:
    manifest = RegistryClient(host, plain_http=True).manifest(repository, tag)
    return manifest.digest if manifest else None


def publish_json(
    cli: CliRunner, env: dict[str, str], registry: str, chart: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return cli(
        "publish", "--registry", registry, "--plain-http", "--chart", str(chart),
        "--format", "json", *extra, env=env,
    )  # fmt: skip


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("todo-dapr publish: error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


# -- a published version cannot be overwritten --------------------------------------------------


@pytest.mark.registry
def test_concurrent_publishes_of_one_version_only_one_wins(
    registry: Registry, tmp_path: Path, env: dict[str, str]
) -> None:
    """Two publishes of 0.1.0 with different content, started together: both pass the early
    check, so only the check under the lock, right before the tag PUT, can refuse one."""
    charts = [small_chart(tmp_path / name, note=name) for name in ("red", "blue")]
    outs = [tmp_path / f"{n}.out" for n in range(2)]
    errs = [tmp_path / f"{n}.err" for n in range(2)]
    procs = []
    for chart, out, err in zip(charts, outs, errs, strict=True):
        argv = (
            "publish", "--registry", f"oci://{registry.host}/charts", "--plain-http",
            "--chart", str(chart), "--format", "json", "--timeout", "60",
        )  # fmt: skip
        with out.open("w") as stdout, err.open("w") as stderr:
            procs.append(
                subprocess.Popen(command(argv), cwd=REPO, env=env, stdout=stdout, stderr=stderr)
            )
    codes = [p.wait(timeout=120) for p in procs]
    results = [json.loads(out.read_text()) for out in outs]
    assert sorted(codes) == [0, 1], [e.read_text() for e in errs]
    winner = results[codes.index(0)]
    loser = errs[codes.index(1)].read_text()
    assert "already exists" in loser and winner["digest"] in loser, loser
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") == winner["digest"]
    time.sleep(0.5)
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") == winner["digest"]


def _manifest_bytes(host: str, repository: str, tag: str) -> bytes:
    request = urllib.request.Request(
        f"http://{host}/v2/{repository}/manifests/{tag}",
        headers={"Accept": "application/vnd.oci.image.manifest.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return bytes(answer.read(4 * MIB))


@pytest.mark.registry
@pytest.mark.parametrize("refuse", [True, False], ids=["slipped-before-ours", "landed-after-ours"])
def test_a_manifest_slipped_in_at_the_tag_fails_loudly_with_both_digests(
    cli: CliRunner,
    registry: Registry,
    tmp_path: Path,
    env: dict[str, str],
    refuse: bool,
) -> None:
    """Another writer sets the tag between our check and our tag PUT (the registry then refuses
    ours, as an immutable one would), or right after ours: the read-back must catch it."""
    chart = small_chart(tmp_path / "ours")
    probe = publish_json(cli, env, f"oci://{registry.host}/probe", chart)
    assert probe.returncode == 0, probe.stderr
    ours = json.loads(probe.stdout)["digest"]
    evil = small_chart(tmp_path / "evil", note="evil", version="0.0.9")
    seeded = publish_json(cli, env, f"oci://{registry.host}/charts", evil)
    assert seeded.returncode == 0, seeded.stderr
    intruder = _manifest_bytes(registry.host, "charts/todo-dapr", "0.0.9")
    theirs = "sha256:" + hashlib.sha256(intruder).hexdigest()

    def decide(method: str, path: str) -> Slip | None:
        if method == "PUT" and path.endswith("/manifests/0.1.0"):
            return Slip(intruder, refuse=refuse)
        return None

    with FaultProxy(registry.host, decide) as proxy:
        result = publish_json(cli, env, f"oci://{proxy.host}/charts", chart)
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert ours in line and theirs in line, line
    assert json.loads(result.stdout)["status"] == "error"
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") == theirs


# -- no credential is printed -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("registry", "secret"),
    [
        (f"oci://{USER}:{PASSWORD}@127.0.0.1:1/charts", PASSWORD),
        (f"oci://{PASSWORD}@127.0.0.1:1/charts", PASSWORD),
        (f"oci://127.0.0.1:1/charts?access_token={PASSWORD}", PASSWORD),
        (f"oci://127.0.0.1:1/charts#{PASSWORD}", PASSWORD),
    ],
    ids=["user-password", "token-as-user", "query-token", "fragment"],
)
def test_credentials_in_the_registry_url_are_refused_and_never_echoed(
    cli: CliRunner, env: dict[str, str], tmp_path: Path, registry: str, secret: str
) -> None:
    chart = small_chart(tmp_path)
    result = publish_json(cli, env, registry, chart)
    assert result.returncode == 2, result.stderr
    assert secret not in result.stdout + result.stderr
    line = error_line(result)
    assert "--password-stdin" in line and "TODO_DAPR_REGISTRY_PASSWORD" in line
    data = json.loads(result.stdout)
    assert data["status"] == "error" and secret not in data["error"]


def test_an_endless_password_on_stdin_is_refused(
    cli: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    """--password-stdin reads at most its cap: `yes | publish ...` cannot grow memory."""
    result = cli(
        "publish", "--registry", "oci://127.0.0.1:1/charts", "--plain-http",
        "--chart", str(small_chart(tmp_path)), "--username", USER, "--password-stdin",
        input_text="y\n" * MIB, env=env,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert "--password-stdin" in error_line(result) and "more than" in result.stderr


# -- credentials go only to the registry --------------------------------------------------------


def _bearer_registry(realm: str) -> Hostile:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("Authorization", "").startswith("Bearer "):
            reply(h, 200, b"{}", {"Content-Type": "application/json"})
            return
        challenge = f'Bearer realm="{realm}",service="registry",scope="registry:catalog:*"'
        reply(h, 401, b'{"errors":[]}', {"WWW-Authenticate": challenge})

    return Hostile(handle, limit=20, seconds=30)


def _token_service(h: http.server.BaseHTTPRequestHandler) -> None:
    reply(h, 200, b'{"token":"issued-token"}', {"Content-Type": "application/json"})


def test_a_plain_http_token_realm_on_another_host_gets_no_credentials(
    cli: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    tokens = Hostile(_token_service, address="127.0.0.2", limit=10, seconds=30).start()
    try:
        with _bearer_registry(f"http://{tokens.host}/token") as hostile:
            result = cli(
                "publish", "--registry", f"oci://{hostile.host}/charts", "--plain-http",
                "--chart", str(small_chart(tmp_path)), "--username", USER, "--password-stdin",
                "--format", "json", "--timeout", "30", input_text=PASSWORD, env=env,
            )  # fmt: skip
    finally:
        tokens.stop()
    sent = [r.headers.get("Authorization", "") for r in tokens.received]
    assert not any(sent), f"the token service on another host was sent {sent}"
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert tokens.host.split(":")[0] in line and "plain HTTP" in line
    assert PASSWORD not in result.stdout + result.stderr and BASIC not in result.stderr


def test_a_redirect_to_another_host_does_not_carry_the_credentials(
    cli: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    """The registry accepts Basic auth, then redirects the tag read to another host."""
    with Hostile(_token_service, address="127.0.0.2", limit=10, seconds=30) as elsewhere:

        def handle(h: http.server.BaseHTTPRequestHandler) -> None:
            if not h.headers.get("Authorization"):
                reply(h, 401, b"{}", {"WWW-Authenticate": 'Basic realm="r"'})
            elif h.path == "/v2/":
                reply(h, 200, b"{}")
            else:
                reply(h, 307, b"", {"Location": f"http://{elsewhere.host}/stolen"})

        with Hostile(handle, limit=20, seconds=30) as hostile:
            result = cli(
                "publish", "--registry", f"oci://{hostile.host}/charts", "--plain-http",
                "--chart", str(small_chart(tmp_path)), "--username", USER, "--password-stdin",
                "--timeout", "30", input_text=PASSWORD, env=env,
            )  # fmt: skip
    assert elsewhere.received, "the redirect was not followed: the test proves nothing"
    assert not any(r.headers.get("Authorization") for r in elsewhere.received)
    assert result.returncode == 1, result.stderr
    assert PASSWORD not in result.stderr and BASIC not in result.stderr


@pytest.mark.parametrize("host", ["registry.example.invalid", "192.0.2.8:5000", "[2001:db8::1]"])
def test_plain_http_to_a_host_that_is_not_loopback_is_refused_before_any_connection(
    cli: CliRunner, env: dict[str, str], tmp_path: Path, host: str
) -> None:
    result = publish_json(cli, env, f"oci://{host}/charts", small_chart(tmp_path))
    assert result.returncode == 2, result.stderr
    line = error_line(result)
    assert "--plain-http is for a registry on this machine" in line
    assert "--insecure-plain-http" in line


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1:5000", True),
        ("127.8.9.10", True),
        ("localhost:5000", True),
        ("[::1]:5000", True),
        ("::1", True),
        ("128.0.0.1", False),
        ("localhost.example", False),
        ("[::2]:5000", False),
    ],
)
def test_loopback_means_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# -- every read is bounded ----------------------------------------------------------------------


def _endless(h: http.server.BaseHTTPRequestHandler, declare: bool) -> None:
    """200 with a 2 GiB body (declared, or chunked without a length), written until the
    client hangs up or 30 s pass."""
    total = 2 * 1024 * MIB
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    if declare:
        h.send_header("Content-Length", str(total))
    else:
        h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    block = b" " * MIB
    stop = time.monotonic() + 30
    for _ in range(total // MIB):
        if time.monotonic() > stop:
            return
        h.wfile.write(block if declare else b"%x\r\n%s\r\n" % (len(block), block))


def _huge_at(where: str, declare: bool) -> Hostile:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.path == "/v2/" and where != "ping":
            reply(h, 200, b"{}")
        elif h.path == "/v2/" or "/manifests/" in h.path:
            _endless(h, declare)
        else:
            reply(h, 404, b"{}")

    return Hostile(handle, limit=10, seconds=60)


def _run_measured(argv: tuple[str, ...], env: dict[str, str]) -> tuple[int, str, float, float]:
    """Exit status, stderr, seconds and peak RSS (MiB) of one fresh CLI process."""
    started = time.monotonic()
    proc = subprocess.Popen(
        command(argv), cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, err, time.monotonic() - started, usage.ru_maxrss / 1024


@pytest.mark.parametrize(
    ("where", "declare"),
    [("ping", True), ("ping", False), ("manifest", True), ("manifest", False)],
    ids=["ping-declared", "ping-chunked", "manifest-declared", "manifest-chunked"],
)
def test_a_2gib_body_is_refused_with_flat_memory(
    env: dict[str, str], tmp_path: Path, where: str, declare: bool
) -> None:
    chart = small_chart(tmp_path)
    with _huge_at(where, declare) as hostile:
        argv = (
            "publish", "--registry", f"oci://{hostile.host}/charts", "--plain-http",
            "--chart", str(chart), "--timeout", "60",
        )  # fmt: skip
        status, err, seconds, rss = _run_measured(argv, env)
    # helm (packaging) is the biggest process in the tree; reading the body whole takes GiBs.
    assert rss < 400, f"peak RSS {rss:.0f} MiB"
    assert seconds < 20, f"took {seconds:.1f} s"
    assert status == 1, err
    assert "bytes for" in err and "Traceback" not in err, err


def _drip(h: http.server.BaseHTTPRequestHandler) -> None:
    """Headers, then one byte of body every 0.2 s, for at most 30 s."""
    h.send_response(200)
    h.send_header("Content-Length", "1000")
    h.end_headers()
    stop = time.monotonic() + 30
    while time.monotonic() < stop:
        h.wfile.write(b" ")
        h.wfile.flush()
        time.sleep(0.2)


def test_a_dripping_registry_is_cut_off_at_the_publish_deadline(
    env: dict[str, str], tmp_path: Path
) -> None:
    with Hostile(_drip, limit=10, seconds=40) as hostile:
        argv = (
            "publish", "--registry", f"oci://{hostile.host}/charts", "--plain-http",
            "--chart", str(small_chart(tmp_path)), "--timeout", "4",
        )  # fmt: skip
        status, err, seconds, _ = _run_measured(argv, env)
    assert status == 1, err
    assert "deadline of 4 s (--timeout)" in err, err
    assert seconds < 9, f"took {seconds:.1f} s"


def test_a_dripping_response_is_cut_off_at_the_request_deadline() -> None:
    """A socket timeout bounds one read; the request deadline bounds the whole exchange."""
    with Hostile(_drip, limit=3, seconds=20) as hostile:
        client = RegistryClient(hostile.host, plain_http=True, timeout=1.5, retry=Retry(attempts=1))
        started = time.monotonic()
        with pytest.raises(RegistryError, match=r"did not complete GET /v2/ within 1\.5 s"):
            client.ping()
        assert time.monotonic() - started < 4


def test_a_retrying_client_stops_at_the_overall_deadline() -> None:
    with Hostile(_drip, limit=10, seconds=20) as hostile:
        client = RegistryClient(
            hostile.host,
            plain_http=True,
            timeout=1.0,
            retry=Retry(attempts=10, base=0.1),
            deadline=Deadline(2.5),
        )
        started = time.monotonic()
        with pytest.raises(RegistryError):
            client.ping()
        assert time.monotonic() - started < 4.5


@pytest.mark.registry
def test_a_lying_digest_header_on_the_manifest_put_is_refused(
    cli: CliRunner, tmp_path: Path, env: dict[str, str]
) -> None:
    """The registry answers our manifest PUT saying it stored another digest."""
    require_registry_binary()
    lie = "sha256:" + "0" * 64
    with start_registry(tmp_path / "reg") as reg, FaultProxy(reg.host) as proxy:
        proxy.rewrite = {"Docker-Content-Digest": lie}
        result = publish_json(cli, env, f"oci://{proxy.host}/charts", small_chart(tmp_path))
        assert result.returncode == 1, result.stderr
        assert lie in error_line(result)
        assert tag_digest(reg.host, "charts/todo-dapr", "0.1.0") is None


def test_a_hanging_helm_is_stopped_at_the_publish_deadline(
    env: dict[str, str], tmp_path: Path
) -> None:
    """`helm package` never returns: --timeout still ends the publish, and the helm with it."""
    fake = tmp_path / "helm"
    fake.write_text(
        '#!/bin/sh\nif [ "$1" = version ]; then echo v4.3.1; exit 0; fi\nexec sleep 30\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)
    argv = (
        "publish", "--registry", "oci://127.0.0.1:1/charts", "--plain-http",
        "--chart", str(small_chart(tmp_path)), "--timeout", "2",
    )  # fmt: skip
    status, err, seconds, _ = _run_measured(argv, {**env, "HELM": str(fake)})
    assert status == 1, err
    assert "deadline of 2 s (--timeout) passed" in err and "Traceback" not in err, err
    assert seconds < 8, f"took {seconds:.1f} s"


def test_control_characters_from_the_registry_never_reach_the_terminal(
    cli: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    """A registry's error message that clears the screen and forges a success line."""
    forged = "\x1b[2J\x1b[H\npublished oci://evil/todo-dapr:0.1.0\x07"

    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.path == "/v2/":
            reply(h, 200, b"{}")
        elif h.command in ("GET", "HEAD"):
            reply(h, 404, b"{}")
        else:
            body = json.dumps({"errors": [{"code": "DENIED", "message": forged}]}).encode()
            reply(h, 400, body, {"Content-Type": "application/json"})

    with Hostile(handle, limit=200, seconds=60) as hostile:
        argv = (
            "publish", "--registry", f"oci://{hostile.host}/charts", "--plain-http",
            "--chart", str(small_chart(tmp_path)), "--timeout", "60",
        )  # fmt: skip
        result = cli(*argv, env=env)
    assert result.returncode == 1, result.stderr
    assert "\x1b" not in result.stderr + result.stdout and "\x07" not in result.stderr
    assert not any(ln.startswith("published") for ln in result.stderr.splitlines())
    assert "DENIED" in error_line(result)
