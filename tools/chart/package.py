"""Package the chart reproducibly, from the chart's own files only.

``helm package`` follows symbolic links: a link in the chart to a host file or directory would
ship what it points to. So the chart is walked here without following any link, ``.helmignore``
applied as Helm applies it, and only its regular files and directories are copied, with fixed
modes and times, to a staging copy that helm packages. A link (wherever it points), a named
pipe, a socket or a device that ``.helmignore`` does not leave out is refused with its path, and
so is a chart over Helm's own size limits.

A hard link cannot be told apart from the file itself: the bytes at the chart path are what
git commits, what a reviewer sees and what ships. ``st_nlink > 1`` shows that another name
exists, not where, so hard links are packaged like any regular file.
"""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import os
import re
import stat
import tarfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

from tools.chart.helmignore import (
    HELMIGNORE,
    MAX_MATCH_STEPS,
    IgnoreRules,
    IgnoreSyntaxError,
    MatchBudgetExceeded,
)
from tools.core import yaml_text
from tools.core.bounded_read import read_fd
from tools.core.terminal_text import visible

DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z; SOURCE_DATE_EPOCH overrides it
MAX_EPOCH = 253402300799  # 9999-12-31T23:59:59Z
MIB = 1024 * 1024
MAX_FILE_BYTES = 5 * MIB  # Helm's MaxDecompressedFileSize: it refuses a larger chart file
MAX_TOTAL_BYTES = 64 * MIB  # below Helm's MaxDecompressedChartSize (100 MiB)
MAX_ENTRIES = 10_000  # files and directories looked at, ignored ones included
MAX_DEPTH = 32
MAX_HELMIGNORE_BYTES = 64 * 1024  # also the longest line Helm's line scanner accepts
FILE_MODE = 0o644  # what helm package records for every file, executable or not
DIR_MODE = 0o755
COPY_CHUNK = MIB
PLAIN_FILES_ONLY = "; the package holds the chart's own regular files only"
_NO_FOLLOW = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC
_DIR_FLAGS = _NO_FOLLOW | os.O_DIRECTORY
# O_NONBLOCK: opening a named pipe put in a file's place must not wait for a writer.
_FILE_FLAGS = _NO_FOLLOW | os.O_NONBLOCK


class ChartRefused(Exception):
    """The chart (or the packaging environment) cannot be packaged as given: a usage error."""


class PackageFailed(Exception):
    """``helm package`` failed or wrote something unexpected."""


class SigningKey(Protocol):
    """What ``helm package --sign`` needs (tools.publish.model.Signing)."""

    @property
    def key(self) -> str: ...

    @property
    def keyring(self) -> Path: ...


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    archive: Path
    sha256: str
    size: int
    provenance: Path | None
    staged: Path | None = None
    """The copy helm packaged: exactly the files that ship (the gate checks this one)."""

    @property
    def tag(self) -> str:
        """OCI tags cannot hold ``+``; Helm stores build metadata with ``_``."""
        return self.version.replace("+", "_")


# -- the walk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A directory or regular file that ships, as the walk saw it."""

    parts: tuple[str, ...]
    is_dir: bool
    size: int
    identity: tuple[int, int]  # (st_dev, st_ino)

    @property
    def path(self) -> str:
        return "/".join(self.parts)


_SPECIAL = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> str:
    return next((what for test, what in _SPECIAL if test(mode)), "not a regular file")


def _refused(
    path: str, what: str, remedy: str, why: str = PLAIN_FILES_ONLY, *, ignorable: bool = True
) -> ChartRefused:
    """Refuse a chart file, naming it; ``ignorable`` when .helmignore may leave it out."""
    leave_out = f", or list it in {HELMIGNORE} to leave it out" if ignorable else ""
    return ChartRefused(f"chart file {visible(path)}: {what}{why}: {remedy}{leave_out}")


@contextmanager
def _closing(fd: int) -> Iterator[int]:
    try:
        yield fd
    finally:
        os.close(fd)


def _opened(path: str, flags: int, dir_fd: int | None = None) -> AbstractContextManager[int]:
    return _closing(os.open(path, flags, dir_fd=dir_fd))


