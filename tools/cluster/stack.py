"""The whole stack for a person or a test run: ``up`` builds what is missing, starts etcd, the
API server (Dapr's CRDs installed, a ``todo`` namespace), Kafka and PostgreSQL on 127.0.0.1, and
writes what a client needs to ``<run dir>/env``; ``down`` stops them by PID and removes the
run directory."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tools.cluster.processes import running, stop

DEFAULT_RUN_DIR = Path("build/cluster")
STATE_FILE = "stack.json"
ENV_FILE = "env"
# Stopped in this order by ``down``: clients of the API server before it, etcd last.
PROCESSES = ("postgres", "kafka", "kube-controller-manager", "kube-apiserver", "etcd")
# The namespace the chart is installed into, with the Pod Security level its README asks for.
APP_NAMESPACE = "todo"
APP_NAMESPACE_LABELS = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
}


@dataclass(frozen=True)
class StackInfo:
    """Where each part of a running stack answers; saved as ``stack.json`` in its run dir."""

    run_dir: str
    kubeconfig: str
    server: str
    token: str = field(repr=False)
    ca_file: str
    dapr_release: str
    kafka_brokers: str
    postgres_host: str
    postgres_port: int
    postgres_user: str
    postgres_password: str = field(repr=False)
    postgres_database: str

    def postgres_dsn(self, sslmode: str = "disable", *, database: str | None = None) -> str:
        """A keyword/value connection string; ``database`` instead of the stack's own (the
        ``todo`` role may create databases, so a test can have one to itself)."""
        return (
            f"host={self.postgres_host} port={self.postgres_port} user={self.postgres_user} "
            f"password={self.postgres_password} dbname={database or self.postgres_database} "
            f"sslmode={sslmode}"
        )

    def env(self) -> dict[str, str]:
        """What ``<run dir>/env`` holds: shell ``KEY=value`` lines for a client."""
        return {
            "KUBECONFIG": self.kubeconfig,
            "TODO_DAPR_KAFKA_BROKERS": self.kafka_brokers,
            "TODO_DAPR_POSTGRES_HOST": self.postgres_host,
            "TODO_DAPR_POSTGRES_PORT": str(self.postgres_port),
            "TODO_DAPR_POSTGRES_USER": self.postgres_user,
            "TODO_DAPR_POSTGRES_PASSWORD": self.postgres_password,
            "TODO_DAPR_POSTGRES_DATABASE": self.postgres_database,
            "TODO_DAPR_POSTGRES_DSN": self.postgres_dsn(),
        }


def _say(message: str) -> None:
    print(f"todo-dapr cluster: {message}", file=sys.stderr, flush=True)


def load(run_dir: Path) -> StackInfo | None:
    """The stack running from ``run_dir``, or None when it is absent or any process is gone."""
    try:
        data = json.loads((run_dir / STATE_FILE).read_text(encoding="utf-8"))
        info = StackInfo(**data)
    except (OSError, ValueError, TypeError):
        return None
    if not all(running(run_dir, name) for name in PROCESSES):
        return None
    return info


def _shell_quote(value: str) -> str:
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _write_private(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def _timed(what: str, step: Callable[[], object]) -> object:
    began = time.monotonic()
    _say(f"{what}...")
    result = step()
    _say(f"{what}: {time.monotonic() - began:.1f} s")
    return result


def build_all(dapr_release: str) -> None:
    """Build (or find in the cache) every program the stack and the daprd tests run."""
    from tools.cluster import apiserver, daprd, etcd, kafka, postgres

    # The quick ones first: a missing Java, Maven or PostgreSQL is named before minutes of Go.
    _timed("Kafka jars", kafka.kafka_libs)
    _timed("PostgreSQL", postgres.postgres_bin_dir)
    _timed("etcd", etcd.etcd_binary)
    _timed("kube-apiserver", apiserver.apiserver_binary)
    _timed("kube-controller-manager", apiserver.controller_manager_binary)
    _timed(f"daprd {dapr_release}", lambda: daprd.daprd_binary(dapr_release))


def up(run_dir: Path = DEFAULT_RUN_DIR, *, dapr_release: str = "1.18") -> StackInfo:
    """Start the stack in ``run_dir`` (or return the one already running there)."""
    from tools.cluster import apiserver, crds, etcd, kafka, postgres

    running_info = load(run_dir)
    if running_info is not None:
        _say(f"already running from {run_dir}")
        return running_info
    down(run_dir, quiet=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir = run_dir.resolve()
    try:
        etcd_bin = etcd.etcd_binary()
        apiserver_bin = apiserver.apiserver_binary()
        controller_manager_bin = apiserver.controller_manager_binary()
        crd_files = crds.dapr_crd_files(dapr_release)
        etcd_endpoint = etcd.start_etcd(run_dir, etcd_bin)
        server = apiserver.start_apiserver(run_dir, apiserver_bin, etcd_endpoint.url)
        apiserver.start_controller_manager(run_dir, controller_manager_bin, server)
        client = server.client()
        crds.install(client, crd_files)
        crds.ensure_namespace(client, APP_NAMESPACE, APP_NAMESPACE_LABELS)
        broker = kafka.start_kafka(run_dir)
        database = postgres.start_postgres(run_dir)
    except BaseException:
        down(run_dir, quiet=True)
        raise
    info = StackInfo(
        run_dir=str(run_dir),
        kubeconfig=str(server.kubeconfig),
        server=server.server,
        token=server.token,
        ca_file=str(server.ca_file),
        dapr_release=dapr_release,
        kafka_brokers=broker.bootstrap,
        postgres_host=database.host,
        postgres_port=database.port,
        postgres_user=database.user,
        postgres_password=database.password,
        postgres_database=database.database,
    )
    _write_private(run_dir / STATE_FILE, json.dumps(asdict(info), indent=1) + "\n")
    lines = [f"{key}={_shell_quote(value)}" for key, value in info.env().items()]
    _write_private(run_dir / ENV_FILE, "\n".join(lines) + "\n")
    return info


def down(run_dir: Path = DEFAULT_RUN_DIR, *, quiet: bool = False) -> None:
    """Stop every process of the stack in ``run_dir`` by its PID and remove the directory."""
    if not run_dir.exists():
        if not quiet:
            _say(f"nothing running from {run_dir}")
        return
    from tools.cluster.postgres import stop_postgres

    # PostgreSQL's data may live outside the run dir (when the run dir is closed to the
    # postgres user): its own stop removes that too.
    stop_postgres(run_dir)
    for name in PROCESSES:
        stop(run_dir, name)
    shutil.rmtree(run_dir, ignore_errors=True)
    if not quiet:
        _say(f"stopped; removed {run_dir}")


@contextmanager
def running_stack(run_dir: Path, *, dapr_release: str = "1.18") -> Iterator[StackInfo]:
    """A stack for the length of a ``with`` block: reused when one already runs in
    ``run_dir`` (and then left running), else started and stopped at the end."""
    existing = load(run_dir)
    if existing is not None:
        yield existing
        return
    info = up(run_dir, dapr_release=dapr_release)
    try:
        yield info
    finally:
        down(run_dir, quiet=True)


def describe(info: StackInfo) -> Mapping[str, str]:
    """What ``status`` prints: no password, no token."""
    return {
        "run dir": info.run_dir,
        "API server": info.server,
        "kubeconfig": info.kubeconfig,
        "Kafka": info.kafka_brokers,
        "PostgreSQL": f"{info.postgres_host}:{info.postgres_port}/{info.postgres_database}",
        "env file": str(Path(info.run_dir) / ENV_FILE),
    }
