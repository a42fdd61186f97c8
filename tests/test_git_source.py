"""The importers' git reader: one tree listing per commit, one cat-file process per repository."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tools.importers import source
from tools.importers.source import GitRef, SourceError, extract_tree

ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t",
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=ENV)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "a.go").write_text("package pkg\n", encoding="utf-8")
    (root / "pkg" / "big.bin").write_bytes(b"x" * 200_000 + b"\n")
    (root / "pkg" / "sub" / "b.go").write_text("package sub\n", encoding="utf-8")
    (root / "pkg" / "link.go").symlink_to("a.go")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "one")
    _git(root, "tag", "v1")
    (root / "pkg" / "a.go").write_text("package pkg // two\n", encoding="utf-8")
    _git(root, "commit", "-qam", "two")
    _git(root, "tag", "v2")
    return root / ".git"


def test_files_lists_only_the_regular_files_directly_in_a_directory(repo: Path) -> None:
    ref = GitRef(repo, "v1")
    assert ref.files("pkg") == ["a.go", "big.bin"]
    assert ref.files("pkg/sub/") == ["b.go"]
    with pytest.raises(SourceError, match="no directory nosuch"):
        ref.files("nosuch")


def test_reads_each_commit_through_one_process(repo: Path) -> None:
    source.close_readers()
    one, two = GitRef(repo, "v1"), GitRef(repo, "v2")
    assert one.read("pkg/a.go") == "package pkg\n"
    assert two.read("pkg/a.go") == "package pkg // two\n"
    assert len(one.read("pkg/big.bin")) == 200_001
    assert two.read("pkg/sub/b.go") == "package sub\n"
    assert list(source._READERS) == [repo]
    process = source._READERS[repo].process
    source.close_readers()
    assert process.poll() == 0 and source._READERS == {}


def test_bad_refs_and_paths_are_refused_with_a_message(repo: Path) -> None:
    with pytest.raises(SourceError, match="not a git ref"):
        GitRef(repo, "--upload-pack=x").read("pkg/a.go")
    with pytest.raises(SourceError, match=r"no file pkg/none\.go"):
        GitRef(repo, "v1").read("pkg/none.go")
    with pytest.raises(SourceError, match="not a path inside"):
        GitRef(repo, "v1").read("../x")
    with pytest.raises(SourceError, match="git in"):
        GitRef(repo, "v404").read("pkg/a.go")


def test_extract_tree_writes_the_wanted_files(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    count = extract_tree(GitRef(repo, "v2"), out, lambda p: p.endswith(".go"))
    assert count == 2
    assert (out / "pkg" / "a.go").read_text(encoding="utf-8") == "package pkg // two\n"
    assert (out / "pkg" / "sub" / "b.go").is_file() and not (out / "pkg" / "link.go").exists()
