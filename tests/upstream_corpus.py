"""Manifests nobody here wrote: Dapr's quickstarts, samples and the docs' component pages.

Each comes from a git clone named by an environment variable (bare or ``.git`` directories, as
``tests/upstream_git.py`` reads dapr/dapr and components-contrib), read at a pinned commit so a
later fetch cannot change the counts the tests expect:

- ``TODO_DAPR_QUICKSTARTS_GIT_DIR``: dapr/quickstarts, every YAML file with an ``apiVersion``;
- ``TODO_DAPR_SAMPLES_GIT_DIR``: dapr/samples, the same;
- ``TODO_DAPR_DOCS_GIT_DIR``: dapr/docs, every fenced ``yaml`` block of the component reference
  pages (``daprdocs/content/en/reference/components-reference``) that has an ``apiVersion``.

Files are read with ``git`` (no checkout), each at most 256 KiB.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tools.validate import Source

MAX_BYTES = 256 * 1024
_FENCE = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)
_DOCS_PAGES = "daprdocs/content/en/reference/components-reference/"


@dataclass(frozen=True)
class Corpus:
    variable: str
    repository: str
    commit: str
    kind: str  # "yaml": YAML files; "docs": fenced blocks of markdown pages


CORPORA = (
    Corpus("TODO_DAPR_QUICKSTARTS_GIT_DIR", "dapr/quickstarts", "56eb3ae3", "yaml"),
    Corpus("TODO_DAPR_SAMPLES_GIT_DIR", "dapr/samples", "e925ff1", "yaml"),
    # The head of the newest release branch the clone holds, v1.15.
    Corpus("TODO_DAPR_DOCS_GIT_DIR", "dapr/docs", "9084988bc", "docs"),
)


def git_dir(corpus: Corpus) -> Path | None:
    value = os.environ.get(corpus.variable, "")
    return Path(value) if value and Path(value).is_dir() else None


def missing() -> list[str]:
    """The variables not set to a git directory, each with what it should hold."""
    return [
        f"{c.variable} (a git clone of {c.repository} holding {c.commit})"
        for c in CORPORA
        if git_dir(c) is None
    ]


def _git(directory: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(directory), *args], check=True, capture_output=True, timeout=120
    ).stdout


def _commit(directory: Path, ref: str) -> str:
    return _git(directory, "rev-parse", "--verify", f"{ref}^{{commit}}").decode().strip()


def _blobs(directory: Path, commit: str, wanted: tuple[str, ...]) -> list[tuple[str, bytes]]:
    listing = _git(directory, "ls-tree", "-r", "-l", "-z", commit).split(b"\0")
    chosen: list[tuple[str, str]] = []
    for line in listing:
        if not line:
            continue
        meta, _, path_bytes = line.partition(b"\t")
        parts = meta.split()
        path = path_bytes.decode("utf-8", "replace")
        if len(parts) < 4 or parts[1] != b"blob" or not parts[3].isdigit():
            continue
        if int(parts[3]) > MAX_BYTES or not path.endswith(wanted):
            continue
        chosen.append((path, parts[2].decode()))
    if not chosen:
        return []
    batch = subprocess.run(
        ["git", "--git-dir", str(directory), "cat-file", "--batch"],
        input=b"".join(f"{oid}\n".encode() for _, oid in chosen),
        check=True,
        capture_output=True,
        timeout=300,
    ).stdout
    out: list[tuple[str, bytes]] = []
    at = 0
    for path, _oid in chosen:
        header_end = batch.index(b"\n", at)
        size = int(batch[at:header_end].split()[2])
        body = batch[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
        out.append((path, body))
    return out


def _manifest_files(corpus: Corpus, directory: Path) -> list[Source]:
    commit = _commit(directory, corpus.commit)
    sources = []
    for path, body in _blobs(directory, commit, (".yaml", ".yml")):
        if b"apiVersion" in body and b"kind" in body:
            sources.append(Source(f"{corpus.repository}/{path}", body))
    return sources


def _docs_blocks(corpus: Corpus, directory: Path) -> list[Source]:
    commit = _commit(directory, corpus.commit)
    sources = []
    for path, body in _blobs(directory, commit, (".md",)):
        if not path.startswith(_DOCS_PAGES):
            continue
        text = body.decode("utf-8", "replace")
        for number, match in enumerate(_FENCE.finditer(text), start=1):
            block = match.group(1)
            if "apiVersion:" in block and "kind:" in block:
                sources.append(Source(f"{corpus.repository}/{path}#block{number}", block))
    return sources


def read_corpus(corpus: Corpus) -> list[Source]:
    directory = git_dir(corpus)
    if directory is None:
        return []
    if corpus.kind == "docs":
        return _docs_blocks(corpus, directory)
    return _manifest_files(corpus, directory)


def read_all() -> list[Source]:
    return [source for corpus in CORPORA for source in read_corpus(corpus)]
