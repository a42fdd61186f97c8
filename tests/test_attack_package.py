"""Red team: the published package holds the chart's own files and nothing else (issue 19).

Each attack goes through the real CLI (``python -m tools publish``, the gate included) with real
Helm and a real ``docker-registry`` on 127.0.0.1. ``helm package`` follows symbolic links, so a
link in the chart to a host file would ship that file; packaging walks the chart itself, never
following a link, and refuses links, named pipes, sockets and devices (unless ``.helmignore``
leaves them out, as Helm does) and charts over Helm's size limits, naming the path.

Hard links are accepted by design (tools/chart/package.py says why): the test at the end pins
that the bytes at the chart path are what ships.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import stat
import tarfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from forked_cli import CliRunner
from registry_fixture import Registry, start_registry
from small_chart import make_chart

from tools.chart import package as chart_package
from tools.chart.helm import ensure_helm, run
from tools.chart.helmignore import IgnoreRule, IgnoreRules
from tools.publish import packaging, pipeline
from tools.publish.bounds import Deadline
from tools.publish.errors import PublishUsageError
from tools.publish.gate import run_gate
from tools.publish.helm_calls import helm_env
from tools.publish.model import Options
from tools.publish.target import RegistryRef

MARKER = "HOST-SECRET-7f3c9a1e-not-part-of-the-chart"
ERROR_PREFIX = "todo-dapr publish: error:"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    with start_registry(tmp_path_factory.mktemp("registry")) as reg:
        yield reg


def write_chart(root: Path, note: str = "one") -> Path:
    """A small chart that passes the real gate (lint, render and validation) in about a second."""
    chart = make_chart(root, note=note, app_version="1.18.0", description="red-team chart")
    (chart / "files").mkdir()
    (chart / "files" / "readme.txt").write_text("chart file\n", encoding="utf-8")
    return chart


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    return write_chart(tmp_path / "checkout")


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """A directory outside the chart holding a secret file, as a host would."""
    folder = tmp_path / "host"
    folder.mkdir()
    (folder / "secret.txt").write_text(f"password: {MARKER}\n", encoding="utf-8")
    return folder


@dataclass
class Published:
    status: int
    out: str
    err: str

    @property
    def error(self) -> str:
        """The one error line (without its prefix); no traceback anywhere."""
        assert "Traceback" not in self.out + self.err
        lines = [line for line in self.err.splitlines() if line.startswith(ERROR_PREFIX)]
        assert len(lines) == 1, self.err
        return lines[0].removeprefix(ERROR_PREFIX).strip()

    @property
    def sha256(self) -> str:
        assert self.status == 0, self.err
        data = json.loads(self.out)
        return str(data["archive"]["sha256"])


def publish_chart(
    cli: CliRunner, registry: Registry, chart: Path, *flags: str, helm: Path | None = None
) -> Published:
    repository = f"attack/{uuid.uuid4().hex[:12]}"
    env = {"HELM": str(helm)} if helm else None
    result = cli(
        "publish",
        "--registry",
        f"oci://{registry.host}/{repository}",
        "--plain-http",
        "--chart",
        str(chart),
        "--format",
        "json",
        *flags,
        env=env,
    )
    return Published(result.returncode, result.stdout, result.stderr)


def registry_holds(registry: Registry, marker: str) -> bool:
    """Whether any blob the registry stores, gunzipped when it is gzip, contains ``marker``."""
    for path in (registry.root / "data").rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if data.startswith(b"\x1f\x8b"):
            data = gzip.decompress(data)
        if marker.encode() in data:
            return True
    return False


def assert_refused(result: Published, path: str, *phrases: str) -> str:
    """Exit 2 with one clean line that names the chart-relative path and the way out."""
    assert result.status == 2, (result.status, result.err)
    error = result.error
    assert f"chart file {path}:" in error, error
    for phrase in phrases:
        assert phrase in error, error
    assert "[(" not in error and "Errno" not in error, error
    assert MARKER not in result.out + result.err
    assert json.loads(result.out)["status"] == "error"
    return error


# -- symbolic links -----------------------------------------------------------------------------


@pytest.mark.registry
def test_link_to_a_host_file_is_refused_and_nothing_is_published(
    cli: CliRunner, registry: Registry, chart: Path, host: Path
) -> None:
    (chart / "files" / "host.txt").symlink_to(host / "secret.txt")
    result = publish_chart(cli, registry, chart)  # a real publish, not a dry run
    assert not registry_holds(registry, MARKER), "the host file's content reached the registry"
    error = assert_refused(
        result, "files/host.txt", "a symbolic link to a file outside the chart", ".helmignore"
    )
    assert "replace the link with the file's content" in error


@pytest.mark.registry
@pytest.mark.parametrize(
    ("name", "target", "phrase"),
    [
        ("linked-dir", "{host}", "a symbolic link to a directory outside the chart"),
        ("gone.txt", "{host}/no-such-file", "a symbolic link to nothing (dangling)"),
        ("values-copy.yaml", "../values.yaml", "a symbolic link to a file inside the chart"),
        ("templates-again", "../templates", "a symbolic link to a directory inside the chart"),
        ("escape.txt", "../../../host/secret.txt", "a symbolic link to a file outside the chart"),
        ("loop", "loop", "a symbolic link to nothing (dangling)"),
    ],
    ids=["linked-directory", "dangling", "inside-file", "inside-dir", "relative-escape", "loop"],
)
def test_every_symbolic_link_is_refused_in_a_dry_run(
    cli: CliRunner,
    registry: Registry,
    chart: Path,
    host: Path,
    *,
    name: str,
    target: str,
    phrase: str,
) -> None:
    (chart / "files" / name).symlink_to(target.format(host=host))
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert_refused(result, f"files/{name}", phrase, "or list it in .helmignore")


@pytest.mark.registry
def test_linked_helmignore_is_refused(
    cli: CliRunner, registry: Registry, chart: Path, host: Path
) -> None:
    (chart / ".helmignore").symlink_to(host / "secret.txt")
    result = publish_chart(cli, registry, chart, "--dry-run")
    error = assert_refused(result, ".helmignore", "a symbolic link", "the file's content")
    assert "leave it out" not in error


@pytest.mark.registry
def test_linked_chart_yaml_is_refused(
    cli: CliRunner, registry: Registry, chart: Path, host: Path
) -> None:
    lookalike = host / "Chart.yaml"
    lookalike.write_text(
        (chart / "Chart.yaml").read_text(encoding="utf-8").replace("red-team chart", MARKER),
        encoding="utf-8",
    )
    (chart / "Chart.yaml").unlink()
    (chart / "Chart.yaml").symlink_to(lookalike)
    result = publish_chart(cli, registry, chart, "--dry-run")
    error = assert_refused(result, "Chart.yaml", "a symbolic link", "the file's content")
    assert "leave it out" not in error  # a chart cannot do without its Chart.yaml


# -- special files ------------------------------------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    """A UNIX socket file; bound by a relative name, since socket paths are short."""
    cwd = Path.cwd()
    os.chdir(path.parent)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.bind(path.name)
    finally:
        os.chdir(cwd)


def _null_device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o644, os.makedev(1, 3))  # what /dev/null is
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")


@pytest.mark.registry
@pytest.mark.parametrize(
    ("make", "phrase"),
    [
        (_fifo, "a named pipe (FIFO)"),
        (_socket, "a socket"),
        (_null_device, "a character device"),
    ],
    ids=["fifo", "socket", "device"],
)
def test_special_files_are_refused(
    cli: CliRunner, registry: Registry, chart: Path, make: object, phrase: str
) -> None:
    assert callable(make)
    make(chart / "files" / "special")
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert_refused(result, "files/special", phrase, "remove it, or list it in .helmignore")


# -- .helmignore --------------------------------------------------------------------------------

IGNORES = "# left out of the package\nfiles/ignored-*\nlinked-dir/\n*.bak\n"


@pytest.mark.registry
def test_what_helmignore_leaves_out_is_neither_checked_nor_shipped(
    cli: CliRunner, registry: Registry, tmp_path: Path, host: Path
) -> None:
    clean = write_chart(tmp_path / "clean")
    (clean / ".helmignore").write_text(IGNORES, encoding="utf-8")
    dirty = write_chart(tmp_path / "dirty")
    (dirty / ".helmignore").write_text(IGNORES, encoding="utf-8")
    (dirty / "files" / "ignored-link").symlink_to(host / "secret.txt")
    _fifo(dirty / "files" / "ignored-fifo")
    _socket(dirty / "files" / "ignored-socket")
    (dirty / "linked-dir").symlink_to(host)  # a `dir/` rule matches a link to a directory
    (dirty / "notes.bak").write_text(MARKER, encoding="utf-8")
    shipped = publish_chart(cli, registry, dirty, "--dry-run")
    assert shipped.status == 0, shipped.err
    assert MARKER not in shipped.out + shipped.err
    assert shipped.sha256 == publish_chart(cli, registry, clean, "--dry-run").sha256


@pytest.mark.registry
def test_helmignore_pattern_helm_refuses_is_refused_with_its_line(
    cli: CliRunner, registry: Registry, chart: Path
) -> None:
    (chart / ".helmignore").write_text("*.bak\nfiles/**/x\n", encoding="utf-8")
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert result.status == 2, result.err
    assert ".helmignore line 2: files/**/x: '**' is not supported" in result.error


@pytest.mark.registry
@pytest.mark.slow(4)
def test_a_helmignore_built_to_stall_the_walk_is_stopped(
    cli: CliRunner, registry: Registry, chart: Path
) -> None:
    """Patterns that make each match compare hundreds of characters at every position: the
    walk's matching is bounded (about 3.5 s, 20 MiB, then refused), not hours."""
    for n in range(50):
        (chart / "files" / (f"{n:03d}" + "a" * 247)).write_text("x\n", encoding="utf-8")
    (chart / ".helmignore").write_text(("*" + "a" * 200 + "b*\n") * 315, encoding="utf-8")
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert result.status == 2, result.err
    assert "simplify the patterns" in result.error


