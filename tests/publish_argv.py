"""The ``publish`` arguments most publish tests pass: a registry reached over plain HTTP and
the chart to package, followed by what the test varies."""

from __future__ import annotations

from pathlib import Path


def publish_argv(registry: str, chart: Path | str, *extra: str) -> tuple[str, ...]:
    """``--registry REGISTRY --plain-http --chart CHART`` and then ``extra``."""
    return ("--registry", registry, "--plain-http", "--chart", str(chart), *extra)
