"""`python -m tools lint`: helm lint --strict per profile, run side by side, reported in order."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import CHART, CliRunner


def test_every_profile_is_linted_and_reported_in_order(cli: CliRunner, tmp_path: Path) -> None:
    chart = tmp_path / "todo-dapr"
    shutil.copytree(CHART, chart)
    (chart / "ci" / "zz-broken-values.yaml").write_text('daprVersion: "9.9"\n', encoding="utf-8")
    result = cli("lint", "--chart", str(chart))
    assert result.returncode == 1, result.stdout + result.stderr
    reported = [
        line.rsplit("(", 1)[1]
        for line in result.stdout.splitlines()
        if line.startswith("helm lint --strict")
    ]
    profiles = sorted(
        p.name.removesuffix("-values.yaml") for p in (chart / "ci").glob("*-values.yaml")
    )
    assert [r.split(")")[0] for r in reported] == ["defaults", *profiles]
    assert [r.endswith("FAILED") for r in reported] == [False] * len(profiles) + [True]
    assert "daprVersion" in result.stdout
