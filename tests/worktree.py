"""The working tree's files as a fresh clone would have them, and a digest of their content.

Tests that build something from the project (its wheel, a pre-commit hook repository) copy these
files instead of the checkout, so nothing left over (build/, egg-info, caches) gets in; the
digest names a cache entry, so a warm run reuses what an identical tree already built.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "todo-dapr"


def tree_files() -> dict[str, bytes]:
    """Tracked and untracked-but-not-ignored files, by repository-relative name."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files: dict[str, bytes] = {}
    for name in sorted(filter(None, listed.split("\0"))):
        source = ROOT / name
        if source.is_file():
            files[name] = source.read_bytes()
    return files


def tree_digest(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, data in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:20]


def write_tree(files: dict[str, bytes], target: Path) -> None:
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
