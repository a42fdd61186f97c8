"""Hostile input through the real CLI: every read is bounded, nothing blocks, nothing is lost.

Devices, FIFOs, endless or huge streams, sparse multi-gigabyte files named as values, config or
schema files, symlink loops, nesting and duplicate-key tricks. The calls that could grow without
bound run as plain processes under an address-space limit (so a regression fails the test
instead of exhausting the machine), and their peak resident size is read back from ``wait4``.

The peak is measured by a small launcher that forks the CLI itself: Linux starts a child's peak
at its parent's resident size, and even ``exec`` keeps it, so a CLI forked straight from the
test process would report at least the test process's size.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest
from peak_memory import launched, read_report

from tests.conftest import ROOT, CliRunner
from tools.core.resources import MAX_DOCUMENTS, MAX_FILE_BYTES

# A safety net, not the figure under test: a regression dies of MemoryError at this size.
ADDRESS_SPACE_KB = 1536 * 1024
# The figure under test: flat peak memory, whatever the size of the input.
PEAK_RSS_KB = 200 * 1024
SPARSE_BYTES = 3 * 1024**3

FLOOD_LIMIT = MAX_DOCUMENTS // 10
LOWERED_LIMIT = (
    "import sys, tools.core.resources as r; "
    f"r.MAX_DOCUMENTS = {FLOOD_LIMIT}; "
    "from tools.cli.main import main; sys.exit(main(sys.argv[1:]))"
)


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_kb: int
    seconds: float


def _tools(
    args: Sequence[str],
    *,
    stdin: int | IO[bytes] = subprocess.DEVNULL,
    cwd: Path = ROOT,
    timeout: float = 60,
    entry: Sequence[str] = ("-m", "tools"),
) -> Run:
    """``python -m tools ARGS`` as its own process, bounded in memory and time (``entry``
    replaces ``-m tools``)."""
    env = {**os.environ, "NO_COLOR": "1"}
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch) / "report"
        command = launched([sys.executable, *entry, *args], report, ADDRESS_SPACE_KB * 1024)
        started = time.monotonic()
        process = subprocess.Popen(
            command, stdin=stdin, stdout=out, stderr=err, cwd=cwd, env=env, start_new_session=True
        )
        timer = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))
        timer.start()
        try:
            process.wait()
        finally:
            timer.cancel()
        seconds = time.monotonic() - started
        assert seconds < timeout, f"python -m tools {' '.join(args)} was killed after {timeout}s"
        status, peak = read_report(report)
        out.seek(0)
        err.seek(0)
        return Run(
            int(status),
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            int(peak),
            seconds,
        )


def _sparse(path: Path, size: int = SPARSE_BYTES) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def _no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr


def _usage_error_naming(run: Run, path: Path | str, *words: str) -> None:
    assert run.returncode == 2, (run.stdout, run.stderr)
    _no_traceback(run.stderr)
    line = run.stderr.strip()
    assert "\n" not in line, "one line"
    assert str(path) in line
    for word in words:
        assert word in line, line


def test_a_character_device_is_refused_by_name() -> None:
    run = _tools(["validate", "--no-config", "/dev/zero"], timeout=30)
    _usage_error_naming(run, "/dev/zero", "character device", "not a regular file")
    assert run.peak_rss_kb < PEAK_RSS_KB


def test_a_symlink_to_a_device_is_refused_by_its_name(tmp_path: Path) -> None:
    link = tmp_path / "zero.yaml"
    link.symlink_to("/dev/zero")
    run = _tools(["validate", "--no-config", str(link)], timeout=30)
    _usage_error_naming(run, link, "character device")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    run = _tools(["validate", "--no-config", str(fifo)], timeout=20)
    _usage_error_naming(run, fifo, "FIFO")


def test_endless_stdin_is_read_up_to_the_cap_only() -> None:
    with subprocess.Popen(["yes", "key: value"], stdout=subprocess.PIPE) as endless:
        assert endless.stdout is not None
        try:
            run = _tools(
                ["validate", "--no-config", "--format", "json", "-"],
                stdin=endless.stdout,
                timeout=60,
            )
        finally:
            endless.kill()
    assert run.returncode == 1, run.stderr
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["rule"] == "input-too-large" and finding["file"] == "<stdin>"
    assert f"over the {MAX_FILE_BYTES}-byte limit" in finding["message"]
    assert run.peak_rss_kb < PEAK_RSS_KB, run


def test_a_file_over_the_cap_is_not_read_whole(tmp_path: Path) -> None:
    big = _sparse(tmp_path / "big.yaml", 70 * 1024 * 1024)
    run = _tools(["validate", "--no-config", "--format", "json", str(big)])
    assert run.returncode == 1, run.stderr
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["rule"] == "input-too-large"
    # 70 MB read whole would show in the peak; the size alone decides.
    assert run.peak_rss_kb < 64 * 1024, run


def test_many_files_under_the_cap_are_bounded_in_total(tmp_path: Path) -> None:
    for index in range(6):
        _sparse(tmp_path / f"part{index}.yaml", 60 * 1024 * 1024)
    run = _tools(["validate", "--no-config", str(tmp_path)])
    _usage_error_naming(run, tmp_path, "bytes in total")
    assert run.peak_rss_kb < PEAK_RSS_KB, run


def test_a_directory_walk_skips_loops_and_special_files(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tree / "sub" / "up").symlink_to("..")
    (tree / "loop.yaml").symlink_to(".")
    (tree / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(tree / "pipe.yaml")
    run = _tools(["validate", "--no-config", "--format", "json", str(tree)], timeout=30)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)["summary"]
    assert (summary["files"], summary["resources"]) == (1, 1)


def test_a_stream_of_empty_lines_under_the_cap_stays_flat(tmp_path: Path) -> None:
    """60 MB of line breaks and separators: lines are counted, never built one by one."""
    bomb = tmp_path / "lines.yaml"
    with bomb.open("w") as handle:
        handle.write("\n" * 40_000_000)
        handle.write("---\n" * 5_000_000)
    run = _tools(["validate", "--no-config", "--format", "json", str(bomb)], timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["summary"]["resources"] == 0
    assert run.peak_rss_kb < PEAK_RSS_KB, run


@pytest.mark.slow(3)
def test_a_flood_of_tiny_documents_stops_at_the_document_limit(tmp_path: Path) -> None:
    flood = tmp_path / "flood.yaml"
    """The real CLI with the limit lowered to a tenth (the shipped one, MAX_DOCUMENTS, takes
    ten seconds to reach): the mechanism is what is under test."""
    flood.write_text("---\na: 1\n" * (FLOOD_LIMIT + 5000))
    args = ["validate", "--no-config", "--format", "json", str(flood)]
    run = _tools(args, timeout=60, entry=("-c", LOWERED_LIMIT))
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    assert data["summary"]["resources"] == FLOOD_LIMIT
    (limit,) = [f for f in data["findings"] if f["rule"] == "input-too-large"]
    assert f"over {FLOOD_LIMIT} documents" in limit["message"]
    assert limit["line"] == 2 * FLOOD_LIMIT + 2
    assert run.peak_rss_kb < 2 * PEAK_RSS_KB, run


def test_a_deep_nesting_bomb_is_a_finding(tmp_path: Path) -> None:
    bomb = tmp_path / "nest.yaml"
    bomb.write_text("apiVersion: v1\nkind: ConfigMap\ndata: " + "[" * 200_000 + "]" * 200_000)
    run = _tools(["validate", "--no-config", "--format", "json", str(bomb)], timeout=30)
    assert run.returncode == 1, run.stderr
    _no_traceback(run.stderr)
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["rule"] == "yaml-syntax"


def test_a_values_file_that_is_a_device_is_refused_by_name() -> None:
    run = _tools(["render", "-f", "/dev/zero", "--out", "build/never"], timeout=30)
    _usage_error_naming(run, "/dev/zero", "character device")


def test_a_huge_values_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    values = _sparse(tmp_path / "huge-values.yaml")
    run = _tools(["render", "-f", str(values), "--out", str(tmp_path / "out")], timeout=30)
    _usage_error_naming(run, values, "over the")
    assert run.peak_rss_kb < PEAK_RSS_KB, run


def test_a_huge_config_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    config = _sparse(tmp_path / ".todo-dapr.yaml")
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    run = _tools(["validate", str(manifest)], cwd=tmp_path, timeout=30)
    _usage_error_naming(run, config, "over the")
    assert run.peak_rss_kb < PEAK_RSS_KB, run


def test_a_config_file_that_is_a_device_is_refused_by_name() -> None:
    run = _tools(["validate", "--config", "/dev/zero", "-"], timeout=30)
    _usage_error_naming(run, "/dev/zero", "character device")


def test_a_huge_schema_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    (schemas / "example.com").mkdir(parents=True)
    schema = _sparse(schemas / "example.com" / "widget_v1.json")
    manifest = tmp_path / "widget.yaml"
    manifest.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n")
    run = _tools(
        ["validate", "--no-config", "--format", "json", "--schema-dir", str(schemas), str(manifest)]
    )
    assert run.returncode == 1, run.stderr
    _no_traceback(run.stderr)
    (finding,) = json.loads(run.stdout)["findings"]
    assert finding["rule"] == "schema-crd"
    assert str(schema) in finding["message"] and "over the" in finding["message"]
    assert run.peak_rss_kb < PEAK_RSS_KB, run


DUPLICATES = """\
apiVersion: v1
kind: Secret
metadata:
  name: creds
  labels:
    app: one
    tier: web
    app: two
