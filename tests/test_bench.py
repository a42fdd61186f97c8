"""The bench harness at tiny sizes, so it keeps working between `nox -s bench` runs.

Nothing here is timed: the figures are only checked for shape and sanity.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench.__main__ import (
    _table,
    bench_render,
    bench_startup,
    bench_subscriptions,
    bench_validate,
    bench_validate_scaling,
    linear_fit,
    mixed_stream,
    plot,
)


def test_linear_fit_recovers_a_line_and_flags_a_curve() -> None:
    line = linear_fit([1, 2, 3, 4], [3.0, 5.0, 7.0, 9.0])
    assert line["slope"] == pytest.approx(2.0)
    assert line["intercept"] == pytest.approx(1.0)
    assert line["r2"] == pytest.approx(1.0)
    curve = linear_fit([1, 2, 3, 4, 5, 6], [1.0, 1.0, 1.0, 1.0, 1.0, 100.0])
    assert curve["r2"] < 0.9


def test_mixed_stream_is_the_advertised_mix() -> None:
    docs = list(yaml.safe_load_all(mixed_stream(6)))
    assert [d["kind"] for d in docs] == [
        "Component",
        "Subscription",
        "NetworkPolicy",
        "Component",
        "Subscription",
        "NetworkPolicy",
    ]


def test_validation_scaling_counts_every_document_and_finds_no_errors() -> None:
    result = bench_validate_scaling([3, 9], repeats=1)
    assert [r["resources"] for r in result["rows"]] == [3, 9]
    assert all(r["errors"] == 0 for r in result["rows"]), result["rows"]
    assert all(r["seconds"] > 0 and r["floor_seconds"] > 0 for r in result["rows"])
    assert set(result["fit"]) == {"slope", "intercept", "r2"}


def test_subscription_scaling_renders_every_subscription() -> None:
    result = bench_subscriptions([1, 3], repeats=1)
    rows = result["rows"]
    assert [r["subscriptions"] for r in rows] == [1, 3]
    assert rows[1]["resources"] - rows[0]["resources"] == 2
    assert all(r["errors"] == 0 for r in rows), rows


@pytest.mark.slow(5)
def test_the_whole_report_table_and_plot(tmp_path: Path) -> None:
    results = {
        "validate": bench_validate([5], kv_docs=5, repeats=1),
        "render": bench_render([1, 2], repeats=1),
        "validate_scaling": bench_validate_scaling([3, 6], repeats=1),
        "subscriptions": bench_subscriptions([1, 2], repeats=1),
        "startup": bench_startup(1),
    }
    table = _table(results)
    for heading in ("validate throughput", "render", "validation scaling", "N subscriptions"):
        assert heading in table
    assert "R² =" in table
    png = plot(results, tmp_path / "scaling.png")
    if png is None:
        pytest.skip("matplotlib is not installed (the bench extra); table checked, no plot")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_size_projected_over_budget_is_skipped_not_run() -> None:
    result = bench_validate_scaling([3, 6, 100_000], repeats=1, budget=0.5)
    assert [r["documents"] for r in result["rows"]] == [3, 6]
    assert [s["documents"] for s in result["skipped"]] == [100_000]
    assert "skipped 100000 documents" in _table_with(result)


def _table_with(scaling: dict[str, object]) -> str:
    results = {
        "validate": {"rows": [], "kubernetes_validate_sample_docs": None},
        "render": {"rows": []},
        "validate_scaling": scaling,
        "startup": {"help_median_ms": 1.0, "python_bare_median_ms": 1.0},
    }
    return _table(results)
