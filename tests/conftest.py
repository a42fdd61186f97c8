"""Shared fixtures: the real helm binaries, the repository root and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import worktree
from cache_prune import prune_test_caches
from forked_cli import CliRunner, run_tools

from tools.chart.helm import cache_dir, ensure_helm

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


def pytest_sessionstart(session: pytest.Session) -> None:
    """Prune the caches earlier runs left (tests/cache_prune.py), once per run, before any
    xdist worker starts using them."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        prune_test_caches(worktree.cache_dir(), cache_dir() / "pycache")


def _slow(item: pytest.Item) -> tuple[float, str] | None:
    """A slow test's rough seconds and the unit it is dealt out in (its own node id, or the
    ``together`` name it shares with tests that should run on one worker)."""
    marker = item.get_closest_marker("slow")
    if marker is None:
        return None
    seconds = float(marker.args[0]) if marker.args else 1.0
    return seconds, str(marker.kwargs.get("together", item.nodeid))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the tests marked ``slow`` at the head of every xdist worker's share.

    xdist hands each worker one contiguous block of the collection and lets an idle worker
    steal the back half of a busy one's queue. A 15-second test near the end of a block runs
    alone while the other cores idle. So the slow tests are dealt out, longest unit first, to
    the worker whose share of them is smallest so far, and each block starts with its share:
    they all run at the start, side by side, and the short tests fill in around them. Tests
    marked ``together`` go to one worker (they share an expensive per-process setup).
    """
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or "1")
    units: dict[str, list[pytest.Item]] = {}
    costs: dict[str, float] = {}
    fast = []
    for item in items:
        slow = _slow(item)
        if slow is None:
            fast.append(item)
            continue
        seconds, unit = slow
        units.setdefault(unit, []).append(item)
        costs[unit] = costs.get(unit, 0.0) + seconds
    shares: list[list[pytest.Item]] = [[] for _ in range(workers)]
    loads = [0.0] * workers
    for unit in sorted(units, key=lambda u: -costs[u]):
        lightest = loads.index(min(loads))
        shares[lightest] += units[unit]
        loads[lightest] += costs[unit]
    ordered: list[pytest.Item] = []
    remaining = len(items)
    for index, share in enumerate(shares):
        # The block xdist's first distribution gives this worker: an equal split of the rest.
        size = remaining // (workers - index)
        remaining -= size
        ordered += share
        take = max(0, size - len(share))
        ordered += fast[:take]
        del fast[:take]
    items[:] = ordered + fast


@pytest.fixture(scope="session")
def helm4() -> Path:
    return ensure_helm(4, quiet=True)


@pytest.fixture(scope="session")
def helm3() -> Path:
    return ensure_helm(3, quiet=True)


@pytest.fixture
def cli(helm4: Path) -> CliRunner:
    """Run `python -m tools ARGS` from the repository root, as a user would (each call its own
    process: tests/forked_cli.py)."""

    def run(
        *args: str, input_text: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "HELM": str(helm4), "NO_COLOR": "1", **(env or {})}
        return run_tools(*args, cwd=ROOT, env=full_env, input_text=input_text)

    return run
