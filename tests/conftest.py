"""Shared fixtures: the real helm binaries, the repository root and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tools.helm import cache_dir, ensure_helm

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
UPSTREAM = SHARED / "reference" / "upstream"
EXAMPLES = SHARED / "reference" / "examples"
CHART = ROOT / "charts" / "todo-dapr"


def _bytecode_in_the_cache() -> None:
    """With PYTHONDONTWRITEBYTECODE set, keep compiled modules under the cache instead.

    Otherwise every ``python -m tools`` the tests start compiles the whole package again, and
    every xdist worker repeats pytest's assertion rewriting of every test module. Writing them
    under ``<cache>/pycache`` (PYTHONPYCACHEPREFIX) still leaves the source tree untouched.
    Set here, at conftest import, so that the workers and every subprocess inherit it.
    """
    if not os.environ.get("PYTHONDONTWRITEBYTECODE") or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    prefix = str(cache_dir() / "pycache")
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    del os.environ["PYTHONDONTWRITEBYTECODE"]
    sys.pycache_prefix = prefix
    sys.dont_write_bytecode = False


_bytecode_in_the_cache()


@pytest.fixture(scope="session")
def helm4() -> Path:
    return ensure_helm(4, quiet=True)


@pytest.fixture(scope="session")
def helm3() -> Path:
    return ensure_helm(3, quiet=True)


CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(helm4: Path) -> CliRunner:
    """Run `python -m tools ARGS` from the repository root, as a user would."""

    def run(
        *args: str, input_text: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "HELM": str(helm4), "NO_COLOR": "1", **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "tools", *args],
            cwd=ROOT,
            input=input_text,
            capture_output=True,
            text=True,
            env=full_env,
            check=False,
            timeout=300,
        )

    return run
