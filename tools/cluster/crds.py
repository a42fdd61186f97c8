"""Dapr's CustomResourceDefinitions for the real API server, read from the dapr/dapr Go module
of the release the daprd build pins (``cluster/daprd/go.<release>.mod``): the same files the
Dapr Helm chart installs, never copied into this repository.

One change is made on the way in: the Subscription CRD's conversion webhook is served by the
Dapr operator in a real cluster (``dapr-webhook`` in the control plane's namespace), and no
operator runs here, so every v1alpha1 Subscription would fail with HTTP 500 "conversion webhook
... failed". Its conversion strategy becomes ``None``: each version's own schema still validates
what is sent in that version, and the stored object is only relabelled, not converted."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from tools.cluster.cache import require_tool
from tools.cluster.processes import ClusterError

DAPRD_MODULE_DIR = Path(__file__).resolve().parents[2] / "cluster" / "daprd"
DAPR_MODULE = "github.com/dapr/dapr"
# A CRD file of Dapr's is a few KiB; anything far larger is not one.
_CRD_FILE_LIMIT = 4 * 1024 * 1024
ESTABLISH_DEADLINE_S = 60.0


def dapr_module_version(release: str) -> str:
    """The dapr/dapr version ``cluster/daprd/go.<release>.mod`` requires (e.g. ``v1.18.3``)."""
    modfile = DAPRD_MODULE_DIR / f"go.{release}.mod"
    try:
        text = modfile.read_text(encoding="utf-8")
    except OSError as exc:
        raise ClusterError(f"no daprd module file for Dapr {release}: {modfile}: {exc}") from None
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in (DAPR_MODULE, "require") and DAPR_MODULE in words:
            return words[words.index(DAPR_MODULE) + 1]
    raise ClusterError(f"{modfile} does not require {DAPR_MODULE}")


def dapr_crd_files(release: str) -> list[Path]:
    """The CRD files of the Dapr release, from its Go module (downloaded once by Go)."""
    version = dapr_module_version(release)
    go = require_tool("go", "Dapr's CRDs are read from its Go module: install Go 1.26 or newer")
    try:
        done = subprocess.run(
            [go, "mod", "download", "-json", f"{DAPR_MODULE}@{version}"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=DAPRD_MODULE_DIR,
        )
    except subprocess.TimeoutExpired:
        raise ClusterError(f"downloading {DAPR_MODULE}@{version} took over 10 min") from None
    try:
        directory = Path(json.loads(done.stdout)["Dir"])
    except (ValueError, KeyError, TypeError):
        raise ClusterError(
            f"go mod download {DAPR_MODULE}@{version} failed: {done.stderr.strip()[-2000:]}"
        ) from None
    files = sorted((directory / "charts" / "dapr" / "crds").glob("*.yaml"))
    if not files:
        raise ClusterError(f"{DAPR_MODULE}@{version} has no charts/dapr/crds/*.yaml")
    return files


def _documents(path: Path) -> list[dict[str, Any]]:
    if path.stat().st_size > _CRD_FILE_LIMIT:
        raise ClusterError(f"{path} is larger than {_CRD_FILE_LIMIT} bytes: not a CRD file")
    loaded = yaml.safe_load_all(path.read_text(encoding="utf-8"))
    return [doc for doc in loaded if isinstance(doc, dict)]


def install(client: Any, files: Sequence[Path]) -> list[str]:
    """Apply every CRD in ``files`` and wait until the API server serves each one."""
    names: list[str] = []
    for path in files:
        for doc in _documents(path):
            if doc.get("kind") != "CustomResourceDefinition":
                continue
            _without_conversion_webhook(doc)
            result = client.apply(doc)
            if result.status >= 300:
                raise ClusterError(f"the API server refused the CRD in {path}: {result.message}")
            names.append(str(doc["metadata"]["name"]))
    end = time.monotonic() + ESTABLISH_DEADLINE_S
    for name in names:
        while not _established(client, name):
            if time.monotonic() > end:
                raise ClusterError(f"CRD {name} was not Established after {ESTABLISH_DEADLINE_S}s")
            time.sleep(0.1)
    client.forget_discovery()
    return names


def _without_conversion_webhook(doc: dict[str, Any]) -> None:
    spec = doc.get("spec")
    if not isinstance(spec, dict):
        return
    conversion = spec.get("conversion")
    if isinstance(conversion, dict) and conversion.get("strategy") == "Webhook":
        spec["conversion"] = {"strategy": "None"}


def _established(client: Any, name: str) -> bool:
    result = client.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", name)
    if result.status != 200:
        return False
    conditions = result.body.get("status", {}).get("conditions", [])
    return any(
        c.get("type") == "Established" and c.get("status") == "True"
        for c in conditions
        if isinstance(c, dict)
    )


def ensure_namespace(client: Any, name: str, labels: Mapping[str, str]) -> None:
    """Create (or relabel) a namespace."""
    doc = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
    result = client.apply(doc)
    if result.status >= 300:
        raise ClusterError(f"the API server refused namespace {name}: {result.message}")
