"""The gate: the chart that ships must lint, render and validate clean before anything is pushed.

It runs ``python -m tools lint`` and ``python -m tools render`` as subprocesses on the staged
copy that was packaged, under the publish deadline.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from tools.publish.bounds import Deadline
from tools.publish.errors import PublishError, translated
from tools.publish.helm_calls import bounded_run

GATE_OUTPUT_LINES = 80

Gate = Callable[[Path, Deadline], None]


def _tools_path() -> str:
    return str(Path(__file__).resolve().parent.parent)


def run_gate(chart: Path, deadline: Deadline) -> None:
    """Lint, then render and validate every profile, in subprocesses; any failure refuses.

    ``chart`` is the staged copy that was packaged; the commands run from the repository the
    publish was started in, so its config file applies.
    """
    from tools.chart.profiles import repo_root

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_tools_path(), env.get("PYTHONPATH")) if p)
    with tempfile.TemporaryDirectory(prefix="todo-dapr-gate-") as out:
        steps = (
            ("lint", ["lint", "--chart", str(chart)]),
            ("render", ["render", "--chart", str(chart), "--out", out]),
        )
        for name, argv in steps:
            cmd = [sys.executable, "-m", "tools", *argv]
            result = bounded_run(
                cmd, deadline, f"the gate's `python -m tools {name}`", cwd=repo_root(), env=env
            )
            if result.returncode != 0:
                output = (result.stdout + result.stderr).strip().splitlines()
                raise PublishError(
                    f"gate failed: `python -m tools {name}` exited {result.returncode}; fix what "
                    "it reports above. Nothing was pushed",
                    output[-GATE_OUTPUT_LINES:],
                )


def add_missing_profiles(chart: Path, staged: Path) -> None:
    """Give the gate every ``ci/*-values.yaml`` profile of the working tree.

    A chart whose ``.helmignore`` leaves ``ci/`` out of the package would otherwise be gated on
    its defaults alone. The archive is built already, so the profiles copied here are test
    inputs for the gate, never shipped.
    """
    from tools.chart.profiles import chart_profiles
    from tools.core.bounded_read import MAX_VALUES_BYTES, InputError, read_file

    for profile in chart_profiles(chart):
        for source in profile.values_files:
            target = staged / "ci" / source.name
            if target.exists():
                continue
            with translated(usage=(InputError,)):
                data = read_file(source, MAX_VALUES_BYTES, "profile values file")
            target.parent.mkdir(exist_ok=True)
            target.write_bytes(data)
