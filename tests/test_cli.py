"""The CLI contract (DESIGN §5): commands, exit statuses, formats, and no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from manifests import SPEC_CONFIGURATION

from tests.conftest import CHART, ROOT, CliRunner


def _no_traceback(result: object) -> None:
    stderr = getattr(result, "stderr", "")
    assert "Traceback" not in stderr, stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("render", "--help"),
        ("validate", "--help"),
        ("lint", "--help"),
        ("publish", "--help"),
        ("docs", "--help"),
        ("schemas", "import-crd", "--help"),
    ],
)
def test_help(cli: CliRunner, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("validate", "--bogus", "x.yaml"), "unrecognized arguments"),
        (("validate", "does/not/exist.yaml"), "no such file or directory"),
        (("validate",), "needs at least one PATH"),
        (("validate", "--select", "nonsense", "-"), "unknown rule or category"),
        (("validate", "--kube-version", "one.two", "-"), "not a Kubernetes version"),
        (("validate", "--kube-version", "1.40", "-"), "pass --kube-version"),
        (("render", "--kube-version", "1.9"), "pass --kube-version"),
        (("render", "--profile", "nope"), "profile 'nope' not found"),
        (("render", "-f", "missing-values.yaml"), "values file not found"),
        (("render", "--chart", "tools"), "no Chart.yaml"),
        ((), "usage:"),
    ],
)
def test_usage_problems_exit_2(cli: CliRunner, args: tuple[str, ...], needle: str) -> None:
    result = cli(*args, input_text="")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert needle in result.stderr
    _no_traceback(result)


def test_unreadable_path_exits_2(cli: CliRunner, tmp_path: Path) -> None:
    """A file that exists but cannot be read (even by root: /proc/self/mem gives EIO)."""
    link = tmp_path / "mem.yaml"
    link.symlink_to("/proc/self/mem")
    result = cli("validate", str(link))
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    _no_traceback(result)


def test_unreadable_directory_entry_exits_2(cli: CliRunner, tmp_path: Path) -> None:
    """A directory named like a YAML file cannot be read as one: exit 2, not a traceback."""
    (tmp_path / "dir.yaml").mkdir()
    result = cli("validate", str(tmp_path / "dir.yaml"))
    assert result.returncode == 2
    _no_traceback(result)


def test_validate_stdin_syntax_error(cli: CliRunner) -> None:
    result = cli("validate", "--format", "json", "-", input_text="kind: [oops\n")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    (finding,) = data["findings"]
    assert finding["rule"] == "yaml-syntax" and finding["file"] == "<stdin>"
    assert data["summary"]["errors"] == 1


def test_validate_spec_configuration_reports_logging_level(cli: CliRunner) -> None:
    result = cli("validate", "--format", "json", "-", input_text=SPEC_CONFIGURATION)
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    paths = {(f["category"], f["path"]) for f in findings}
    assert ("schema", "/spec/logging/level") in paths


def test_select_and_ignore(cli: CliRunner) -> None:
    only_syntax = cli("validate", "--select", "syntax", "-", input_text=SPEC_CONFIGURATION)
    assert only_syntax.returncode == 0, only_syntax.stdout
    ignored = cli(
        "validate", "--ignore", "schema", "--format", "json", "-", input_text=SPEC_CONFIGURATION
    )
    assert all(f["category"] != "schema" for f in json.loads(ignored.stdout)["findings"])


def test_suppression_is_reported_not_dropped(cli: CliRunner) -> None:
    suppressed = SPEC_CONFIGURATION.replace(
        "  name: dapr-config\n",
        "  name: dapr-config\n"
        "  annotations:\n"
        '    todo-dapr.io/ignore: "schema=tracked in TICKET-1"\n',
    )
    result = cli("validate", "--format", "json", "--select", "schema", "-", input_text=suppressed)
    data = json.loads(result.stdout)
    assert result.returncode == 0, data
    assert data["findings"], "the suppressed finding must still be listed"
    assert all(f["suppressed"] == "tracked in TICKET-1" for f in data["findings"])
    assert data["summary"]["suppressed"] == len(data["findings"])


def test_list_rules(cli: CliRunner) -> None:
    result = cli("validate", "--list-rules")
    assert result.returncode == 0
    assert "yaml-syntax" in result.stdout
    renamed = [line for line in result.stdout.splitlines() if line.startswith("schema-crd ")]
    assert renamed and renamed[0].endswith("(formerly crd-schema)")
    # When a rule's severity depends on the case, the line says when.
    (required,) = [line for line in result.stdout.splitlines() if "dapr-required-metadata" in line]
    assert "[severity: error when the component's Init refuses it" in required
    assert "warning when only its metadata.yaml says so]" in required
    (spec,) = [line for line in result.stdout.splitlines() if "kubernetes-workload-spec" in line]
    assert "[severity: error; warning for a StatefulSet" in spec


@pytest.mark.slow(2)
def test_render_every_profile(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "rendered"
    result = cli("render", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    profiles = sorted(
        p.name.removesuffix("-values.yaml") for p in (CHART / "ci").glob("*-values.yaml")
    )
    assert sorted(p.stem for p in out.glob("*.yaml")) == profiles
    for name in profiles:
        assert any(
            line.startswith(name) and "resources" in line for line in result.stdout.splitlines()
        )
        docs = [d for d in yaml.safe_load_all((out / f"{name}.yaml").read_text()) if d]
        assert any(d["kind"] == "Component" for d in docs)
    # Each release's profile is judged against the release its values name, and is clean.
    for release in ("1.16", "1.17", "1.18"):
        tag = release.replace(".", "")
        assert any(
            line.startswith(f"dapr{tag} ") and f"Dapr {release}" in line and " 0 errors" in line
            for line in result.stdout.splitlines()
        ), result.stdout


def test_render_user_values_with_a_typo_names_the_path(cli: CliRunner, tmp_path: Path) -> None:
    values = tmp_path / "mine.yaml"
    values.write_text("networkPolicy:\n  enabeld: true\n")
    result = cli("render", "-f", str(values), "--out", str(tmp_path / "o"), "--format", "json")
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["rule"] == "helm-render"
    assert finding["file"] == str(values)
    assert "enabeld" in finding["message"]
    _no_traceback(result)


def test_render_user_values_clean(cli: CliRunner, tmp_path: Path) -> None:
    values = tmp_path / "mine-values.yaml"
    values.write_text("{}\n")
    result = cli("render", "-f", str(values), "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "o" / "mine.yaml").is_file()


def test_quiet_prints_findings_only(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC_CONFIGURATION)
    result = cli("validate", "-q", "--no-config", str(bad))
    assert result.returncode == 1
    assert result.stderr == ""
    assert str(bad) in result.stdout and "/spec/logging/level" in result.stdout
    assert "error" in result.stdout.splitlines()[1]
    assert " errors, " not in result.stdout and " error, " not in result.stdout, result.stdout
    clean = tmp_path / "clean.yaml"
    clean.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    quiet_clean = cli("validate", "-q", "--no-config", str(clean))
    assert (quiet_clean.returncode, quiet_clean.stdout, quiet_clean.stderr) == (0, "", "")


def _many_findings(tmp_path: Path) -> Path:
    """A file whose report is far larger than a pipe's buffer, whatever the format."""
    manifest = tmp_path / "many.yaml"
    manifest.write_text(
        "".join(
            f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm{i}}}\ndata: 5\n"
            for i in range(1500)
        )
    )
    return manifest


