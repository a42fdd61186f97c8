"""Red-team tests of ``python -m tools publish``: each is an attack, run through the real CLI.

The registry is the real ``docker-registry`` (alone, or behind a proxy that slips another
manifest in at the tag); the hostile servers are small ones of the tests' own on loopback
addresses, each bounded in requests and in time. Every test states the promise it attacks.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tools.publish.auth import Credentials
from tools.publish.bounds import Deadline, Retry
from tools.publish.registry import RegistryClient
from tools.publish.target import is_loopback
from tools.publish.transport import RegistryError

sys.path.insert(0, str(Path(__file__).parent))
from forked_cli import CliRunner, command
from peak_memory import launched, read_report
from publish_argv import publish_argv
from registry_fixture import (
    FaultProxy,
    Handler,
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
        "publish", *publish_argv(registry, chart), "--format", "json", *extra, env=env,
    )  # fmt: skip


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("todo-dapr publish: error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


# -- a published version cannot be overwritten --------------------------------------------------


@pytest.mark.slow(3)
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
            "publish", *publish_argv(f"oci://{registry.host}/charts", chart),
            "--format", "json", "--timeout", "60",
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


@pytest.mark.slow(5)
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
        "publish", *publish_argv("oci://127.0.0.1:1/charts", small_chart(tmp_path)),
        "--username", USER, "--password-stdin",
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
                "publish", *publish_argv(f"oci://{hostile.host}/charts", small_chart(tmp_path)),
                "--username", USER, "--password-stdin",
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
                "publish", *publish_argv(f"oci://{hostile.host}/charts", small_chart(tmp_path)),
                "--username", USER, "--password-stdin",
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
        ("localhost.", False),
        ("localhost.:5000", False),
        ("127.0.0.1.", False),
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
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report"
        started = time.monotonic()
        proc = subprocess.run(
            launched(command(argv), report),
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
            timeout=120,
        )
        seconds = time.monotonic() - started
        status, peak_kib = read_report(report)
    return status, proc.stderr.decode(errors="replace"), seconds, peak_kib / 1024


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
            "publish", *publish_argv(f"oci://{hostile.host}/charts", chart),
            "--timeout", "60",
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


@pytest.mark.slow(4)
def test_a_dripping_registry_is_cut_off_at_the_publish_deadline(
    env: dict[str, str], tmp_path: Path
) -> None:
    with Hostile(_drip, limit=10, seconds=40) as hostile:
        argv = (
            "publish", *publish_argv(f"oci://{hostile.host}/charts", small_chart(tmp_path)),
            "--timeout", "4",
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


@pytest.mark.slow(3)
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


@pytest.mark.slow(4)
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
        "publish", *publish_argv("oci://127.0.0.1:1/charts", small_chart(tmp_path)),
        "--timeout", "2",
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
            "publish", *publish_argv(f"oci://{hostile.host}/charts", small_chart(tmp_path)),
            "--timeout", "60",
        )  # fmt: skip
        result = cli(*argv, env=env)
    assert result.returncode == 1, result.stderr
    assert "\x1b" not in result.stderr + result.stdout and "\x07" not in result.stderr
    assert not any(ln.startswith("published") for ln in result.stderr.splitlines())
    assert "DENIED" in error_line(result)


# -- second round: what the red team broke next -------------------------------------------------


def _request(host: str, method: str, path: str, body: bytes = b"", **headers: str) -> tuple:
    name, _, port = host.partition(":")
    connection = http.client.HTTPConnection(name, int(port), timeout=20)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        connection.close()


def _blob(host: str, repository: str, data: bytes) -> dict[str, object]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, headers, _ = _request(host, "POST", f"/v2/{repository}/blobs/uploads/")
    assert status == 202, status
    location = headers["Location"].split(host, 1)[-1]
    separator = "&" if "?" in location else "?"
    status, _, _ = _request(host, "PUT", f"{location}{separator}digest={digest}", data)
    assert status == 201, status
    return {"digest": digest, "size": len(data)}


def _put(host: str, path: str, media_type: str, document: dict[str, object]) -> str:
    data = json.dumps(document).encode()
    status, _, body = _request(host, "PUT", path, data, **{"Content-Type": media_type})
    assert status == 201, body
    return "sha256:" + hashlib.sha256(data).hexdigest()


OCI_IMAGE = "application/vnd.oci.image.manifest.v1+json"
DOCKER_IMAGE = "application/vnd.docker.distribution.manifest.v2+json"
LISTS = {
    "oci-index": ("application/vnd.oci.image.index.v1+json", OCI_IMAGE, "an OCI image index"),
    "docker-list": (
        "application/vnd.docker.distribution.manifest.list.v2+json",
        DOCKER_IMAGE,
        "a Docker manifest list",
    ),
}


def _seed_list(host: str, repository: str, kind: str) -> str:
    """A multi-platform image at tag 0.1.0: an index (or list) naming one image manifest."""
    list_type, image_type, _ = LISTS[kind]
    docker = image_type == DOCKER_IMAGE
    config = _blob(host, repository, b"{}")
    layer = _blob(host, repository, b"the release that was there first")
    image = {
        "schemaVersion": 2,
        "mediaType": image_type,
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json"
            if docker
            else "application/vnd.oci.image.config.v1+json",
            **config,
        },
        "layers": [
            {
                "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip"
                if docker
                else "application/vnd.oci.image.layer.v1.tar",
                **layer,
            }
        ],
    }
    data = json.dumps(image).encode()
    image_digest = "sha256:" + hashlib.sha256(data).hexdigest()
    _put(host, f"/v2/{repository}/manifests/{image_digest}", image_type, image)
    index = {
        "schemaVersion": 2,
        "mediaType": list_type,
        "manifests": [
            {
                "mediaType": image_type,
                "digest": image_digest,
                "size": len(data),
                "platform": {"architecture": "arm64", "os": "linux"},
            }
        ],
    }
    return _put(host, f"/v2/{repository}/manifests/0.1.0", list_type, index)


def _any_kind_at(host: str, repository: str, tag: str) -> str | None:
    accept = ", ".join([OCI_IMAGE, DOCKER_IMAGE, *(v[0] for v in LISTS.values())])
    status, headers, _ = _request(host, "GET", f"/v2/{repository}/manifests/{tag}", Accept=accept)
    return headers.get("Docker-Content-Digest") if status == 200 else None


@pytest.mark.registry
@pytest.mark.parametrize("kind", sorted(LISTS))
def test_a_tag_holding_an_image_index_or_manifest_list_is_taken(
    cli: CliRunner, registry: Registry, tmp_path: Path, env: dict[str, str], kind: str
) -> None:
    """distribution answers 404 to a manifest GET whose Accept leaves out the kind the tag
    holds: asking for image manifests only made a multi-platform tag look free."""
    before = _seed_list(registry.host, "charts/todo-dapr", kind)
    result = publish_json(cli, env, f"oci://{registry.host}/charts", small_chart(tmp_path))
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert "already exists" in line and before in line and LISTS[kind][2] in line, line
    assert json.loads(result.stdout)["status"] == "error"
    assert _any_kind_at(registry.host, "charts/todo-dapr", "0.1.0") == before


def test_any_200_for_the_tag_means_taken_whatever_it_holds(
    cli: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.path == "/v2/":
            reply(h, 200, b"{}")
        elif "/manifests/" in h.path and h.command == "GET":
            reply(h, 200, b"not json at all", {"Content-Type": "application/x-future-kind"})
        else:
            reply(h, 500, b"{}")

    with Hostile(handle, limit=20, seconds=30) as hostile:
        result = publish_json(cli, env, f"oci://{hostile.host}/charts", small_chart(tmp_path))
        puts = [r for r in hostile.received if r.method in ("PUT", "POST")]
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert "already exists" in line and "application/x-future-kind" in line, line
    assert not puts


@pytest.mark.slow(5)
@pytest.mark.registry
def test_two_spellings_of_one_registry_share_the_lock(
    registry: Registry, tmp_path: Path, env: dict[str, str]
) -> None:
    """localhost:P and 127.0.0.1:P are one registry: the second publish must wait for the
    first's lock, find the tag and be refused, never PUT the tag itself. The proxy keeps the
    first tag PUT in flight until the other publish has uploaded (and so reached the lock)."""
    first_put, other_uploaded = threading.Event(), threading.Event()

    def hold(h: http.server.BaseHTTPRequestHandler) -> None:
        spelled_local = h.headers.get("Host", "").startswith("localhost")
        if h.command == "PUT" and "/manifests/sha256:" in h.path and not spelled_local:
            other_uploaded.set()
        if h.command == "PUT" and h.path.endswith("/manifests/0.1.0") and spelled_local:
            first_put.set()
            if other_uploaded.wait(40):
                time.sleep(1.5)

    charts = [small_chart(tmp_path / name, note=name) for name in ("a", "b")]
    with FaultProxy(registry.host, hold=hold) as proxy:
        port = proxy.host.rpartition(":")[2]
        runs = []
        for chart, host in zip(charts, (f"localhost:{port}", f"127.0.0.1:{port}"), strict=True):
            argv = (
                "publish", *publish_argv(f"oci://{host}/charts", chart),
                "--format", "json", "--timeout", "90",
            )  # fmt: skip
            runs.append(
                subprocess.Popen(
                    command(argv),
                    cwd=REPO,
                    env=env,
                    text=True,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
            if not runs[1:]:
                assert first_put.wait(60), "the first publish never reached its tag PUT"
        outputs = [p.communicate(timeout=120) for p in runs]
        tag_puts = [s for s in proxy.seen if s.method == "PUT" and s.path.endswith("/0.1.0")]
    codes = [p.returncode for p in runs]
    assert codes == [0, 1], outputs
    assert "already exists" in outputs[1][1], outputs[1][1]
    assert len(tag_puts) == 1, f"both publishes put the tag: {tag_puts}"
    winner = json.loads(outputs[0][0])["digest"]
    assert tag_digest(registry.host, "charts/todo-dapr", "0.1.0") == winner


@pytest.mark.slow(4)
@pytest.mark.registry
def test_a_tag_overwritten_right_after_the_read_back_fails_loudly(
    cli: CliRunner, registry: Registry, tmp_path: Path, env: dict[str, str]
) -> None:
    """A publish on another machine overwrites the tag just after our read-back confirmed it:
    the settle check reads it again and fails naming both digests."""
    evil = small_chart(tmp_path / "evil", note="evil", version="0.0.9")
    seeded = publish_json(cli, env, f"oci://{registry.host}/charts", evil)
    assert seeded.returncode == 0, seeded.stderr
    intruder = _manifest_bytes(registry.host, "charts/todo-dapr", "0.0.9")
    theirs = "sha256:" + hashlib.sha256(intruder).hexdigest()
    tagged = [False]

    def decide(method: str, path: str) -> Slip | None:
        if method == "PUT" and path.endswith("/manifests/0.1.0"):
            tagged[0] = True
        elif method == "GET" and path.endswith("/manifests/0.1.0") and tagged[0]:
            tagged[0] = False
            return Slip(intruder, refuse=False)
        return None

    with FaultProxy(registry.host, decide) as proxy:
        result = publish_json(cli, env, f"oci://{proxy.host}/charts", small_chart(tmp_path))
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert "another publish overwrote this one after it was set" in line, line
    assert theirs in line and re.search(r"named sha256:[0-9a-f]{64} \(this publish\)", line)
    assert json.loads(result.stdout)["status"] == "error"


@pytest.mark.registry
def test_verification_gives_helm_no_credentials_and_no_registry(
    registry: Registry, tmp_path: Path, env: dict[str, str], helm3: Path
) -> None:
    """Helm 3 follows a plain-HTTP bearer realm on another host with whatever credentials it
    holds. Helm must hold none, and never talk to the registry: every request helm makes is
    answered with such a realm, and the token service on 127.0.0.2 must hear nothing."""
    thief = Hostile(_token_service, address="127.0.0.2", limit=10, seconds=60).start()
    realm = f'Bearer realm="http://{thief.host}/token",service="evil"'
    helm_agents: list[str] = []

    def hold(h: http.server.BaseHTTPRequestHandler) -> bool:
        agent = h.headers.get("User-Agent", "")
        if not agent.lower().startswith("helm"):
            return False
        helm_agents.append(agent)
        reply(h, 401, b"", {"WWW-Authenticate": realm})
        return True

    try:
        with FaultProxy(registry.host, hold=hold) as front:
            result = subprocess.run(
                command((
                    "publish", *publish_argv(f"oci://{front.host}/charts", small_chart(tmp_path)),
                    "--format", "json", "--timeout", "80",
                )),
                check=False, cwd=REPO, capture_output=True, text=True, timeout=120,
                env={**env, "HELM": str(helm3), "TODO_DAPR_REGISTRY_USERNAME": USER,
                     "TODO_DAPR_REGISTRY_PASSWORD": PASSWORD},
            )  # fmt: skip
    finally:
        thief.stop()
    assert not thief.received, f"another host was sent {[r.headers for r in thief.received]}"
    assert not helm_agents, f"helm talked to the registry: {helm_agents}"
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "published"
    assert PASSWORD not in result.stdout + result.stderr


def _bearer_same_origin(token: bytes) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    """A registry whose own token service (same origin, so allowed) issues ``token``."""

    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        host = h.headers.get("Host", "")
        if h.path.startswith("/token"):
            reply(h, 200, b'{"token": ' + token + b"}", {"Content-Type": "application/json"})
        elif h.headers.get("Authorization"):
            reply(h, 200, b"{}")
        else:
            challenge = f'Bearer realm="http://{host}/token",service="registry"'
            reply(h, 401, b"{}", {"WWW-Authenticate": challenge})

    return handle


def test_a_token_that_would_inject_a_header_is_refused_and_never_printed(
    cli: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    """A token with CR LF made http.client raise ValueError with the header, token included,
    in its message; the CLI's catch-all printed it."""
    handle = _bearer_same_origin(b'"SECRETTOKEN123\\r\\nX-Evil: 1"')
    with Hostile(handle, limit=20, seconds=30) as hostile:
        result = cli(
            "publish", *publish_argv(f"oci://{hostile.host}/charts", small_chart(tmp_path)),
            "--format", "json", "--dry-run",
            "--timeout", "30",
            env={**env, **CREDENTIALS_ENV},
        )  # fmt: skip
        evil = [r for r in hostile.received if "X-Evil" in r.headers]
    assert "SECRETTOKEN123" not in result.stdout + result.stderr
    assert not evil
    assert result.returncode == 1, result.stderr
    line = error_line(result)
    assert "token" in line and "RFC 6750" in line, line
    assert json.loads(result.stdout)["status"] == "error"


