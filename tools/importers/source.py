"""Read files of an upstream repository from a checkout directory or from a git ref."""

from __future__ import annotations

import atexit
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
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
    """A commit of a git repository (bare or not).

    Its tree is listed once (``git ls-tree -r``) and files are read through one long-lived
    ``git cat-file --batch`` per repository, cached by blob id: the three supported releases
    share most of their files, so each distinct file is read (and parsed by callers that cache
    by content) once, and no process is started per file.
    """

    git_dir: Path
    ref: str

    @property
    def label(self) -> str:
        return f"{self.git_dir}@{self.ref}"

    def _git(self, *args: str) -> str:
        _check_ref(self.ref)
        return _run_git(self.git_dir, *args).decode("utf-8", "replace")

    def _tree(self) -> Mapping[str, str]:
        _check_ref(self.ref)
        return _tree_of(self.git_dir, self.ref)

    def paths(self) -> list[str]:
        """Every file of the commit, repository-relative."""
        return sorted(self._tree())

    def files(self, directory: str) -> list[str]:
        """Names of the files directly in ``directory`` (not its subdirectories)."""
        prefix = _safe_relative(directory).rstrip("/") + "/"
        names = [p[len(prefix) :] for p in self._tree() if p.startswith(prefix)]
        direct = sorted(n for n in names if "/" not in n)
        if not names:
            raise SourceError(f"{self.label}: no directory {prefix.rstrip('/')}")
        return direct

    def read(self, path: str) -> str:
        blob = self._tree().get(_safe_relative(path))
        if blob is None:
            raise SourceError(f"{self.label}: no file {path}")
        return _blob_text(self.git_dir, blob)


def _check_ref(ref: str) -> None:
    if not ref or ref.startswith("-") or any(c.isspace() for c in ref):
        raise SourceError(f"{ref!r}: not a git ref")


def _run_git(git_dir: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "--git-dir", str(git_dir), *args],
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"git in {git_dir}: {exc}") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise SourceError(f"git in {git_dir}: {why[-1] if why else 'failed'}")
    return done.stdout


_REGULAR = frozenset({b"100644", b"100755"})


@lru_cache(maxsize=16)
def _tree_of(git_dir: Path, ref: str) -> Mapping[str, str]:
    """Repository path -> blob id of every regular file in the commit (symbolic links and
    submodules left out)."""
    listing = _run_git(git_dir, "ls-tree", "-r", "-z", "--full-tree", ref, "--")
    tree: dict[str, str] = {}
    for record in listing.split(b"\0"):
        head, tab, name = record.partition(b"\t")
        fields = head.split()
        if tab and len(fields) == 3 and fields[0] in _REGULAR and fields[1] == b"blob":
            tree[name.decode("utf-8", "replace")] = fields[2].decode("ascii")
    return tree


class _BlobReader:
    """One ``git cat-file --batch`` process answering blob ids in turn."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        try:
            self.process = subprocess.Popen(
                ["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            raise SourceError(f"git in {git_dir}: {exc}") from None

    def read(self, blob: str) -> bytes:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            stdin.write(blob.encode("ascii") + b"\n")
            stdin.flush()
            header = stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                raise SourceError(f"git in {self.git_dir}: cannot read object {blob}")
            data = stdout.read(int(header[2]))
            stdout.read(1)  # the newline after the contents
        except (OSError, ValueError) as exc:
            raise SourceError(f"git in {self.git_dir}: {exc}") from None
        return data

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


_READERS: dict[Path, _BlobReader] = {}


def _reader(git_dir: Path) -> _BlobReader:
    reader = _READERS.get(git_dir)
    if reader is None or reader.process.poll() is not None:
        reader = _READERS[git_dir] = _BlobReader(git_dir)
    return reader


@atexit.register
def close_readers() -> None:
    """Stop every ``cat-file`` process (also run at interpreter exit)."""
    while _READERS:
        _READERS.popitem()[1].close()


@lru_cache(maxsize=8192)
def _blob_text(git_dir: Path, blob: str) -> str:
    return _reader(git_dir).read(blob).decode("utf-8", "replace")


def extract_tree(source: GitRef, dest: Path, wanted: Callable[[str], bool]) -> int:
    """Write the regular files of ``source`` whose repository path ``wanted`` accepts under
    ``dest`` (only paths inside ``dest``); the count written."""
    count = 0
    for path in source.paths():
        if not wanted(path):
            continue
        target = dest / _safe_relative(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_reader(source.git_dir).read(source._tree()[path]))
        count += 1
    return count
