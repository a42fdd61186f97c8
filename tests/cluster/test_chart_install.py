"""Every profile installed into a real API server with Helm 3 and Helm 4, upgraded to another
profile, its helm test resources admitted under the namespace's Pod Security level
(restricted), and uninstalled without leaving anything behind."""

from __future__ import annotations

import secrets
import subprocess
from typing import Any

import pytest
import yaml
from chartutil import CHART, PROFILES, profile_file, profile_values

from tools.chart.helm import ensure_helm
from tools.cluster import crds, stack
from tools.cluster.kubeapi import KubeClient

RELEASE = "todo"
RESTRICTED = stack.APP_NAMESPACE_LABELS


def _helm(major: int, cluster: stack.StackInfo, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ensure_helm(major, quiet=True)), *args, "--kubeconfig", cluster.kubeconfig],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _documents(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]


def _key(doc: dict[str, Any], namespace: str) -> tuple[str, str, str, str]:
    meta = doc["metadata"]
    return (doc["apiVersion"], doc["kind"], meta.get("namespace", namespace), meta["name"])


def _exists(kube: KubeClient, key: tuple[str, str, str, str]) -> bool:
    api_version, kind, namespace, name = key
    result = kube.get(api_version, kind, name, namespace=namespace)
    assert result.status in (200, 404), result.message
    return result.status == 200


def _manifest(major: int, cluster: stack.StackInfo, namespace: str) -> list[dict[str, Any]]:
    done = _helm(major, cluster, "get", "manifest", RELEASE, "-n", namespace)
    assert done.returncode == 0, done.stderr
    return _documents(done.stdout)


def _hook_weight(doc: dict[str, Any]) -> int:
    return int(doc["metadata"].get("annotations", {}).get("helm.sh/hook-weight", "0"))


def _admit_test_hooks(
    major: int, cluster: stack.StackInfo, kube: KubeClient, namespace: str
) -> list[str]:
    """Create the release's helm test resources for real, in hook-weight order, as `helm test`
    would (the Pod only has to be admitted: no kubelet runs it), then delete them."""
    done = _helm(major, cluster, "get", "hooks", RELEASE, "-n", namespace)
    assert done.returncode == 0, done.stderr
    hooks = sorted(_documents(done.stdout), key=_hook_weight)
    created = []
    try:
        for doc in hooks:
            result = kube.create(doc, namespace=namespace)
            assert result.status == 201, (
                f"{doc['kind']}/{doc['metadata']['name']}: {result.message}"
            )
            created.append(doc)
    finally:
        for doc in reversed(created):
            kube.delete(
                doc["apiVersion"], doc["kind"], doc["metadata"]["name"], namespace=namespace
            )
    return [doc["kind"] for doc in created]


@pytest.mark.parametrize("major", [3, 4])
@pytest.mark.parametrize("profile", PROFILES)
def test_install_upgrade_uninstall(
    cluster: stack.StackInfo, kube: KubeClient, profile: str, major: int
) -> None:
    namespace = f"helm{major}-{profile}-{secrets.token_hex(3)}"
    crds.ensure_namespace(kube, namespace, RESTRICTED)
    try:
        _install_upgrade_uninstall(cluster, kube, profile, major, namespace)
    finally:
        kube.delete("v1", "Namespace", namespace)


def _install_upgrade_uninstall(
    cluster: stack.StackInfo, kube: KubeClient, profile: str, major: int, namespace: str
) -> None:
    following = PROFILES[(PROFILES.index(profile) + 1) % len(PROFILES)]

    done = _helm(
        major,
        cluster,
        "install",
        RELEASE,
        str(CHART),
        "-n",
        namespace,
        "-f",
        str(profile_file(profile)),
        "--timeout",
        "120s",
    )
    assert done.returncode == 0, done.stderr
    installed = {_key(d, namespace) for d in _manifest(major, cluster, namespace)}
    assert installed, "the release installed nothing"
    assert all(_exists(kube, key) for key in installed)
    hooks = _admit_test_hooks(major, cluster, kube, namespace)
    assert ("Pod" in hooks) is bool(profile_values(profile)["tests"]["enabled"])

    done = _helm(
        major,
        cluster,
        "upgrade",
        RELEASE,
        str(CHART),
        "-n",
        namespace,
        "-f",
        str(profile_file(following)),
        "--timeout",
        "120s",
    )
    assert done.returncode == 0, done.stderr
    upgraded = {_key(d, namespace) for d in _manifest(major, cluster, namespace)}
    assert all(_exists(kube, key) for key in upgraded)
    assert not any(_exists(kube, key) for key in installed - upgraded)

    done = _helm(major, cluster, "uninstall", RELEASE, "-n", namespace, "--timeout", "120s")
    assert done.returncode == 0, done.stderr
    assert not any(_exists(kube, key) for key in installed | upgraded)