def test_an_endless_registry_config_is_refused_with_flat_memory(
    env: dict[str, str], tmp_path: Path
) -> None:
    """HELM_REGISTRY_CONFIG=/dev/zero was read whole (to a MemoryError at 1.5 GB here)."""
    argv = (
        "publish", "--registry", "oci://127.0.0.1:1/charts", "--plain-http", "--dry-run",
        "--chart", str(small_chart(tmp_path)), "--format", "json", "--timeout", "20",
    )  # fmt: skip
    started = time.monotonic()
    # Address space capped at 1.5 GB, so a read of /dev/zero ends in a MemoryError, not a swap.
    proc = subprocess.Popen(
        ["prlimit", f"--as={1500 * MIB}", *command(argv)], cwd=REPO,
        env={**env, "HELM_REGISTRY_CONFIG": "/dev/zero"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    out, err = proc.communicate(timeout=60)
    seconds = time.monotonic() - started
    assert proc.returncode == 2, err
    assert "/dev/zero" in err and "character device" in err and "Traceback" not in err, err
    assert json.loads(out)["status"] == "error"
    assert seconds < 10, f"took {seconds:.1f} s"


def test_a_registry_config_over_its_cap_is_refused(
    cli: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    config = tmp_path / "config.json"
    config.write_text('{"auths": {}, "pad": "' + "x" * (2 * MIB) + '"}', encoding="utf-8")
    result = cli(
        "publish", "--registry", "oci://127.0.0.1:1/charts", "--plain-http", "--dry-run",
        "--chart", str(small_chart(tmp_path)), "--format", "json", "--timeout", "20",
        env={**env, "HELM_REGISTRY_CONFIG": str(config)},
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    line = error_line(result)
    assert str(config) in line and "1048576-byte limit" in line, line


def _helper(tmp_path: Path, body: str) -> dict[str, str]:
    """A docker credential helper ``docker-credential-rt`` on PATH, named by the helm config."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    helper = bin_dir / "docker-credential-rt"
    helper.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    helper.chmod(0o755)
    config = tmp_path / "helper-config.json"
    config.write_text('{"auths": {}, "credsStore": "rt"}', encoding="utf-8")
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HELM_REGISTRY_CONFIG": str(config)}


@pytest.mark.slow(3)
@pytest.mark.parametrize(
    ("body", "words", "limit"),
    [
        ("exec head -c 200000000 /dev/zero", "printed more than 65536 bytes", 6.0),
        ("exec sleep 20", "did not answer within the publish deadline of 3 s", 8.0),
    ],
    ids=["endless-output", "hangs"],
)
def test_a_credential_helper_is_read_bounded_and_within_the_deadline(
    env: dict[str, str], tmp_path: Path, body: str, words: str, limit: float
) -> None:
    argv = (
        "publish", "--registry", "oci://127.0.0.1:1/charts", "--plain-http", "--dry-run",
        "--chart", str(small_chart(tmp_path)), "--timeout", "3",
    )  # fmt: skip
    status, err, seconds, rss = _run_measured(argv, {**env, **_helper(tmp_path, body)})
    assert status == 2, err
    assert "docker-credential-rt" in err and words in err and "Traceback" not in err, err
    assert seconds < limit, f"took {seconds:.1f} s"
    assert rss < 150, f"peak RSS {rss:.0f} MiB"


def test_sigterm_leaves_no_credentials_on_disk(env: dict[str, str], tmp_path: Path) -> None:
    """The password once went to a temporary registry config for helm; a publish stopped by
    SIGTERM left it behind. Nothing holding it may be written at all."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    reached = threading.Event()

    def hang(h: http.server.BaseHTTPRequestHandler) -> None:
        reached.set()
        time.sleep(8)

    with Hostile(hang, limit=5, seconds=20) as hostile:
        argv = (
            "publish", "--registry", f"oci://{hostile.host}/charts", "--plain-http", "--dry-run",
            "--chart", str(small_chart(tmp_path)), "--username", USER, "--password-stdin",
            "--timeout", "30",
        )  # fmt: skip
        proc = subprocess.Popen(
            command(argv), cwd=REPO, env={**env, "TMPDIR": str(scratch)},
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        assert proc.stdin is not None
        proc.stdin.write(PASSWORD.encode())
        proc.stdin.close()
        try:
            assert reached.wait(30), "the publish never reached the registry"
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
    leaked = [
        path
        for path in scratch.rglob("*")
        if path.is_file()
        and any(s in path.read_bytes() for s in (PASSWORD.encode(), BASIC.encode()))
    ]
    assert not leaked, f"credentials left on disk: {leaked}"


@pytest.mark.slow(5)
def test_reading_the_password_is_under_the_deadline(env: dict[str, str], tmp_path: Path) -> None:
    """`sleep 25 | publish --timeout 3 --password-stdin` waited the 25 s: standard input is
    held open, with nothing written, until the publish ends."""
    argv = (
        "publish", "--registry", "oci://127.0.0.1:1/charts", "--plain-http", "--dry-run",
        "--chart", str(small_chart(tmp_path)), "--username", USER, "--password-stdin",
        "--format", "json", "--timeout", "3",
    )  # fmt: skip
    out_path, err_path = tmp_path / "out", tmp_path / "err"
    started = time.monotonic()
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(
            command(argv), cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=out, stderr=err
        )
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
    seconds = time.monotonic() - started
    stderr = err_path.read_text()
    assert seconds < 9, f"took {seconds:.1f} s"
    assert proc.returncode == 1, stderr
    assert "deadline of 3 s (--timeout)" in stderr and "Traceback" not in stderr, stderr
    assert json.loads(out_path.read_text())["status"] == "error"


@pytest.mark.parametrize("host", ["localhost.", "127.0.0.1.:5000", "LOCALHOST.:5000"])
def test_a_name_with_a_trailing_dot_is_not_loopback(
    cli: CliRunner, env: dict[str, str], tmp_path: Path, host: str
) -> None:
    """A trailing dot makes the name absolute: it is looked up in DNS, not known to be here."""
    result = publish_json(cli, env, f"oci://{host}/charts", small_chart(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "--plain-http is for a registry on this machine" in error_line(result)


# -- every bad input is a clear one-line error --------------------------------------------------


def _redirect_to(location: str) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        reply(h, 302, b"", {"Location": location})

    return handle


def _realm(realm: str) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.headers.get("Authorization"):
            reply(h, 200, b"{}")
        else:
            reply(h, 401, b"", {"WWW-Authenticate": f'Bearer realm="{realm}",service="x"'})

    return handle


def _deep_at(where: str) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    deep = b"[" * 200_000

    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        if h.path == "/v2/":
            reply(h, 200, b"{}")
        elif where == "manifest":
            reply(h, 200, deep, {"Content-Type": OCI_IMAGE})
        else:
            reply(h, 400, b'{"errors": ' + deep, {"Content-Type": "application/json"})

    return handle


CREDENTIALS_ENV = {"TODO_DAPR_REGISTRY_USERNAME": USER, "TODO_DAPR_REGISTRY_PASSWORD": PASSWORD}
DEEP_CONFIG = "[" * 100_000

# id: (--registry or a hostile handler, extra env, config file text, stdin bytes, exit, words)
BAD_INPUTS: dict[
    str, tuple[str | Handler | None, dict[str, str], str | None, bytes | None, int, str]
] = {
    "bracketed-ipv4": ("oci://[127.0.0.1]/charts", {}, None, None, 2, "brackets hold an IPv6"),
    "port-99999": ("oci://127.0.0.1:99999/charts", {}, None, None, 2, "not a port number"),
    "port-abc": ("oci://localhost:abc/charts", {}, None, None, 2, "not a port number"),
    "auths-a-list": (None, {}, '{"auths": [1]}', None, 2, "'auths' of the helm registry config"),
    "deep-config": (None, {}, DEEP_CONFIG, None, 2, "is not valid JSON"),
    "epoch-superscript": (None, {"SOURCE_DATE_EPOCH": "²"}, None, None, 2, "SOURCE_DATE_EPOCH"),
    "epoch-huge": (
        None,
        {"SOURCE_DATE_EPOCH": "9" * 20},
        None,
        None,
        2,
        "at most 253402300799",
    ),
    "password-not-utf8": (None, {}, None, b"pa\xffss", 2, "standard input is not UTF-8"),
    "location-bad-ipv6": (_redirect_to("http://[::1/x"), {}, None, None, 1, "Location"),
    "location-port-99999": (
        _redirect_to("http://127.0.0.1:99999/x"),
        {},
        None,
        None,
        1,
        "Location",
    ),
    "location-space": (_redirect_to("http://a b/x"), {}, None, None, 1, "Location"),
    "realm-port-99999": (
        _realm("https://127.0.0.1:99999/token"),
        CREDENTIALS_ENV,
        None,
        None,
        1,
        "token realm",
    ),
    "realm-bad-ipv6": (_realm("https://[::1/token"), CREDENTIALS_ENV, None, None, 1, "token realm"),
    "deep-manifest": (_deep_at("manifest"), {}, None, None, 1, "already exists"),
    "deep-error-body": (_deep_at("error"), {}, None, None, 1, "answered 400 Bad Request"),
    "deep-token": (
        _bearer_same_origin(b"[" * 60_000),
        CREDENTIALS_ENV,
        None,
        None,
        1,
        "sent no token",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_every_bad_input_is_a_clear_one_line_error(
    env: dict[str, str], tmp_path: Path, case: str
) -> None:
    """Each of these ended in "internal error (...)", exit 2, and no JSON object."""
    target, extra, config, stdin, status, words = BAD_INPUTS[case]
    run_env = {**env, **extra}
    if config is not None:
        path = tmp_path / "registry-config.json"
        path.write_text(config, encoding="utf-8")
        run_env["HELM_REGISTRY_CONFIG"] = str(path)
    hostile = None if target is None or isinstance(target, str) else Hostile(target, limit=20)
    registry = target if isinstance(target, str) else "oci://127.0.0.1:1/charts"
    if hostile is not None:
        hostile.start()
        registry = f"oci://{hostile.host}/charts"
    credentials = ("--username", USER, "--password-stdin") if stdin is not None else ()
    argv = (
        "publish", "--registry", registry, "--plain-http", "--dry-run", "--chart",
        str(small_chart(tmp_path)), "--format", "json", "--timeout", "30", *credentials,
    )  # fmt: skip
    try:
        result = subprocess.run(
            command(argv), cwd=REPO, env=run_env, input=stdin or b"", capture_output=True,
            timeout=60, check=False,
        )  # fmt: skip
    finally:
        if hostile is not None:
            hostile.stop()
    out, err = result.stdout.decode(), result.stderr.decode()
    lines = [ln for ln in err.splitlines() if ln.startswith("todo-dapr publish: error:")]
    assert len(lines) == 1, err
    assert result.returncode == status, err
    assert words in lines[0], lines[0]
    assert "internal error" not in err and "Traceback" not in err, err
    assert json.loads(out)["status"] == "error"
    assert PASSWORD not in out + err


def test_a_timeout_too_large_for_the_clock_is_a_usage_error(
    cli: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    result = publish_json(
        cli, env, "oci://127.0.0.1:1/charts", small_chart(tmp_path), "--timeout", "1e12"
    )
    assert result.returncode == 2, result.stderr
    assert "--timeout" in result.stderr and "at most 86400" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_an_expired_bearer_token_is_renewed_once() -> None:
    """Tokens live minutes (Docker Hub's 300 s) and the gate runs between two requests: a 401
    to a cached token must fetch a new one, not fail a publish whose blobs are already up."""
    generation = {"now": 1}

    def handle(h: http.server.BaseHTTPRequestHandler) -> None:
        host = h.headers.get("Host", "")
        if h.path.startswith("/token"):
            reply(h, 200, json.dumps({"token": f"tok{generation['now']}"}).encode())
        elif h.headers.get("Authorization") != f"Bearer tok{generation['now']}":
            challenge = f'Bearer realm="http://{host}/token",service="reg"'
            reply(h, 401, headers={"WWW-Authenticate": challenge})
        elif h.path == "/v2/":
            reply(h, 200, b"{}")
        else:
            reply(h, 404)

    with Hostile(handle, limit=20) as hostile:
        client = RegistryClient(
            hostile.host, plain_http=True, credentials=Credentials(USER, PASSWORD)
        )
        client.ping()
        assert client.tagged("charts/todo-dapr", "0.1.0") is None
        generation["now"] = 2
        assert client.tagged("charts/todo-dapr", "0.1.0") is None
    tokens = [r for r in hostile.received if r.path.startswith("/token")]
    assert len(tokens) == 3  # the ping's, the pull scope's, and one renewal


def test_argparse_errors_do_not_print_a_credential(cli: CliRunner) -> None:
    for extra in (
        ("oci://alice:S3cretPW99@fra.ocir.io/t/charts",),
        ("--timeout", "oci://alice:S3cretPW99@x"),
    ):
        result = cli("publish", "--registry", "oci://fra.ocir.io/t/charts", *extra)
        assert result.returncode == 2
        assert "S3cretPW99" not in result.stdout + result.stderr, result.stderr
        assert "alice:[REDACTED]@" in result.stderr
