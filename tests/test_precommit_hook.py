"""The pre-commit hook (.pre-commit-hooks.yaml) run on a sample repository, as other repos use it.

``test_pre_commit_runs_the_hook`` drives the real ``pre-commit`` tool: it installs the hook from
a git clone of this working tree (pre-commit needs commits) into its own virtualenv, from PyPI,
and runs it on a sample repository. The other tests check the hook's file selection and run its
``entry`` on the sample files exactly as pre-commit calls it (entry + args + file names).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from forked_cli import run_tools
from worktree import cache_dir, tree_digest, tree_files, write_tree

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "dapr"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "todo-dapr tests",
    "GIT_AUTHOR_EMAIL": "tests@todo-dapr.invalid",
    "GIT_COMMITTER_NAME": "todo-dapr tests",
    "GIT_COMMITTER_EMAIL": "tests@todo-dapr.invalid",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
}
# A sample repository: manifests the hook must check, and files it must leave alone.
SAMPLE = {
    "deploy/dapr/pubsub.yaml": (FIXTURES / "good" / "component-kafka.yaml"),
    "deploy/dapr/subscriptions.yaml": (FIXTURES / "good" / "subscriptions.yaml"),
    "deploy/dapr/broken.yaml": (FIXTURES / "bad" / "component-secretkeyref-typo.yaml"),
    ".github/workflows/ci.yaml": "name: ci\non: push\njobs: {}\n",
    "charts/app/templates/cm.yaml": "kind: ConfigMap\n{{- if .Values.x }}\n{{- end }}\n",
    "charts/app/values.yaml": "replicas: 1\n",
    "charts/app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
}
EXPECTED = {"deploy/dapr/pubsub.yaml", "deploy/dapr/subscriptions.yaml", "deploy/dapr/broken.yaml"}


def hook() -> dict[str, Any]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    entry = hooks[0]
    assert isinstance(entry, dict)
    return entry


def git(cwd: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    return result.stdout


def write_sample(root: Path, skip: tuple[str, ...] = ()) -> None:
    for name, content in SAMPLE.items():
        if name in skip:
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, path)
        else:
            path.write_text(content, encoding="utf-8")


def selected(files: list[str]) -> set[str]:
    """What pre-commit passes to the hook: `files` matches and `exclude` does not (re.search)."""
    spec = hook()
    return {f for f in files if re.search(spec["files"], f) and not re.search(spec["exclude"], f)}


def test_hook_definition() -> None:
    spec = hook()
    assert spec["id"] == "todo-dapr-validate"
    assert spec["language"] == "python"
    assert spec["entry"].split()[:2] == ["todo-dapr", "validate"]
    # One process sees every file (cross-file references); YAML files only (identify's tag).
    assert spec["require_serial"] is True
    assert spec["types"] == ["yaml"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert scripts["todo-dapr"] == "tools.cli.main:main", "the entry's console script must exist"


def test_hook_selects_manifests_only() -> None:
    assert selected(list(SAMPLE)) == EXPECTED


def run_entry(files: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry + args + files, with `todo-dapr` run from this checkout."""
    spec = hook()
    args = [*spec["entry"].split()[1:], *spec["args"], *files]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return run_tools(*args, cwd=cwd, env=env)


def test_entry_fails_on_a_broken_manifest_and_names_it(tmp_path: Path) -> None:
    write_sample(tmp_path)
    result = run_entry(sorted(selected(list(SAMPLE))), tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "deploy/dapr/broken.yaml" in result.stdout
    assert "secretKeyref" in result.stdout
    assert "pubsub.yaml" not in result.stdout


def test_entry_passes_on_clean_manifests(tmp_path: Path) -> None:
    write_sample(tmp_path, skip=("deploy/dapr/broken.yaml",))
    files = sorted(selected([f for f in SAMPLE if f != "deploy/dapr/broken.yaml"]))
    result = run_entry(files, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def pre_commit_home() -> Path:
    return cache_dir()


@pytest.fixture(scope="session")
def hook_repo() -> tuple[Path, str]:
    """A committed copy of the working tree, which pre-commit can install the hook from.

    It lives in the cache under a digest of its content, with fixed commit dates, so the same
    tree gives the same path and commit: pre-commit then reuses the hook environment it built
    for it (keyed by repository and rev) across test runs and xdist workers.
    """
    files = tree_files()
    repos = cache_dir() / "hook-repos"
    clone = repos / tree_digest(files)
    if not (clone / ".git").is_dir():
        repos.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix="building-", dir=repos))
        write_tree(files, work)
        git(work, "init", "-q")
        git(work, "add", "-A")
        git(work, "commit", "-q", "-m", "hook repository under test")
        try:
            work.rename(clone)
        except OSError:  # another worker finished the same tree first
            shutil.rmtree(work)
    os.utime(clone)  # most recently used: kept when the cache is pruned
    return clone, git(clone, "rev-parse", "HEAD").strip()


