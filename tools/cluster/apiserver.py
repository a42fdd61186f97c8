"""A real kube-apiserver and kube-controller-manager on 127.0.0.1, built from the
k8s.io/kubernetes Go module (``cluster/kubernetes``), storing into the etcd of
``tools.cluster.etcd``.

The controller manager makes each namespace's ``default`` ServiceAccount (the ServiceAccount
admission plugin refuses a Pod whose ServiceAccount does not exist, before PodSecurity looks at
it) and ``kube-root-ca.crt``, finalizes deleted namespaces, collects garbage by owner reference
and aggregates the ``admin``/``edit``/``view`` ClusterRoles. No scheduler and no kubelet run:
Deployments get their ReplicaSets and Pods, and the Pods stay Pending.

Admission is kube-apiserver's default set for its version (NamespaceLifecycle, ServiceAccount,
PodSecurity, ValidatingAdmissionPolicy, the webhooks, ResourceQuota, ...), authorization is
Node,RBAC, and privileged containers are allowed by the server (``--allow-privileged``, as
kubeadm and kind set it) so that Pod Security admission is what refuses them.
"""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tools.cluster.cache import go_build, require_tool
from tools.cluster.kubeapi import KubeClient
from tools.cluster.processes import (
    ClusterError,
    Started,
    free_port,
    start,
    stop,
    wait_until,
)

MODULE_DIR = Path(__file__).resolve().parents[2] / "cluster" / "kubernetes"
NAME = "kube-apiserver"
CONTROLLER_MANAGER = "kube-controller-manager"
READY_DEADLINE_S = 180.0
SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/16"
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"
ADMIN_USER = "todo-dapr-admin"
_VERSION_PACKAGES = ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")


@dataclass(frozen=True)
class ApiServer:
    """A running API server and how to reach it as cluster admin (group system:masters)."""

    server: str
    port: int
    token: str = field(repr=False)
    ca_file: Path
    kubeconfig: Path
    service_account_key: Path
    started: Started

    def client(self, *, timeout_s: float = 30.0) -> KubeClient:
        """A REST client authenticated with the admin token."""
        return KubeClient(self.server, self.token, self.ca_file, timeout_s=timeout_s)


def kubernetes_version(module_dir: Path = MODULE_DIR) -> str:
    """The k8s.io/kubernetes version ``cluster/kube-apiserver/go.mod`` requires (``v1.34.4``)."""
    modfile = module_dir / "go.mod"
    try:
        text = modfile.read_text(encoding="utf-8")
    except OSError as exc:
        raise ClusterError(f"cannot read {modfile}: {exc}") from None
    for line in text.splitlines():
        words = line.split()
        if "k8s.io/kubernetes" in words and "=>" not in words:
            index = words.index("k8s.io/kubernetes")
            if index + 1 < len(words) and words[index + 1].startswith("v"):
                return words[index + 1]
    raise ClusterError(f"{modfile} does not require k8s.io/kubernetes")


def version_ldflags(version: str) -> str:
    """The ``-X`` flags a Kubernetes release build sets (hack/lib/version.sh), for ``version``.

    Without them ``/version`` says ``v0.0.0-master+$Format:%H$``, which Helm cannot parse, so
    a chart's ``kubeVersion`` check and ``.Capabilities.KubeVersion`` would go wrong.
    """
    major, minor = version.lstrip("v").split(".")[:2]
    values = {"gitVersion": version, "gitMajor": major, "gitMinor": minor}
    return " ".join(
        f"-X {package}.{key}={value}"
        for package in _VERSION_PACKAGES
        for key, value in values.items()
    )


def apiserver_binary() -> Path:
    """The kube-apiserver binary, built once from ``cluster/kubernetes`` into the cache."""
    return go_build(MODULE_DIR, f"./{NAME}", NAME, ldflags=version_ldflags(kubernetes_version()))


def controller_manager_binary() -> Path:
    """The kube-controller-manager binary, from the same module as the API server."""
    return go_build(
        MODULE_DIR,
        f"./{CONTROLLER_MANAGER}",
        CONTROLLER_MANAGER,
        ldflags=version_ldflags(kubernetes_version()),
    )


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to a file only its owner can read (mode 0600 from the start)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)