def _unreadable(path: str, exc: OSError) -> ChartRefused:
    return ChartRefused(f"chart file {visible(path)}: cannot read it ({exc.strerror})")


@dataclass
class Walk:
    """Plan the copy: which entries ship, checked and bounded; only names and metadata are
    read."""

    chart: Path
    rules: IgnoreRules
    entries: list[Entry] = field(default_factory=list)
    seen: int = 0
    total: int = 0

    def directory(self, fd: int, parts: tuple[str, ...]) -> None:
        if len(parts) > MAX_DEPTH:
            raise ChartRefused(
                f"chart directory {visible('/'.join(parts))}: nested more than {MAX_DEPTH} "
                f"levels deep; flatten it or list it in {HELMIGNORE}"
            )
        for name in sorted(os.listdir(fd), key=os.fsencode):
            self.entry(fd, (*parts, name))

    def entry(self, dir_fd: int, parts: tuple[str, ...]) -> None:
        path = "/".join(parts)
        self.seen += 1
        if self.seen > MAX_ENTRIES:
            raise ChartRefused(
                f"the chart holds over {MAX_ENTRIES:,} files and directories (at "
                f"{visible(path)}); list what is not part of the chart in {HELMIGNORE}"
            )
        try:
            self._entry(dir_fd, parts, path)
        except OSError as exc:
            raise _unreadable(path, exc) from None

    def _entry(self, dir_fd: int, parts: tuple[str, ...], path: str) -> None:
        info = os.stat(parts[-1], dir_fd=dir_fd, follow_symlinks=False)
        identity = (info.st_dev, info.st_ino)
        if stat.S_ISLNK(info.st_mode):
            if not self.rules.ignores(path, self._link_is_dir(dir_fd, parts[-1])):
                raise self._link_refused(dir_fd, parts)
        elif stat.S_ISDIR(info.st_mode):
            if not self.rules.ignores(path, True):
                self.entries.append(Entry(parts, True, 0, identity))
                with _opened(parts[-1], _DIR_FLAGS, dir_fd) as fd:
                    _same(fd, identity, path)
                    self.directory(fd, parts)
        elif not self.rules.ignores(path, False):
            self.file(parts, info)

    def file(self, parts: tuple[str, ...], info: os.stat_result) -> None:
        path = "/".join(parts)
        if not stat.S_ISREG(info.st_mode):
            raise _refused(path, _kind(info.st_mode), "remove it")
        if info.st_size > MAX_FILE_BYTES:
            raise _refused(
                path,
                f"{info.st_size:,} bytes, over Helm's limit of {MAX_FILE_BYTES:,} bytes "
                "(5 MiB) per chart file",
                "make it smaller",
                why="",
            )
        self.total += info.st_size
        if self.total > MAX_TOTAL_BYTES:
            raise ChartRefused(
                f"the chart's files add up to over {MAX_TOTAL_BYTES // MIB} MiB (at "
                f"{visible(path)}); Helm refuses charts over 100 MiB: remove large files or "
                f"list them in {HELMIGNORE}"
            )
        self.entries.append(Entry(parts, False, info.st_size, (info.st_dev, info.st_ino)))

    @staticmethod
    def _link_is_dir(dir_fd: int, name: str) -> bool:
        """Helm applies ``dir/`` rules to a link by what it points to (a stat, no read)."""
        try:
            return stat.S_ISDIR(os.stat(name, dir_fd=dir_fd).st_mode)
        except OSError:
            return False

    def _link_refused(self, dir_fd: int, parts: tuple[str, ...]) -> ChartRefused:
        path = "/".join(parts)
        try:
            is_dir = stat.S_ISDIR(os.stat(parts[-1], dir_fd=dir_fd).st_mode)
        except OSError:
            return _refused(
                path, "a symbolic link to nothing (dangling)", "remove it or add the file"
            )
        try:
            inside = self.chart.joinpath(*parts).resolve().is_relative_to(self.chart.resolve())
        except (OSError, RuntimeError):  # RuntimeError: a loop on the way (Python < 3.13)
            inside = False
        what = "a directory" if is_dir else "a file"
        where = "inside" if inside else "outside"
        content = "a copy of the directory" if is_dir else "the file's content"
        return _refused(
            path, f"a symbolic link to {what} {where} the chart", f"replace the link with {content}"
        )


