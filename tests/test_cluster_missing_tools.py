"""Without Go, Java or Maven the cluster commands fail with one line naming what is missing
and how to get it (never a traceback, never a silent skip): what `nox -s cluster` and CI show
on a machine that lacks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _without(tmp_path: Path, *missing: str) -> dict[str, str]:
    """An environment whose PATH holds links to every program of PATH but ``missing``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for program in Path(directory).iterdir():
            target = bin_dir / program.name
            if program.name in missing or target.exists():
                continue
            if program.is_file() and os.access(program, os.X_OK):
                target.symlink_to(program)
    return {**os.environ, "PATH": str(bin_dir), "TODO_DAPR_CLUSTER_CACHE": str(tmp_path / "c")}


@pytest.mark.parametrize(
    ("missing", "named"), [(("go",), "go is not on PATH"), (("java", "mvn"), "is not on PATH")]
)
def test_a_missing_tool_is_named(tmp_path: Path, missing: tuple[str, ...], named: str) -> None:
    if shutil.which(missing[0]) is None:
        pytest.skip(f"{missing[0]} is not installed here, so there is nothing to take away")
    env = _without(tmp_path, *missing)
    argv = [sys.executable, "-m", "tools", "cluster", "build"]
    done = subprocess.run(
        argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 2, done.stderr
    assert named in done.stderr
    assert "Traceback" not in done.stderr
