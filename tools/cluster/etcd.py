"""etcd for the local API server: a one-member cluster on 127.0.0.1 with its data in the run
directory, built from the go.etcd.io/etcd/server/v3 module (``cluster/etcd``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tools.cluster.cache import go_build
from tools.cluster.processes import Started, free_port, start, stop, wait_until

MODULE_DIR = Path(__file__).resolve().parents[2] / "cluster" / "etcd"
NAME = "etcd"
READY_DEADLINE_S = 60.0
_HEALTH_LIMIT = 4096


@dataclass(frozen=True)
class Endpoint:
    """A running etcd: ``url`` is its client URL, what ``--etcd-servers`` takes."""

    url: str
    peer_url: str
    data_dir: Path
    started: Started


def etcd_binary() -> Path:
    """The etcd server binary, built once from ``cluster/etcd`` into the cache."""
    return go_build(MODULE_DIR, ".", NAME)


def start_etcd(run_dir: Path, binary: Path) -> Endpoint:
    """Start etcd on two free ports of 127.0.0.1 and wait until ``/health`` says true.

    The data lives in ``run_dir/etcd-data`` and is meant to be thrown away with the run
    directory, so etcd runs without fsync (``--unsafe-no-fsync``): a crash loses data, which
    a test stack does not mind, and every write the API server makes gets much cheaper.
    """
    client_url = f"http://127.0.0.1:{free_port()}"
    peer_url = f"http://127.0.0.1:{free_port()}"
    data_dir = run_dir / "etcd-data"
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    argv = [
        str(binary),
        "--name=todo-dapr",
        f"--data-dir={data_dir}",
        f"--listen-client-urls={client_url}",
        f"--advertise-client-urls={client_url}",
        f"--listen-peer-urls={peer_url}",
        f"--initial-advertise-peer-urls={peer_url}",
        f"--initial-cluster=todo-dapr={peer_url}",
        "--initial-cluster-state=new",
        "--log-level=warn",
        "--unsafe-no-fsync",
    ]
    started = start(NAME, argv, run_dir=run_dir)
    try:
        wait_until(
            lambda: _healthy(client_url),
            what="healthy (GET /health)",
            started=started,
            deadline_s=READY_DEADLINE_S,
        )
    except BaseException:
        stop(run_dir, NAME)
        raise
    return Endpoint(client_url, peer_url, data_dir, started)


def stop_etcd(run_dir: Path) -> None:
    """Stop the etcd started in ``run_dir`` (nothing happens if none runs)."""
    stop(run_dir, NAME)


def _healthy(client_url: str) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1: no proxy
    try:
        with opener.open(f"{client_url}/health", timeout=2.0) as resp:
            body = resp.read(_HEALTH_LIMIT)
    except (urllib.error.URLError, OSError):
        return False
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return isinstance(answer, dict) and answer.get("health") == "true"