type: Opaque
kind: ConfigMap
data:
  nested:
    - name: x
      name: y
"""


def _duplicate_findings(cli: CliRunner, text: str) -> list[dict[str, object]]:
    result = cli("validate", "--no-config", "--format", "json", "-", input_text=text)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    return [f for f in findings if f["rule"] == "yaml-duplicate-key"]


def test_duplicate_keys_at_every_depth_name_both_lines(cli: CliRunner) -> None:
    found = {f["path"]: f for f in _duplicate_findings(cli, DUPLICATES)}
    assert set(found) == {"/kind", "/metadata/labels/app", "/data/nested/0/name"}
    for path, first, again in (
        ("/kind", 2, 10),
        ("/metadata/labels/app", 6, 8),
        ("/data/nested/0/name", 13, 14),
    ):
        finding = found[path]
        assert finding["severity"] == "error" and finding["category"] == "syntax"
        assert finding["line"] == again
        message = str(finding["message"])
        assert f"line {first}" in message and f"line {again}" in message, message
    assert '"kind"' in str(found["/kind"]["message"])


def test_duplicate_keys_in_a_tagged_document(cli: CliRunner) -> None:
    """A document with an explicit tag goes through PyYAML's own constructor instead."""
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  k: !!str 1\n  k: b\n"
    (finding,) = _duplicate_findings(cli, text)
    assert finding["path"] == "/data/k" and finding["line"] == 6
    assert "line 5" in str(finding["message"])