# -- names that try to forge output ---------------------------------------------------------------


@pytest.mark.registry
@pytest.mark.parametrize(
    ("name", "escaped"),
    [
        ("evil\x1b[2J\r\n0 errors\x07", "evil\\x1b[2J\\r\\n0 errors\\x07"),
        (os.fsdecode(b"bad-\xff-byte"), "bad-\\xff-byte"),
        ("back\\slash\u2028x", "back\\slash\\u2028x"),
    ],
    ids=["control-characters", "not-utf8", "backslash-and-line-separator"],
)
def test_a_refused_name_is_escaped_on_one_line(
    cli: CliRunner, registry: Registry, chart: Path, host: Path, *, name: str, escaped: str
) -> None:
    (chart / "files" / name).symlink_to(host / "secret.txt")
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert_refused(result, f"files/{escaped}", "a symbolic link")
    for char in "\x1b\x07\r\u2028":
        assert char not in result.err, repr(result.err)
    assert not any(line.startswith("0 errors") for line in result.err.splitlines())
    assert f"files/{escaped}:" in json.loads(result.out)["error"]


# -- bounds -------------------------------------------------------------------------------------


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.truncate(size)


@pytest.mark.registry
def test_a_file_over_helms_limit_is_refused_with_its_path(
    cli: CliRunner, registry: Registry, chart: Path
) -> None:
    _sparse(chart / "files" / "big.bin", 5 * MIB + 1)
    result = publish_chart(cli, registry, chart, "--dry-run")
    error = assert_refused(result, "files/big.bin", "5,242,881 bytes", "5 MiB", ".helmignore")
    assert "regular files" not in error


