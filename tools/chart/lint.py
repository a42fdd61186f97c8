"""`helm lint --strict` per profile and yamllint over the chart's own YAML (what `ct lint` does)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tools.chart.helm import find_helm, run
from tools.chart.profiles import chart_profiles
from tools.core.findings import EXIT_FINDINGS, EXIT_OK
from tools.core.terminal_text import visible_lines

YAMLLINT_CONFIG = """\
extends: default
rules:
  line-length: {max: 120}
  document-start: disable
  truthy: {check-keys: false}
  comments: {min-spaces-from-content: 1}
"""


def _helm_lint(helm: Path, chart: Path) -> list[str]:
    failures: list[str] = []
    profiles = chart_profiles(chart)
    runs: list[tuple[str, list[str]]] = [("defaults", [])]
    runs += [(p.name, [a for f in p.values_files for a in ("--values", str(f))]) for p in profiles]
    # One helm process per profile, as many at once as there are cores; reported in order.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(lambda r: run(helm, "lint", "--strict", str(chart), *r[1]), runs))
    for (name, _), result in zip(runs, results, strict=True):
        output = (result.stdout + result.stderr).strip()
        if result.returncode == 0:
            print(f"helm lint --strict {chart} ({name}): ok")
        else:
            failures.append(name)
            print(visible_lines(f"helm lint --strict {chart} ({name}): FAILED\n{output}"))
    return failures


def _yaml_files(chart: Path) -> list[Path]:
    files = [chart / "Chart.yaml", chart / "values.yaml"]
    files += sorted((chart / "ci").glob("*.yaml"))
    return [f for f in files if f.is_file()]


def _yamllint(chart: Path) -> bool:
    command = [sys.executable, "-m", "yamllint"]
    if importlib.util.find_spec("yamllint") is None:
        print("yamllint is not installed: skipped (pip install yamllint)")
        return True
    files = [str(f) for f in _yaml_files(chart)]
    result = subprocess.run(
        [*command, "-f", "parsable", "-d", YAMLLINT_CONFIG, *files],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode == 0:
        print(f"yamllint {len(files)} chart files: ok")
        return True
    print(visible_lines(f"yamllint: FAILED\n{result.stdout.strip()}{result.stderr.strip()}"))
    return False


def lint_chart(chart: Path) -> int:
    helm = find_helm()
    failures = _helm_lint(helm, chart)
    yaml_ok = _yamllint(chart)
    return EXIT_FINDINGS if failures or not yaml_ok else EXIT_OK