def test_a_flow_mapping_typo_in_a_secret_is_a_duplicate_key(cli: CliRunner) -> None:
    """``{password:VALUE}`` is one key (no space after the colon); written twice it is a
    duplicate. The redaction of that key is tested with the redaction rules."""
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
        "stringData: {password:hunter2-typo,\n  password:hunter2-typo}\n"
    )
    (finding,) = _duplicate_findings(cli, text)
    assert finding["line"] == 5
    assert "line 4" in str(finding["message"]) and "line 5" in str(finding["message"])


# Each standard tag with a value it cannot build, as a Secret value: (tag, value). The values
# differ, so that a leak names its tag; !!binary's holds characters base64 skips and a length
# it refuses, !!merge/!!value/!!yaml have no constructor at all.
BAD_TAGS = (
    ("!!bool", "hunter2-bool"),
    ("!!int", "hunter2-int"),
    ("!!float", "hunter2-float"),
    ("!!timestamp", "hunter2-timestamp"),
    ("!!timestamp", "2026-13-45"),
    ("!!binary", "hunter2.binary.pw"),
    ("!!omap", "hunter2-omap"),
    ("!!pairs", "hunter2-pairs"),
    ("!!set", "hunter2-set"),
    ("!!seq", "hunter2-seq"),
    ("!!map", "hunter2-map"),
    ("!!merge", "hunter2-merge"),
    ("!!value", "hunter2-value"),
    ("!!yaml", "hunter2-yaml"),
    ("!!int", "9" * 5000),
)
ALL_FORMATS = ("text", "json", "sarif", "junit", "github")


def _tagged_secrets() -> tuple[str, dict[int, str]]:
    """One Secret per bad tag (the last one's bad value is a key), then a ConfigMap with an
    error of its own; the line of each tagged value -> its tag."""
    docs: list[str] = []
    lines: dict[int, str] = {}
    line = 1
    for number, (tag, value) in enumerate(BAD_TAGS):
        entry = (
            f"  ? {tag} {value}\n  : x\n"
            if number == len(BAD_TAGS) - 1
            else (f"  password: {tag} {value}\n")
        )
        docs.append(
            f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s{number}}}\nstringData:\n{entry}"
        )
        lines[line + 4] = tag
        line += docs[-1].count("\n") + 1
    docs.append("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: after}\ndata: 5\n")
    return "---\n".join(docs), lines


def test_a_value_its_tag_cannot_build_is_a_finding_without_the_value(
    cli: CliRunner, tmp_path: Path
) -> None:
    text, lines = _tagged_secrets()
    tagged = tmp_path / "tagged.yaml"
    tagged.write_text(text)
    other = tmp_path / "other.yaml"
    other.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: 6\n")
    for fmt in ALL_FORMATS:
        result = cli("validate", "--no-config", "--format", fmt, str(tagged), str(other))
        assert result.returncode == 1, (fmt, result.stderr)
        _no_traceback(result.stderr)
        for _, value in BAD_TAGS:
            assert value not in result.stdout + result.stderr, (fmt, value)
    data = json.loads(
        cli("validate", "--no-config", "--format", "json", str(tagged), str(other)).stdout
    )
    syntax = {f["line"]: f["message"] for f in data["findings"] if f["rule"] == "yaml-syntax"}
    assert set(syntax) == set(lines)
    for line, tag in lines.items():
        assert f"tagged {tag} on line {line}" in syntax[line], syntax[line]
    # The documents and files after them are still checked.
    checked = {(f["file"], f["resource"]["name"]) for f in data["findings"] if f["resource"]}
    assert {(str(tagged), "after"), (str(other), "other")} <= checked