def _same(fd: int, identity: tuple[int, int], path: str) -> os.stat_result:
    info = os.fstat(fd)
    if (info.st_dev, info.st_ino) != identity:
        raise _changed(path)
    return info


def _open_file(root_fd: int, parts: tuple[str, ...]) -> int:
    """Open a chart file through its directories without following any link."""
    fd = root_fd
    try:
        for part in parts[:-1]:
            parent, fd = fd, os.open(part, _DIR_FLAGS, dir_fd=fd)
            if parent != root_fd:
                os.close(parent)
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
    finally:
        if fd != root_fd:
            os.close(fd)


def _copy_file(root_fd: int, entry: Entry, target: Path) -> None:
    with _closing(_open_file(root_fd, entry.parts)) as source:
        info = _same(source, entry.identity, entry.path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != entry.size:
            raise _changed(entry.path)
        copied = 0
        with target.open("xb") as out:
            while data := os.read(source, min(COPY_CHUNK, entry.size + 1 - copied)):
                copied += len(data)
                if copied > entry.size:
                    break
                out.write(data)
        target.chmod(FILE_MODE)
        if copied != entry.size:
            raise _changed(entry.path)


def _changed(path: str) -> ChartRefused:
    return ChartRefused(f"chart file {visible(path)}: changed while being packaged; retry")


def _read_helmignore(root_fd: int) -> IgnoreRules:
    try:
        with _opened(HELMIGNORE, _FILE_FLAGS, root_fd) as fd:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise _refused(
                    HELMIGNORE, _kind(info.st_mode), "make it a regular file", ignorable=False
                )
            got = read_fd(fd, MAX_HELMIGNORE_BYTES)
    except FileNotFoundError:
        return IgnoreRules.parse("")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refused(
                HELMIGNORE,
                "a symbolic link",
                "replace the link with the file's content",
                ignorable=False,
            ) from None
        raise ChartRefused(f"{HELMIGNORE}: cannot read it ({exc.strerror})") from None
    if got.over:
        raise ChartRefused(f"{HELMIGNORE}: over {MAX_HELMIGNORE_BYTES // 1024} KiB")
    try:
        return IgnoreRules.parse(got.data.decode("utf-8", "surrogateescape"))
    except IgnoreSyntaxError as exc:
        raise ChartRefused(
            f"{HELMIGNORE} line {exc.line}: {visible(exc.rule)}: {exc.reason} (Helm refuses it too)"
        ) from None


def stage_chart(chart: Path, target: Path) -> list[Entry]:
    """Copy the chart's shipping files to ``target`` (which must not exist); refuse the rest."""
    try:
        root_fd = os.open(chart, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as exc:
        raise ChartRefused(f"--chart {visible(str(chart))}: {exc.strerror}") from None
    with _closing(root_fd):
        walk = Walk(chart, _read_helmignore(root_fd))
        try:
            walk.directory(root_fd, ())
        except OSError as exc:
            raise ChartRefused(f"--chart {visible(str(chart))}: {exc.strerror}") from None
        except MatchBudgetExceeded:
            raise ChartRefused(
                f"{HELMIGNORE}: matching its patterns against the chart's paths compared over "
                f"{MAX_MATCH_STEPS:,} characters; simplify the patterns"
            ) from None
        target.mkdir(mode=DIR_MODE)
        target.chmod(DIR_MODE)
        for entry in walk.entries:
            destination = target.joinpath(*entry.parts)
            if entry.is_dir:
                destination.mkdir(mode=DIR_MODE)
                destination.chmod(DIR_MODE)
                continue
            try:
                _copy_file(root_fd, entry, destination)
            except OSError as exc:
                raise _unreadable(entry.path, exc) from None
        return walk.entries


# -- Chart.yaml, times, archive -----------------------------------------------------------------


def source_epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return DEFAULT_EPOCH
    if not re.fullmatch(r"[0-9]{1,12}", value) or int(value) > MAX_EPOCH:
        raise ChartRefused(
            f"SOURCE_DATE_EPOCH={visible(repr(value[:40]))} is not a number of seconds since "
            f"1970 (ASCII digits, at most {MAX_EPOCH}: the end of year 9999); e.g. "
            "SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)"
        )
    return int(value)


def _read_chart_file(path: Path) -> bytes:
    with _opened(str(path), _FILE_FLAGS) as fd:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise _refused(
                path.name, _kind(info.st_mode), "make it a regular file", ignorable=False
            )
        got = read_fd(fd, MAX_FILE_BYTES)
    if got.over:
        raise _refused(
            path.name,
            "over Helm's limit of 5 MiB per chart file",
            "shorten it",
            "",
            ignorable=False,
        )
    return got.data


def read_chart(chart: Path) -> tuple[str, str]:
    path = chart / "Chart.yaml"
    try:
        raw = _read_chart_file(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise _refused(
                "Chart.yaml",
                "a symbolic link",
                "replace the link with the file's content",
                ignorable=False,
            ) from None
        raise ChartRefused(
            f"{visible(str(path))}: cannot read it ({exc.strerror}); --chart takes a chart "
            "directory"
        ) from None
    try:
        data = yaml_text.load(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ChartRefused(f"{visible(str(path))}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise ChartRefused(f"{visible(str(path))}: not valid YAML ({visible(str(exc))})") from None
    if not isinstance(data, dict) or not data.get("name") or not data.get("version"):
        raise ChartRefused(f"{visible(str(path))}: needs a name and a version")
    return str(data["name"]), str(data["version"])


def _pin_times(root: Path, epoch: int) -> None:
    for path in sorted(root.rglob("*"), reverse=True):
        os.utime(path, (epoch, epoch), follow_symlinks=False)
    os.utime(root, (epoch, epoch))


def normalize_archive(archive: Path, epoch: int) -> None:
    """Rewrite a chart archive with fixed times and owners (for helm builds that stamp 'now')."""
    with tarfile.open(archive, "r:gz") as source:
        members = [(m, source.extractfile(m)) for m in source.getmembers()]
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as target:
            for member, handle in members:
                member.mtime = epoch
                member.uid = member.gid = 0
                member.uname = member.gname = ""
                member.pax_headers = {}
                target.addfile(member, handle)
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as zipped:
        zipped.write(buffer.getvalue())
    archive.write_bytes(raw.getvalue())


def helm_major(helm: Path) -> int:
    from tools.chart.helm import version

    match = re.match(r"v?(\d+)\.", version(helm))
    return int(match.group(1)) if match else 0


def _helm_failure(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    return visible((errors or lines or ["no output"])[-1].removeprefix("Error:").strip())


def package_chart(
    helm: Path, chart: Path, work: Path, env: dict[str, str], signing: SigningKey | None
) -> Package:
    """``helm package`` a staged copy of the chart's own files, times pinned; same content,
    same sha256."""
    from tools.chart.helm import run

    name, version = read_chart(chart)
    epoch = source_epoch()
    source = work / "src" / chart.resolve().name
    source.parent.mkdir(parents=True, exist_ok=True)
    stage_chart(chart, source)
    _pin_times(source, epoch)
    out = work / "package"
    out.mkdir()
    args = ["package", str(source), "--destination", str(out)]
    if signing is not None:
        args += ["--sign", "--key", signing.key, "--keyring", str(signing.keyring)]
    result = run(helm, *args, env=env)
    if result.returncode != 0:
        raise PackageFailed(f"helm package failed: {_helm_failure(result.stderr or result.stdout)}")
    archives = sorted(out.glob("*.tgz"))
    if len(archives) != 1:
        raise PackageFailed(f"helm package wrote {len(archives)} archives, expected one")
    archive = archives[0]
    if helm_major(helm) < 4:
        normalize_archive(archive, epoch)
    provenance = archive.with_name(archive.name + ".prov")
    if signing is not None and not provenance.is_file():
        raise PackageFailed("helm package --sign wrote no provenance file")
    # helm push stamps the manifest's image.created annotation with the archive's mtime.
    os.utime(archive, (epoch, epoch))
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    size = archive.stat().st_size
    return Package(name, version, archive, sha, size, provenance if signing else None, source)
