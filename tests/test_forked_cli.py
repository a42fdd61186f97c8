"""The tests' forked ``python -m tools`` behaves as a fresh interpreter does (tests/forked_cli.py).

Each case runs once forked and once as a real subprocess, and the two must agree on exit status,
standard output and standard error.
"""

from __future__ import annotations

import os
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


def test_a_call_that_hangs_times_out_and_the_next_one_runs(tmp_path: Path) -> None:
    fifo = tmp_path / "never-written.yaml"
    os.mkfifo(fifo)
    with pytest.raises(subprocess.TimeoutExpired):
        run_tools("validate", str(fifo), timeout=1)
    assert run_tools("--help").returncode == 0


def test_startup_variables_send_the_call_to_a_fresh_interpreter() -> None:
    server = forked_cli._server()
    assert server.can_run(dict(os.environ))
    assert not server.can_run({**os.environ, "PYTHONHASHSEED": "123"})
    assert not server.can_run({**os.environ, "PYTHONPATH": "/somewhere/else"})
    # Such a call still runs, as a real subprocess.
    result = run_tools("--help", env={**os.environ, "PYTHONHASHSEED": "123"})
    assert result.returncode == 0
    assert "validate" in result.stdout