def test_keys_are_compared_as_the_api_servers_json_keys(cli: CliRunner) -> None:
    """sigs.k8s.io/yaml turns every key into a JSON string: 1 and "1" are one key, true and
    "true" another, and Python's True == 1 merges nothing."""
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n"
        '  1: a\n  "1": b\n  true: c\n  "true": d\n  1.0: e\n  2.50: f\n  "2.5": g\n'
    )
    found = {f["path"]: f for f in _duplicate_findings(cli, text)}
    assert set(found) == {"/data/1", "/data/true", "/data/1.0", "/data/2.5"}
    for path, first, again in (
        ("/data/1", 5, 6),
        ("/data/true", 7, 8),
        ("/data/1.0", 5, 9),
        ("/data/2.5", 10, 11),
    ):
        assert found[path]["line"] == again
        assert f"first on line {first}, again on line {again}" in str(found[path]["message"])


def test_the_last_value_of_a_json_key_is_the_one_checked(cli: CliRunner) -> None:
    """1: then true: are two keys (not Python's one): each keeps its last value, and the
    rules see the keys as strings."""
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n"
        '  1: a\n  true: c\n  "1": "b\\x1b"\n'
    )
    result = cli("validate", "--no-config", "--format", "json", "-", input_text=text)
    findings = json.loads(result.stdout)["findings"]
    rules = sorted(f["rule"] for f in findings)
    assert rules == ["yaml-duplicate-key"], findings
    assert findings[0]["path"] == "/data/1" and findings[0]["line"] == 7


def test_a_bad_tagged_value_in_a_values_file_is_not_printed(cli: CliRunner, tmp_path: Path) -> None:
    values = tmp_path / "tagged-values.yaml"
    values.write_text("networkPolicy:\n  enabled: !!bool hunter2-values\n")
    result = cli("render", "-f", str(values), "--out", str(tmp_path / "out"), "--format", "json")
    assert result.returncode == 1, result.stderr
    assert "hunter2-values" not in result.stdout + result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert f"{values}:2:" in finding["message"] and "!!bool" in finding["message"]


KMSG = Path("/proc/kmsg")


def _kmsg_opens() -> bool:
    try:
        os.close(os.open(KMSG, os.O_RDONLY | os.O_NONBLOCK))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _kmsg_opens(), reason="/proc/kmsg cannot be opened here (needs root)")
def test_a_pseudo_file_that_waits_for_data_is_refused_not_waited_for(tmp_path: Path) -> None:
    """/proc/kmsg says it is a regular file, and a blocking read of it waits for the next
    kernel message, forever. Named, or met in a directory, it is refused by name."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    (tree / "log.yaml").symlink_to(KMSG)
    for named, shown in ((KMSG, KMSG), (tree, tree / "log.yaml")):
        run = _tools(["validate", "--no-config", str(named)], timeout=20)
        _usage_error_naming(run, shown, "would wait")


def test_a_file_read_past_the_deadline_is_refused_by_name(tmp_path: Path) -> None:
    """The real CLI with the per-file read deadline already past: the mechanism is what is
    under test (a slow network file system is not at hand)."""
    manifest = tmp_path / "cm.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    late = (
        "import sys, tools.core.bounded_read as b; b.READ_DEADLINE_SECONDS = -1.0; "
        "from tools.cli.main import main; sys.exit(main(sys.argv[1:]))"
    )
    run = _tools(["validate", "--no-config", str(manifest)], timeout=30, entry=("-c", late))
    _usage_error_naming(run, manifest, "took over")


def test_render_never_writes_through_a_fifo_or_a_symlink_in_the_out_directory(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "dev.yaml")
    run = _tools(["render", "--profile", "dev", "--out", str(out)], timeout=60)
    _usage_error_naming(run, out / "dev.yaml", "FIFO", "never replaced")
    assert (out / "dev.yaml").is_fifo()
    (out / "dev.yaml").unlink()
    outside = tmp_path / "outside.txt"
    outside.write_text("kept\n")
    (out / "dev.yaml").symlink_to(outside)
    run = _tools(["render", "--profile", "dev", "--out", str(out)], timeout=60)
    _usage_error_naming(run, out / "dev.yaml", "symbolic link")
    assert outside.read_text() == "kept\n" and (out / "dev.yaml").is_symlink()
