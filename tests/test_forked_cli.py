"""The tests' forked ``python -m tools`` behaves as a fresh interpreter does (tests/forked_cli.py).

Each case runs once forked and once as a real subprocess, and the two must agree on exit status,
standard output and standard error.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import forked_cli
import pytest
from forked_cli import run_tools

BROKEN = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
spec:
  type: pubsub.kafka
  version: v1
  metadata:
  - name: brokers
    value: "a:9092"
"""


def both(
    monkeypatch: pytest.MonkeyPatch, *args: str, **kwargs: object
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    monkeypatch.delenv(forked_cli.FRESH_ENV, raising=False)
    forked = run_tools(*args, **kwargs)  # type: ignore[arg-type]
    with monkeypatch.context() as fresh:
        fresh.setenv(forked_cli.FRESH_ENV, "1")
        real = run_tools(*args, **kwargs)  # type: ignore[arg-type]
    return forked, real


def same(forked: subprocess.CompletedProcess[str], real: subprocess.CompletedProcess[str]) -> None:
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        real.returncode,
        real.stdout,
        real.stderr,
    )


@pytest.mark.parametrize(
    ("args", "status"),
    [(("--help",), 0), (("validate", "--bogus"), 2), (("validate", "no-such.yaml"), 2)],
)
def test_usage_and_help_match_a_fresh_interpreter(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], status: int
) -> None:
    forked, real = both(monkeypatch, *args)
    assert forked.returncode == status
    same(forked, real)


def test_findings_stdin_working_directory_and_environment_match(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "c.yaml").write_text(BROKEN, encoding="utf-8")
    # Found from the working directory: the config turns JSON output on.
    (tmp_path / ".todo-dapr.yaml").write_text("format: json\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    forked, real = both(monkeypatch, "validate", "c.yaml", cwd=tmp_path, env=env)
    assert forked.returncode == 1
    assert forked.stdout.lstrip().startswith("{")
    same(forked, real)
    forked, real = both(
        monkeypatch, "validate", "--format", "text", "-", input_text=BROKEN, env=env
    )
    assert "<stdin>" in forked.stdout
    same(forked, real)
    coloured = {**env, "FORCE_COLOR": "1"}
    forked, real = both(
        monkeypatch, "validate", "--format", "text", "-", input_text=BROKEN, env=coloured
    )
    assert "\033[" in forked.stdout
    same(forked, real)


def test_each_call_starts_from_its_own_environment(tmp_path: Path) -> None:
    """Nothing one call sets (environment, directory) reaches the next."""
    path = tmp_path / "c.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    coloured = run_tools("validate", str(path), env={**env, "FORCE_COLOR": "1"})
    plain = run_tools("validate", str(path), env=env)
    assert "\033[" in coloured.stdout
    assert "\033[" not in plain.stdout
    (tmp_path / ".todo-dapr.yaml").write_text("format: json\n", encoding="utf-8")
    in_project = run_tools("validate", "c.yaml", cwd=tmp_path, env=env)
    elsewhere = run_tools("validate", str(path), env=env)
    assert in_project.stdout.lstrip().startswith("{")
    assert not elsewhere.stdout.lstrip().startswith("{")


def _hanging_render(tmp_path: Path) -> tuple[tuple[str, ...], dict[str, str]]:
    """A call that waits: its helm never answers (a FIFO input is refused without waiting)."""
    helm = tmp_path / "helm"
    helm.write_text("#!/bin/sh\nexec sleep 10\n", encoding="utf-8")
    helm.chmod(0o755)
    args = ("render", "--profile", "dev", "--out", str(tmp_path / "out"))
    return args, {**os.environ, "HELM": str(helm)}


def test_a_call_that_hangs_times_out_and_the_next_one_runs(tmp_path: Path) -> None:
    args, env = _hanging_render(tmp_path)
    server = forked_cli._server()
    with pytest.raises(subprocess.TimeoutExpired):
        run_tools(*args, env=env, timeout=1)
    assert forked_cli._server() is server and server.alive()
    after = run_tools("--version")
    assert after.returncode == 0
    assert after.stdout.startswith("todo-dapr ")


class Interrupted(Exception):
    pass


def test_a_call_interrupted_half_way_leaves_the_next_calls_right(tmp_path: Path) -> None:
    """An exception while a call waits (a signal handler, say) must not let the next call read
    the abandoned call's replies."""
    args, env = _hanging_render(tmp_path)

    def interrupt(signum: int, frame: object) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        with pytest.raises(Interrupted):
            run_tools(*args, env=env, timeout=30)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    for args, status in ((("--version",), 0), (("validate", "--bogus"), 2)):
        result = run_tools(*args)
        assert result.returncode == status, result
        assert result.stdout or result.stderr


@pytest.mark.parametrize("reaped", [True, False], ids=["dead", "dying"])
def test_a_server_that_died_is_replaced(reaped: bool) -> None:
    """Dead before the call, or dying as the request goes out (the call never ran): either
    way the call runs in a new server."""
    process = forked_cli._server().process
    process.kill()
    if reaped:
        process.wait()
    result = run_tools("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("todo-dapr ")
    assert forked_cli._server().process.pid != process.pid


def test_what_a_subprocess_refuses_is_refused_alike(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run_tools("--version", cwd=tmp_path / "absent")
    with pytest.raises(ValueError):
        run_tools("--version", env={**os.environ, "BROKEN": "a\0b"})


def test_startup_variables_and_local_modules_send_the_call_to_a_fresh_interpreter(
    tmp_path: Path,
) -> None:
    server = forked_cli._server()
    env = dict(os.environ)
    assert server.can_run(env, forked_cli.ROOT)
    assert server.can_run(env, tmp_path)
    assert not server.can_run({**env, "PYTHONHASHSEED": "123"}, tmp_path)
    assert not server.can_run({**env, "PYTHONPATH": "/somewhere/else"}, tmp_path)
    # `python -m` would import a yaml.py found in the working directory before the real one.
    (tmp_path / "yaml.py").write_text("raise SystemExit('a local yaml module')\n")
    (tmp_path / "c.yaml").write_text(BROKEN, encoding="utf-8")
    assert not server.can_run(env, tmp_path)
    shadowed = run_tools("validate", "c.yaml", cwd=tmp_path)
    assert shadowed.returncode == 1
    assert "a local yaml module" in shadowed.stderr
    # Such a call still runs, as a real subprocess.
    result = run_tools("--help", env={**os.environ, "PYTHONHASHSEED": "123"})
    assert result.returncode == 0
    assert "validate" in result.stdout
