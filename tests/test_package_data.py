"""An installed copy carries its schema data: build the wheel, install it elsewhere, validate.

The wheel is built with pip from a copy of the working tree's files (a fresh clone, without the
build/ or egg-info left over from other builds), installed with ``pip install --target`` into an
empty directory, and run from another working directory with only that directory on PYTHONPATH
(the dependencies come from this interpreter's site-packages). The Dapr CRD schemas and the
component catalog must be found there: no "internal error", Dapr kinds checked against their
schema, component metadata against the catalog.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest
from worktree import cache_dir, tree_digest, tree_files, write_tree

COMPONENT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.postgresql
  version: v1
  metadata:
    - name: connectionString
      secretKeyRef: {name: pg, key: dsn}
    - name: tablePrefixx
      value: todo_
scopes: [backend]
"""
RESILIENCY = """\
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: todo
spec:
  policies:
    retries:
      fast: {policy: constant, duration: 1s, maxRetry: 3}  # maxRetries
  targets: {}
scopes: [backend]
"""


ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"


def _listed_packages() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        setuptools = tomllib.load(file)["tool"]["setuptools"]
    return sorted(setuptools["packages"])


def test_pyproject_lists_every_package_and_maps_the_schema_folders() -> None:
    """The package list is explicit (the schema data is mapped in from outside tools/), so a new
    folder under tools/ must be added to it, or the wheel would ship without it."""
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "tools").rglob("__init__.py")
    }
    data = {"tools.schemas"} | {f"tools.schemas.{d.name}" for d in SCHEMAS.iterdir() if d.is_dir()}
    assert _listed_packages() == sorted(on_disk | data)
    with (ROOT / "pyproject.toml").open("rb") as file:
        mapped = tomllib.load(file)["tool"]["setuptools"]["package-dir"]
    assert mapped == {name: name.removeprefix("tools.").replace(".", "/") for name in data}


def test_a_checkout_reads_the_top_level_schemas() -> None:
    from tools.core.data_files import schema_root

    assert schema_root() == SCHEMAS
    assert not (ROOT / "tools" / "schemas").exists(), "the data lives in schemas/ only"


def pip(*args: str, cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, installed with --target into an empty directory.

    The wheel is cached under a digest of the tree it was built from: building it costs pip an
    isolated build environment, and the same files always give the same wheel.
    """
    files = tree_files()
    wheels = cache_dir() / "wheels" / tree_digest(files)
    if not any(wheels.glob("todo_dapr_tools-*.whl")):
        source = tmp_path_factory.mktemp("source")
        write_tree(files, source)
        wheels.parent.mkdir(parents=True, exist_ok=True)
        built = Path(tempfile.mkdtemp(prefix="building-", dir=wheels.parent))
        pip("wheel", "--no-deps", "--wheel-dir", str(built), str(source), cwd=source)
        try:
            built.rename(wheels)
        except OSError:  # another worker cached the same tree first
            shutil.rmtree(built)
    os.utime(wheels)  # most recently used: kept when the cache is pruned
    (wheel,) = wheels.glob("todo_dapr_tools-*.whl")
    target = tmp_path_factory.mktemp("target")
    pip("install", "--no-deps", "--target", str(target), str(wheel), cwd=target.parent)
    return target


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TODO_DAPR_SCHEMA_DIR")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**env, "PYTHONPATH": str(target), "NO_COLOR": "1"},
        timeout=300,
    )


@pytest.mark.slow(2)
def test_the_wheel_carries_the_schemas_and_the_catalog(installed: Path, tmp_path: Path) -> None:
    where = run_installed(
        installed,
        tmp_path,
        "-c",
        "import tools.core.data_files as d; print(d.__file__, d.schema_root())",
    )
    assert where.returncode == 0, where.stderr
    module, root = where.stdout.split()
    assert Path(module).is_relative_to(installed), "the checkout was imported, not the wheel"
    assert Path(root) == installed / "tools" / "schemas"
    names = {p.relative_to(root).as_posix() for p in Path(root).rglob("*.json")}
    committed = {p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*.json")}
    assert names == committed
    assert {"dapr-components/catalog.json", "dapr-components/_overrides.json"} <= names
    assert "dapr/component-v1alpha1.json" in names and "dapr/resiliency-v1alpha1.json" in names


def test_an_installed_copy_runs_every_dapr_check(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "component.yaml").write_text(COMPONENT, encoding="utf-8")
    (tmp_path / "resiliency.yaml").write_text(RESILIENCY, encoding="utf-8")
    result = run_installed(installed, tmp_path, "-m", "tools", "validate", "--format", "json", ".")
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(result.stdout)
    found = {(f["rule"], f["file"].rsplit("/", 1)[-1]) for f in report["findings"]}
    messages = "\n".join(f"{f['rule']}: {f['message']}" for f in report["findings"])
    assert "internal error" not in messages + result.stderr, messages
    assert "not checked" not in messages, messages
    # the component catalog: state.postgresql reads no "tablePrefixx"
    assert ("dapr-unknown-metadata", "component.yaml") in found, messages
    # the strict Resiliency CRD schema: the field is maxRetries
    assert ("schema-dapr", "resiliency.yaml") in found, messages