def _with_stdout_closed(
    helm4: Path, *args: str, read: int = 0, timeout: float = 120, unbuffered: bool = False
) -> tuple[int, str]:
    """Run the CLI with stdout on a real pipe whose reader goes away after ``read`` bytes
    (buffered, as a user's shell runs it, unless ``unbuffered``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = "1"
    process = subprocess.Popen(
        [sys.executable, "-m", "tools", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**env, "HELM": str(helm4), "NO_COLOR": "1"},
    )
    assert process.stdout is not None
    if read:
        assert len(process.stdout.read(read)) == read
    process.stdout.close()
    process.stdout = None
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, stderr.decode(errors="replace")


@pytest.mark.parametrize("unbuffered", [False, True])
def test_closed_pipe_after_list_rules_ends_quietly(helm4: Path, unbuffered: bool) -> None:
    assert _with_stdout_closed(helm4, "validate", "--list-rules", unbuffered=unbuffered) == (0, "")
    assert _with_stdout_closed(helm4, "--help", unbuffered=unbuffered) == (0, "")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github"])
def test_closed_pipe_keeps_the_findings_status(helm4: Path, tmp_path: Path, fmt: str) -> None:
    manifest = _many_findings(tmp_path)
    status, stderr = _with_stdout_closed(
        helm4, "validate", "--no-config", "--format", fmt, str(manifest), read=16
    )
    assert (status, stderr) == (1, "")


@pytest.mark.slow(2)
def test_closed_pipe_during_render_ends_quietly(helm4: Path, tmp_path: Path) -> None:
    status, stderr = _with_stdout_closed(
        helm4, "render", "--profile", "dev", "--out", str(tmp_path / "out")
    )
    assert (status, stderr) == (0, "")
    assert (tmp_path / "out" / "dev.yaml").is_file()


def _with_streams_closed(
    helm4: Path, redirect: str, *args: str
) -> subprocess.CompletedProcess[bytes]:
    """``python -m tools ARGS`` started with a standard stream closed (``>&-``, ``2>&-``) by
    a real shell; the other streams go to pipes."""
    env = {**os.environ, "HELM": str(helm4), "NO_COLOR": "1"}
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-m", "tools", *args],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("redirect", [">&-", "2>&-", ">&- 2>&-"])
def test_a_closed_stream_keeps_the_findings_status(
    helm4: Path, tmp_path: Path, redirect: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC_CONFIGURATION)
    result = _with_streams_closed(helm4, redirect, "validate", "--no-config", str(bad))
    assert result.returncode == 1, result.stderr
    assert b"error" not in result.stderr, result.stderr
    if redirect == "2>&-":
        assert b"/spec/logging/level" in result.stdout
    else:
        assert result.stdout == b""
    report = tmp_path / "report.json"
    written = _with_streams_closed(
        helm4, redirect, "validate", "--no-config", "--format", "json", "-o", str(report), str(bad)
    )
    assert written.returncode == 1, written.stderr
    assert json.loads(report.read_text())["summary"]["errors"] >= 1


def test_a_closed_stderr_keeps_usage_errors_off_stdout(helm4: Path) -> None:
    result = _with_streams_closed(helm4, "2>&-", "validate", "--no-config", "missing.yaml")
    assert (result.returncode, result.stdout) == (2, b"")


FORGED = "evil\x1b[2J\r\n0 errors  FAKE"


def _chart_with_profile(tmp_path: Path, name: str) -> Path:
    import shutil

    chart = tmp_path / "chart" / "todo-dapr"
    shutil.copytree(CHART, chart, ignore=shutil.ignore_patterns("ci"))
    (chart / "ci").mkdir()
    shutil.copy(CHART / "ci" / "dev-values.yaml", chart / "ci" / f"{name}-values.yaml")
    return chart


def _no_forged_line(output: str) -> None:
    assert "\x1b" not in output and "\r" not in output, output
    assert not any(line.startswith("0 errors  FAKE") for line in output.splitlines()), output


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_render_summary_escapes_a_profile_name(cli: CliRunner, tmp_path: Path, fmt: str) -> None:
    chart = _chart_with_profile(tmp_path, FORGED)
    result = cli(
        "render", "-v", "--chart", str(chart), "--out", str(tmp_path / "out"), "--format", fmt
    )
    assert result.returncode == 0, result.stderr
    _no_forged_line(result.stdout)
    _no_forged_line(result.stderr)
    summary = result.stdout if fmt == "text" else result.stderr
    assert "evil\\x1b[2J\\r\\n0 errors  FAKE" in summary, summary
    assert (tmp_path / "out" / f"{FORGED}.yaml").is_file(), "the file keeps the real name"


def test_verbose_messages_escape_a_schema_dir(cli: CliRunner, tmp_path: Path) -> None:
    schemas = tmp_path / "sd\ninjected line"
    schemas.mkdir()
    result = cli("validate", "-v", "--no-config", "--schema-dir", str(schemas), "-", input_text="")
    assert result.returncode == 0, result.stderr
    assert not any(line.startswith("injected") for line in result.stderr.splitlines())
    assert "sd\\ninjected line" in result.stderr


def test_a_failed_render_of_a_hostile_chart_path_prints_nothing_raw(
    cli: CliRunner, tmp_path: Path
) -> None:
    import shutil

    chart = tmp_path / "ch\x1b]0;PWNED\x07" / "todo-dapr"
    shutil.copytree(CHART, chart)
    values = tmp_path / "bad-values.yaml"
    values.write_text("networkPolicy:\n  enabeld: true\n")
    result = cli("render", "--chart", str(chart), "-f", str(values), "--out", str(tmp_path / "o"))
    assert result.returncode == 1, result.stderr
    for output in (result.stdout, result.stderr):
        assert "\x1b" not in output and "\x07" not in output, output
    assert "enabeld" in result.stdout


def _report_to(cli: CliRunner, tmp_path: Path, output: str) -> subprocess.CompletedProcess[str]:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC_CONFIGURATION)
    return cli("validate", "--no-config", "--format", "json", "-o", output, str(bad))


def test_output_never_replaces_a_symlink_or_a_fifo(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_text("kept\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    for path, what in ((link, "symbolic link"), (dangling, "symbolic link"), (fifo, "FIFO")):
        result = _report_to(cli, tmp_path, str(path))
        assert result.returncode == 2, (path, result.stderr)
        line = result.stderr.strip()
        assert "\n" not in line and str(path) in line and what in line, line
    assert link.is_symlink() and dangling.is_symlink() and target.read_text() == "kept\n"
    assert not (tmp_path / "nowhere.json").exists()
    assert fifo.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["bad.yaml", "target.json", "link.json", "dangling.json", "fifo.json"]
    ), "no temporary file left behind"


def _as_nobody(
    helm4: Path, *args: str, stdout: int | object = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    """``python -m tools validate --no-config ARGS FILE`` with FILE a manifest with findings,
    run as an unprivileged user when the tests run as root: these calls name system device
    paths, and a regression that replaced one must fail, not replace it."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch).chmod(0o755)
        bad = Path(scratch) / "bad.yaml"
        bad.write_text(SPEC_CONFIGURATION)
        bad.chmod(0o644)
        drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        command = [sys.executable, "-m", "tools", "validate", "--no-config", *args, str(bad)]
        return subprocess.run(
            [*drop, *command] if os.geteuid() == 0 else command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "HELM": str(helm4), "NO_COLOR": "1"},
            timeout=60,
            check=False,
        )


def test_output_never_replaces_a_device_node(helm4: Path) -> None:
    result = _as_nobody(helm4, "-o", "/dev/full")
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "/dev/full" in line and "character device" in line, line


def test_output_to_the_standard_streams_and_dev_null(helm4: Path) -> None:
    to_stdout = _as_nobody(helm4, "--format", "json", "-o", "/dev/stdout")
    assert to_stdout.returncode == 1, to_stdout.stderr
    assert json.loads(to_stdout.stdout)["summary"]["errors"] >= 1
    to_stderr = _as_nobody(helm4, "--format", "json", "-o", "/dev/stderr")
    assert to_stderr.returncode == 1 and to_stderr.stdout == ""
    assert json.loads(to_stderr.stderr)["summary"]["errors"] >= 1
    to_null = _as_nobody(helm4, "-o", "/dev/null")
    assert (to_null.returncode, to_null.stdout, to_null.stderr) == (1, "", "")


def test_output_to_a_full_device_is_a_clear_error(helm4: Path) -> None:
    with Path("/dev/full").open("w") as full:
        result = _as_nobody(helm4, "-o", "/dev/stdout", stdout=full)
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip()
    assert "\n" not in line and "/dev/stdout" in line and "No space left" in line, line
