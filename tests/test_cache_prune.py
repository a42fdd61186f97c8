"""The test caches are pruned: old digests, orphaned pre-commit environments, stale bytecode."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from cache_prune import (
    IN_USE_SECONDS,
    prune_bytecode,
    prune_digest_entries,
    prune_pre_commit_store,
)

NOW = 2_000_000_000.0


def _entry(directory: Path, name: str, age: float) -> Path:
    path = directory / name
    path.mkdir(parents=True)
    (path / "data").write_text(name, encoding="utf-8")
    os.utime(path, (NOW - age, NOW - age))
    return path


def test_only_the_newest_and_the_recently_used_digests_stay(tmp_path: Path) -> None:
    for name, age in [("a", 10), ("b", 2 * IN_USE_SECONDS), ("c", 3 * IN_USE_SECONDS)]:
        _entry(tmp_path, name, age)
    for name, age in [("d", 4 * IN_USE_SECONDS), ("e", 5 * IN_USE_SECONDS), ("f", 20)]:
        _entry(tmp_path, name, age)
    removed = prune_digest_entries(tmp_path, keep=3, now=NOW)
    # a, f, b are the newest three; c, d, e are older and unused for an hour, so they go.
    assert sorted(p.name for p in removed) == ["c", "d", "e"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "f"]
    assert prune_digest_entries(tmp_path / "missing") == []


def test_a_recently_used_entry_stays_beyond_the_count(tmp_path: Path) -> None:
    for i in range(5):
        _entry(tmp_path, f"recent{i}", 60 * i)
    assert prune_digest_entries(tmp_path, keep=1, now=NOW) == []


def test_pre_commit_environments_of_vanished_repositories_are_removed(tmp_path: Path) -> None:
    home = tmp_path / "pre-commit"
    home.mkdir()
    alive, gone = tmp_path / "alive-repo", tmp_path / "gone-repo"
    alive.mkdir()
    outside = tmp_path / "not-in-the-store"
    for env in ("repoalive", "repogone", "repogone2"):
        (home / env).mkdir()
    outside.mkdir()
    with sqlite3.connect(home / "db.db") as db:
        db.execute("CREATE TABLE repos (repo TEXT, ref TEXT, path TEXT, PRIMARY KEY (repo, ref))")
        db.executemany(
            "INSERT INTO repos VALUES (?, ?, ?)",
            [
                (str(alive), "r1", str(home / "repoalive")),
                (str(gone), "r1", str(home / "repogone")),
                (str(gone), "r2", str(home / "repogone2")),
                (str(tmp_path / "gone-too"), "r1", str(outside)),
                ("https://github.com/x/y", "v1", str(home / "repoalive")),
            ],
        )
    assert prune_pre_commit_store(home) == 3
    assert sorted(p.name for p in home.iterdir()) == ["db.db", "repoalive"]
    assert outside.is_dir(), "a path outside the store is never deleted"
    with sqlite3.connect(home / "db.db") as db:
        left = sorted(row[0] for row in db.execute("SELECT repo FROM repos"))
    assert left == [str(alive), "https://github.com/x/y"]
    assert prune_pre_commit_store(tmp_path / "no-store") == 0


def test_bytecode_of_vanished_source_directories_is_removed(tmp_path: Path) -> None:
    prefix = tmp_path / "pycache"
    source = tmp_path / "src" / "pkg"
    source.mkdir(parents=True)
    kept = prefix / source.relative_to("/")
    stale = prefix / (tmp_path / "src" / "gone" / "deeper").relative_to("/")
    for directory in (kept, stale):
        directory.mkdir(parents=True)
        (directory / "m.cpython-311.pyc").write_bytes(b"x")
    assert prune_bytecode(prefix) == 1
    assert (kept / "m.cpython-311.pyc").is_file()
    assert not stale.parent.exists()
    assert prune_bytecode(tmp_path / "none") == 0
