"""`python -m tools cluster up|status|down` as a person runs them: a second stack in a run
directory of its own, its env file usable by a shell, nothing secret printed, nothing left
running after `down`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tools.cluster import stack
from tools.cluster.processes import read_pid

ROOT = Path(__file__).resolve().parents[2]


def _tools(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools", "cluster", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


def test_up_status_down(cluster: stack.StackInfo, tmp_path: Path) -> None:
    del cluster  # built and proven to start; this starts a second stack of its own
    run_dir = tmp_path / "person"
    up = _tools("up", "--dir", str(run_dir))
    assert up.returncode == 0, up.stderr
    try:
        info = stack.load(run_dir)
        assert info is not None
        env_file = run_dir / stack.ENV_FILE
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        shell = subprocess.run(
            ["sh", "-c", f'set -a; . "{env_file}"; set +a; env'],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        exported = dict(
            line.split("=", 1)
            for line in shell.stdout.splitlines()
            if line.startswith(("KUBE", "TODO_DAPR_"))
        )
        assert exported["KUBECONFIG"] == info.kubeconfig
        assert exported["TODO_DAPR_KAFKA_BROKERS"] == info.kafka_brokers
        assert exported["TODO_DAPR_POSTGRES_PASSWORD"] == info.postgres_password
        assert int(exported["TODO_DAPR_POSTGRES_PORT"]) == info.postgres_port

        status = _tools("status", "--dir", str(run_dir))
        assert status.returncode == 0, status.stderr
        printed = up.stdout + up.stderr + status.stdout + status.stderr
        assert info.server in status.stdout
        assert info.postgres_password not in printed
        assert info.token not in printed

        again = _tools("up", "--dir", str(run_dir))
        assert again.returncode == 0 and "already running" in again.stderr
        pids = [read_pid(run_dir, name) for name in stack.PROCESSES]
        assert all(pid is not None and _alive(pid) for pid in pids)
    finally:
        down = _tools("down", "--dir", str(run_dir))
    assert down.returncode == 0, down.stderr
    assert not run_dir.exists()
    assert not any(pid is not None and _alive(pid) for pid in pids)
    status = _tools("status", "--dir", str(run_dir))
    assert status.returncode == 1 and "no stack is running" in status.stderr


@pytest.mark.parametrize("action", ["up", "down"])
def test_a_bad_dapr_version_is_refused(action: str) -> None:
    done = _tools(action, "--dapr-version", "1.9")
    assert done.returncode == 2
    assert "1.9" in done.stderr and "Traceback" not in done.stderr