def _service_account_key(path: Path) -> None:
    """A 2048-bit RSA key for signing ServiceAccount tokens, made by the openssl CLI."""
    openssl = require_tool("openssl", "install OpenSSL (Debian: apt-get install openssl)")
    _write_private(path, "")
    try:
        done = subprocess.run(
            [
                openssl,
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                str(path),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ClusterError("openssl genpkey took over 2 min to make an RSA key") from None
    if done.returncode != 0:
        raise ClusterError(f"openssl genpkey failed: {done.stderr.strip()[-1000:]}")


def _kubeconfig(server: str, token: str, ca_pem: bytes) -> str:
    context = "todo-dapr"
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": context,
                "cluster": {
                    "server": server,
                    "certificate-authority-data": base64.b64encode(ca_pem).decode("ascii"),
                },
            }
        ],
        "users": [{"name": ADMIN_USER, "user": {"token": token}}],
        "contexts": [
            {
                "name": context,
                "context": {"cluster": context, "user": ADMIN_USER, "namespace": "default"},
            }
        ],
        "current-context": context,
        "preferences": {},
    }
    return yaml.safe_dump(config, sort_keys=False)


def start_apiserver(run_dir: Path, binary: Path, etcd_url: str) -> ApiServer:
    """Start kube-apiserver on a free port of 127.0.0.1 and wait until ``/readyz`` is ok.

    Everything it needs is made fresh in ``run_dir/apiserver``: a random admin token in a
    static token file (group ``system:masters``), an RSA key for ServiceAccount tokens, and
    the self-signed serving certificate the server generates into its ``--cert-dir`` (for
    127.0.0.1, with its own CA in the same file). ``run_dir/kubeconfig`` (mode 0600) holds the
    server, the token and that CA, for helm and kubectl.
    """
    home = run_dir / "apiserver"
    cert_dir = home / "certs"
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    token_file = home / "tokens.csv"
    _write_private(token_file, f'{token},{ADMIN_USER},{ADMIN_USER},"system:masters"\n')
    sa_key = home / "service-account.key"
    _service_account_key(sa_key)
    port = free_port()
    server = f"https://127.0.0.1:{port}"
    argv = [
        str(binary),
        f"--etcd-servers={etcd_url}",
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        f"--secure-port={port}",
        f"--cert-dir={cert_dir}",
        f"--token-auth-file={token_file}",
        "--authorization-mode=Node,RBAC",
        f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
        f"--service-account-key-file={sa_key}",
        f"--service-account-signing-key-file={sa_key}",
        f"--service-cluster-ip-range={SERVICE_CLUSTER_IP_RANGE}",
        "--allow-privileged=true",
        "--profiling=false",
    ]
    started = start(NAME, argv, run_dir=run_dir)
    ca_file = cert_dir / "apiserver.crt"
    holder: list[KubeClient] = []

    def ready() -> bool:
        try:
            if not holder:
                if not ca_file.is_file():
                    return False
                holder.append(KubeClient(server, token, ca_file, timeout_s=5.0))
            status, text = holder[0].probe("/readyz")
        except ClusterError:
            holder.clear()  # the certificate may have been read half written
            return False
        return status == 200 and text.strip() == "ok"

    try:
        wait_until(ready, what="ready (GET /readyz)", started=started, deadline_s=READY_DEADLINE_S)
    except BaseException:
        stop(run_dir, NAME)
        raise
    kubeconfig = run_dir / "kubeconfig"
    _write_private(kubeconfig, _kubeconfig(server, token, ca_file.read_bytes()))
    return ApiServer(server, port, token, ca_file, kubeconfig, sa_key, started)


def start_controller_manager(run_dir: Path, binary: Path, api: ApiServer) -> Started:
    """Start kube-controller-manager against ``api`` (no serving port, no leader election) and
    wait until it has made the ``default`` ServiceAccount of the ``default`` namespace."""
    argv = [
        str(binary),
        f"--kubeconfig={api.kubeconfig}",
        "--secure-port=0",
        "--leader-elect=false",
        f"--service-account-private-key-file={api.service_account_key}",
        f"--root-ca-file={api.ca_file}",
        "--controllers=*",
        "--profiling=false",
    ]
    started = start(CONTROLLER_MANAGER, argv, run_dir=run_dir)
    client = api.client(timeout_s=5.0)

    def serving() -> bool:
        result = client.get("v1", "ServiceAccount", "default", namespace="default")
        return result.status == 200

    try:
        wait_until(
            serving,
            what="making the default ServiceAccount",
            started=started,
            deadline_s=READY_DEADLINE_S,
        )
    except BaseException:
        stop(run_dir, CONTROLLER_MANAGER)
        raise
    return started


def stop_apiserver(run_dir: Path) -> None:
    """Stop the API server started in ``run_dir`` (nothing happens if none runs)."""
    stop(run_dir, NAME)