@pytest.mark.registry
def test_a_chart_over_the_total_limit_is_refused(
    cli: CliRunner, registry: Registry, chart: Path
) -> None:
    for n in range(13):  # 13 x 5 MiB: every file within Helm's limit, together over 64 MiB
        _sparse(chart / "files" / f"part-{n:02d}.bin", 5 * MIB)
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert result.status == 2, result.err
    assert "over 64 MiB (at files/part-12.bin)" in result.error


@pytest.mark.registry
@pytest.mark.slow(1)
def test_a_chart_with_too_many_files_is_refused(
    cli: CliRunner, registry: Registry, chart: Path
) -> None:
    many = chart / "files" / "many"
    many.mkdir()
    for n in range(10_001):
        (many / f"{n:05d}").touch()
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert result.status == 2, result.err
    assert "over 10,000 files and directories" in result.error


@pytest.mark.registry
def test_deep_nesting_is_refused(cli: CliRunner, registry: Registry, chart: Path) -> None:
    deep = chart / "files"
    for _ in range(40):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "leaf.txt").write_text("x\n", encoding="utf-8")
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert result.status == 2, result.err
    assert "nested more than 32 levels deep" in result.error


# -- reproducible: same content, same digest ------------------------------------------------------


def _scramble(chart: Path, when: int) -> None:
    """Other modes, owners and times for the same content, as another checkout would have."""
    for path in sorted(chart.rglob("*"), reverse=True):
        path.chmod(0o700 if path.is_dir() else 0o755)
        if os.geteuid() == 0:
            os.chown(path, 1234, 5678)
        os.utime(path, (when, when))


