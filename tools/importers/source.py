"""Read files of an upstream repository from a checkout directory or from a git ref."""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class SourceError(Exception):
    """The upstream source cannot be read; the message says what to pass instead."""

    exit_status = 2


def _safe_relative(path: str) -> str:
    parts = PurePosixPath(path).parts
    if PurePosixPath(path).is_absolute() or ".." in parts:
        raise SourceError(f"{path}: not a path inside the repository")
    return path


@dataclass(frozen=True)
class Checkout:
    """A work tree on disk."""

    root: Path

    @property
    def label(self) -> str:
        return str(self.root)

    def files(self, directory: str) -> list[str]:
        base = self.root / _safe_relative(directory)
        if not base.is_dir():
            raise SourceError(f"{base}: no such directory; is {self.root} a dapr/dapr checkout?")
        return sorted(p.name for p in base.iterdir() if p.is_file())

    def read(self, path: str) -> str:
        try:
            return (self.root / _safe_relative(path)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"{self.root / path}: unreadable ({exc})") from None


@dataclass(frozen=True)
class GitRef:
    """A commit of a git repository (bare or not), read with ``git ls-tree`` / ``git show``."""

    git_dir: Path
    ref: str

    @property
    def label(self) -> str:
        return f"{self.git_dir}@{self.ref}"

    def _git(self, *args: str) -> str:
        if not self.ref or self.ref.startswith("-") or any(c.isspace() for c in self.ref):
            raise SourceError(f"{self.ref!r}: not a git ref")
        try:
            done = subprocess.run(
                ["git", "--git-dir", str(self.git_dir), *args],
                capture_output=True,
                check=False,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SourceError(f"git in {self.git_dir}: {exc}") from None
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise SourceError(f"git in {self.git_dir}: {why[-1] if why else 'failed'}")
        return done.stdout.decode("utf-8", "replace")

    def files(self, directory: str) -> list[str]:
        directory = _safe_relative(directory).rstrip("/")
        out = self._git("ls-tree", "--name-only", self.ref, "--", directory + "/")
        names = [line.rsplit("/", 1)[-1] for line in out.splitlines() if line]
        if not names:
            raise SourceError(f"{self.label}: no directory {directory}")
        return sorted(names)

    def read(self, path: str) -> str:
        return self._git("show", f"{self.ref}:{_safe_relative(path)}")


def extract_tree(source: GitRef, dest: Path, wanted: Callable[[str], bool]) -> int:
    """Write the files of ``source`` whose repository path ``wanted`` accepts under ``dest``
    (one ``git archive``; only regular files, only paths inside ``dest``); the count written."""
    if not source.ref or source.ref.startswith("-") or any(c.isspace() for c in source.ref):
        raise SourceError(f"{source.ref!r}: not a git ref")
    try:
        done = subprocess.run(
            ["git", "--git-dir", str(source.git_dir), "archive", "--format=tar", source.ref],
            capture_output=True,
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"git in {source.git_dir}: {exc}") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"git in {source.git_dir}: {why[-1] if why else 'archive failed'}")
    count = 0
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        for member in archive.getmembers():
            if not member.isfile() or not wanted(member.name):
                continue
            relative = _safe_relative(member.name)
            handle = archive.extractfile(member)
            if handle is None:
                continue
            target = dest / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(handle.read())
            count += 1
    return count