def pre_commit(sample: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=sample,
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            **GIT_ENV,
            "PRE_COMMIT_HOME": str(pre_commit_home() / "pre-commit"),
            **(env or {}),
        },
        timeout=900,
    )


# Both tests run pre-commit, which builds the hook environment the first time (about 10 s on a
# fresh machine): on one worker, the second reuses what the first built.
@pytest.mark.slow(2, together="pre-commit")
def test_pre_commit_runs_the_hook(hook_repo: tuple[Path, str], tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
    clone, rev = hook_repo
    sample = tmp_path / "sample"
    sample.mkdir()
    write_sample(sample)
    config = {"repos": [{"repo": str(clone), "rev": rev, "hooks": [{"id": "todo-dapr-validate"}]}]}
    (sample / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(sample, "init", "-q")
    git(sample, "add", "-A")

    failed = pre_commit(sample)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    # The hook runs the installed package, not this checkout: its data must have been installed.
    assert "internal error" not in output, output
    assert "todo-dapr validate" in output and "Failed" in output, output
    assert "deploy/dapr/broken.yaml" in output
    assert "secretKeyref" in output
    for ignored in (".github/workflows/ci.yaml", "templates/cm.yaml", "values.yaml"):
        assert ignored not in output, output

    git(sample, "rm", "-q", "-f", "deploy/dapr/broken.yaml")
    passed = pre_commit(sample)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


PUBSUB_FOR_TWO_APPS = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: kafka-pubsub
spec:
  type: pubsub.kafka
  version: v1
  metadata:
    - name: brokers
      value: kafka:9092
    - name: authType
      value: none
scopes: [backend, chat-api]
"""
SUBSCRIPTION_FOR_A_THIRD_APP = """\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: task-events-{n}
spec:
  pubsubname: kafka-pubsub
  topic: task-events
  routes:
    default: /events
scopes: [notification-service]
"""
SUBSCRIPTION_FILES = 8


@pytest.mark.slow(1.5, together="pre-commit")
def test_pre_commit_judges_files_together_however_it_would_chunk_them(
    hook_repo: tuple[Path, str], tmp_path: Path
) -> None:
    """A Subscription and its pub/sub in different files: the cross-file error, every time.

    Without require_serial pre-commit splits nine files into chunks of at most
    max(4, ceil(9 / jobs)), so at least one chunk lacks the pub/sub and its Subscriptions get a
    reference-unresolved warning instead. TRAVIS makes pre-commit run two jobs whatever the
    CPU count, so the control run below splits the files on any machine.
    """
    pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
    clone, rev = hook_repo
    sample = tmp_path / "sample"
    (sample / "deploy").mkdir(parents=True)
    (sample / "deploy" / "pubsub.yaml").write_text(PUBSUB_FOR_TWO_APPS, encoding="utf-8")
    for n in range(SUBSCRIPTION_FILES):
        path = sample / "deploy" / f"subscription-{n}.yaml"
        path.write_text(SUBSCRIPTION_FOR_A_THIRD_APP.format(n=n), encoding="utf-8")
    git(sample, "init", "-q")

    def run(**override: object) -> str:
        hook = {"id": "todo-dapr-validate", **override}
        config = {"repos": [{"repo": str(clone), "rev": rev, "hooks": [hook]}]}
        (sample / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        git(sample, "add", "-A")
        result = pre_commit(sample, env={"TRAVIS": "true"})
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "internal error" not in output, output
        return output

    chunked = run(require_serial=False)
    assert "reference-unresolved" in chunked, "the control run was not split into chunks"

    together = run()
    assert "reference-unresolved" not in together, together
    assert together.count("reference-subscription-pubsub") == SUBSCRIPTION_FILES, together