@pytest.mark.registry
@pytest.mark.slow(3)
@pytest.mark.parametrize("major", [4, 3])
def test_two_checkouts_of_one_chart_publish_one_digest(
    cli: CliRunner, registry: Registry, tmp_path: Path, major: int
) -> None:
    helm = ensure_helm(major, quiet=True)
    first = write_chart(tmp_path / "a")
    second = write_chart(tmp_path / "b")
    for chart in (first, second):
        (chart / ".helmignore").write_text("*.bak\n", encoding="utf-8")
    (second / "local.bak").write_text("left out\n", encoding="utf-8")
    _scramble(first, 1_000_000_000)
    _scramble(second, 1_900_000_000)
    (first / "files").chmod(0o755)
    digests = {
        publish_chart(cli, registry, c, "--dry-run", helm=helm).sha256 for c in (first, second)
    }
    assert len(digests) == 1
    other = write_chart(tmp_path / "c", note="two")
    (other / ".helmignore").write_text("*.bak\n", encoding="utf-8")
    assert publish_chart(cli, registry, other, "--dry-run", helm=helm).sha256 not in digests


@pytest.mark.parametrize("major", [4, 3])
def test_archive_records_fixed_owners_modes_and_times(tmp_path: Path, major: int) -> None:
    """Helm 4 writes each header afresh (uid/gid 0, no user or group names, mode 0644, the
    file's time); Helm 3's archive is rewritten to the same. Running as root, a header copied
    from the file would name 'root', so empty names prove nothing is copied."""
    helm = ensure_helm(major, quiet=True)
    chart = write_chart(tmp_path / "src")
    _scramble(chart, 1_500_000_000)
    work = tmp_path / "work"
    work.mkdir()
    package = chart_package.package_chart(helm, chart, work, helm_env(work), None)
    with tarfile.open(package.archive) as tar:
        members = tar.getmembers()
    assert members
    for member in members:
        assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
        assert member.mode == 0o644 and member.isfile()
        assert member.mtime == chart_package.DEFAULT_EPOCH


# -- hard links: accepted, by decision ----------------------------------------------------------


@pytest.mark.registry
def test_hard_link_ships_the_bytes_at_its_chart_path(
    cli: CliRunner, registry: Registry, tmp_path: Path, host: Path
) -> None:
    """A hard link is the file itself (git commits these bytes, a reviewer sees them); where
    its other names are cannot be known, so it is packaged like any regular file."""
    linked = write_chart(tmp_path / "linked")
    os.link(host / "secret.txt", linked / "files" / "shared.txt")
    assert (linked / "files" / "shared.txt").stat().st_nlink == 2
    copied = write_chart(tmp_path / "copied")
    (copied / "files" / "shared.txt").write_bytes((host / "secret.txt").read_bytes())
    assert (
        publish_chart(cli, registry, linked, "--dry-run").sha256
        == publish_chart(cli, registry, copied, "--dry-run").sha256
    )


# -- .helmignore semantics, against Helm itself ------------------------------------------------

