"""Keep the test suite's caches from growing without bound.

Three caches grow with every distinct working tree the suite runs on:

- ``hook-repos/<digest>`` and ``wheels/<digest>``: a copy of the tree (a pre-commit hook
  repository, a built wheel) per tree digest;
- the pre-commit store, with one hook environment (a virtualenv with every dependency, about
  200 MB) per hook repository it was installed from;
- ``pycache``: compiled modules mirrored under the absolute path of their source, including
  the temporary directories of earlier runs.

At the start of a run, the newest few entries per digest cache are kept (and any used in the
last hour, which a concurrent run may hold); the pre-commit environments whose repository is
gone, and the bytecode whose source directory is gone, are removed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import time
from pathlib import Path

KEEP = 3
IN_USE_SECONDS = 3600


def prune_digest_entries(directory: Path, keep: int = KEEP, now: float | None = None) -> list[Path]:
    """Remove all but the ``keep`` most recently used entries of a digest cache; entries used
    within the last hour stay whatever their rank. Returns what was removed."""
    if not directory.is_dir():
        return []
    now = time.time() if now is None else now
    entries = sorted(directory.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for entry in entries[keep:]:
        if now - entry.stat().st_mtime < IN_USE_SECONDS:
            continue
        shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink()
        removed.append(entry)
    return removed


def prune_pre_commit_store(home: Path) -> int:
    """Remove the hook environments whose source repository no longer exists; the count."""
    database = home / "db.db"
    if not database.is_file():
        return 0
    removed = 0
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as db, db:
        rows = db.execute("SELECT repo, ref, path FROM repos").fetchall()
        for repo, ref, path in rows:
            if not Path(repo).is_absolute() or Path(repo).exists():
                continue  # a remote URL, or a repository still there
            environment = Path(path)
            if environment.parent == home and environment.name.startswith("repo"):
                shutil.rmtree(environment, ignore_errors=True)
            db.execute("DELETE FROM repos WHERE repo = ? AND ref = ?", (repo, ref))
            removed += 1
    return removed


def prune_bytecode(prefix: Path) -> int:
    """Remove the mirrored directories of ``prefix`` whose source directory is gone."""
    if not prefix.is_dir():
        return 0
    removed = 0
    for root, dirs, _ in os.walk(prefix):
        for name in list(dirs):
            mirrored = Path(root) / name
            source = Path("/") / mirrored.relative_to(prefix)
            if not source.is_dir():
                shutil.rmtree(mirrored, ignore_errors=True)
                dirs.remove(name)
                removed += 1
    return removed


def prune_test_caches(cache: Path, bytecode: Path) -> None:
    """``cache``: where the digest caches and the pre-commit store live (tests/worktree.py);
    ``bytecode``: the suite's own bytecode prefix (tests/conftest.py), never a user's."""
    prune_digest_entries(cache / "hook-repos")
    prune_digest_entries(cache / "wheels")
    prune_pre_commit_store(cache / "pre-commit")
    prune_bytecode(bytecode)