HELM_IGNORE_TABLE = [
    # Helm's own pkg/ignore/rules_test.go TestIgnore table: pattern, path, ignored.
    ("helm.txt", "helm.txt", True),
    ("helm.*", "helm.txt", True),
    ("helm.*", "rudder.txt", False),
    ("*.txt", "tiller.txt", True),
    ("*.txt", "cargo/a.txt", True),
    ("cargo/*.txt", "cargo/a.txt", True),
    ("cargo/*.*", "cargo/a.txt", True),
    ("cargo/*.txt", "mast/a.txt", False),
    ("ru[c-e]?er.txt", "rudder.txt", True),
    ("templates/.?*", "templates/.dotfile", True),
    (".*", ".", False),
    (".*", "./", False),
    (".*", ".joonix", True),
    (".*", "helm.txt", False),
    (".*", "", False),
    ("cargo/", "cargo", True),
    ("cargo/", "cargo/", True),
    ("cargo/", "mast/", False),
    ("helm.txt/", "helm.txt", False),
    ("!helm.txt", "helm.txt", False),
    ("!helm.txt", "tiller.txt", True),
    ("!*.txt", "cargo", True),
    ("!cargo/", "mast/", True),
    ("/a.txt", "a.txt", True),
    ("/a.txt", "cargo/a.txt", False),
    ("/cargo/a.txt", "cargo/a.txt", True),
]


@pytest.mark.parametrize(("pattern", "path", "ignored"), HELM_IGNORE_TABLE)
def test_ignore_rules_agree_with_helms_own_table(pattern: str, path: str, ignored: bool) -> None:
    rules = IgnoreRules([IgnoreRule.parse(pattern)])
    is_dir = path.rstrip("/") in ("cargo", "mast", ".")
    assert rules.ignores(path, is_dir) is ignored


@pytest.mark.parametrize("pattern", ["foo/**/bar", "[z-", "[]a]", "[^]", "[a-]", "x[a", "a\\"])
def test_patterns_helm_refuses_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match=r"not supported|syntax error"):
        IgnoreRule.parse(pattern)


TRICKY_IGNORE = (
    "\ufeff# a byte-order mark and a comment\n"
    "  *.bak  \r\n"
    "/top-only.txt\n"
    "docs/\n"
    "files/[a-c]?.txt\n"
    "files/[^x]x.md\n"
    "files/\\[lit\\].txt\n"
    "nested/*/drop.txt\n"
    "*~\n"
)
TRICKY_FILES = [
    "top-only.txt",
    "files/top-only.txt",
    "keep.bak.txt",
    "x.bak",
    "files/deep/y.bak",
    "docs/guide.md",
    "files/docs/kept.md",
    "files/a1.txt",
    "files/d1.txt",
    "files/ab.txt",
    "files/ax.md",
    "files/xx.md",
    "files/[lit].txt",
    "files/l.txt",
    "nested/one/drop.txt",
    "nested/one/two/drop.txt",
    "notes~",
    "templates/.hidden.yaml",
    "templates/.dotdir/x.yaml",
    "templates/kept.yaml",
]


@pytest.mark.parametrize("negation", ["", "!*.yaml\n"], ids=["plain", "negation"])
def test_staged_files_are_what_helm_itself_packages(tmp_path: Path, negation: str) -> None:
    """The same chart through ``helm package`` directly and through the staging copy: the same
    files (a negated rule, in Helm, leaves out every path it does not match)."""
    helm = ensure_helm(4, quiet=True)
    chart = write_chart(tmp_path / "src")
    (chart / ".helmignore").write_text(TRICKY_IGNORE + negation, encoding="utf-8")
    for name in TRICKY_FILES:
        (chart / name).parent.mkdir(parents=True, exist_ok=True)
        (chart / name).write_text(f"{name}\n", encoding="utf-8")
    result = run(helm, "package", str(chart), "--destination", str(tmp_path))
    assert result.returncode == 0, result.stderr
    with tarfile.open(tmp_path / "todo-dapr-0.1.0.tgz") as tar:
        by_helm = {name.removeprefix("todo-dapr/") for name in tar.getnames()}
    chart_package.stage_chart(chart, tmp_path / "staged")
    staged = {
        path.relative_to(tmp_path / "staged").as_posix()
        for path in (tmp_path / "staged").rglob("*")
        if path.is_file()
    }
    assert staged == by_helm
    if negation:
        assert staged == {"Chart.yaml", "values.yaml"}
    else:
        assert {"files/top-only.txt", "files/d1.txt", "files/l.txt", "files/xx.md"} <= staged
        left_out = {"top-only.txt", "files/a1.txt", "files/ax.md", "files/[lit].txt"}
        assert not left_out & staged
        assert not {"templates/.hidden.yaml", "nested/one/drop.txt", "notes~"} & staged


def test_staged_copy_has_fixed_modes(tmp_path: Path) -> None:
    chart = write_chart(tmp_path / "src")
    _scramble(chart, 1_234_567_890)
    chart_package.stage_chart(chart, tmp_path / "staged")
    modes = {
        path.relative_to(tmp_path).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in (tmp_path / "staged").rglob("*")
    }
    assert modes["staged/files"] == 0o755
    assert modes["staged/files/readme.txt"] == 0o644
    assert set(modes.values()) == {0o644, 0o755}


def test_a_regular_file_swapped_for_a_pipe_after_the_walk_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy opens each file without following links and without blocking, and checks it
    is the file the walk saw: a file replaced in between is refused, not read."""
    chart = write_chart(tmp_path / "src")
    walk_directory = chart_package.Walk.directory

    def then_swap(self: chart_package.Walk, fd: int, parts: tuple[str, ...]) -> None:
        walk_directory(self, fd, parts)
        if not parts:
            (chart / "files" / "readme.txt").unlink()
            os.mkfifo(chart / "files" / "readme.txt")

    monkeypatch.setattr(chart_package.Walk, "directory", then_swap)
    with pytest.raises(chart_package.ChartRefused, match="changed while being packaged"):
        chart_package.stage_chart(chart, tmp_path / "staged")


def test_package_via_publish_keeps_its_names(tmp_path: Path) -> None:
    """``tools.publish.packaging`` offers the packaging names, with its own error classes."""
    chart = write_chart(tmp_path / "src")
    (chart / "files" / "gone").symlink_to(tmp_path / "nowhere")
    work = tmp_path / "work"
    work.mkdir()
    helm = ensure_helm(4, quiet=True)
    with pytest.raises(PublishUsageError, match="dangling"):
        packaging.package_chart(helm, chart, work, helm_env(work), None)
    assert packaging.read_chart(chart) == ("todo-dapr", "0.1.0")
    assert callable(chart_package.normalize_archive) and packaging.Package.__name__ == "Package"


def test_the_gate_checks_the_packaged_copy_not_the_working_tree(
    registry: Registry, tmp_path: Path
) -> None:
    """The gate takes minutes; a template edited meanwhile must not be what it checks while
    the archive holds the version from before. It is handed the staged copy that was packaged."""
    chart = write_chart(tmp_path / "src")
    template = chart / "templates" / "cm.yaml"
    seen: list[tuple[Path, str]] = []

    def gate(staged: Path, deadline: Deadline) -> None:
        template.write_text('{{ fail "edited while the gate ran" }}\n', encoding="utf-8")
        seen.append((staged, (staged / "templates" / "cm.yaml").read_text(encoding="utf-8")))
        run_gate(staged, deadline)

    options = Options(
        chart=chart,
        registry=RegistryRef.parse(f"oci://{registry.host}/attack/{uuid.uuid4().hex}"),
        plain_http=True,
        dry_run=True,
    )
    outcome = pipeline.publish(options, helm=ensure_helm(4, quiet=True), gate=gate)
    assert outcome.status == "dry-run"
    ((staged, content),) = seen
    assert staged != chart
    assert "Release.Name" in content


def test_profiles_left_out_of_the_package_are_still_gated(
    cli: CliRunner, registry: Registry, tmp_path: Path
) -> None:
    """Many charts list ci/ in .helmignore: the profiles do not ship, but the gate must still
    render the shipped templates with each of them, or a profile that breaks the chart
    publishes anyway."""
    chart = write_chart(tmp_path / "src")
    (chart / "templates" / "guard.yaml").write_text(
        '{{- if .Values.bad }}{{ fail "profile bad breaks the chart" }}{{- end }}\n',
        encoding="utf-8",
    )
    (chart / "ci").mkdir()
    (chart / "ci" / "bad-values.yaml").write_text("bad: true\n", encoding="utf-8")
    (chart / ".helmignore").write_text("ci/\n", encoding="utf-8")
    result = publish_chart(cli, registry, chart, "--dry-run")
    assert result.status == 1, result.err
    assert "gate failed" in result.error
    assert "profile bad breaks the chart" in result.err
