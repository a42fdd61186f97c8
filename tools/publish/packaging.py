"""Packaging (:mod:`tools.chart.package`) as publish sees it: a refused chart is a usage error
(exit 2), a helm that fails a refusal (exit 1)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path

from tools.chart import package as chart_package
from tools.chart.package import ChartRefused, Package, PackageFailed
from tools.publish.errors import translated
from tools.publish.model import Signing


def _packaging() -> AbstractContextManager[None]:
    return translated(usage=(ChartRefused,), refused=(PackageFailed,))


def source_epoch() -> int:
    with _packaging():
        return chart_package.source_epoch()


def read_chart(chart: Path) -> tuple[str, str]:
    with _packaging():
        return chart_package.read_chart(chart)


def package_chart(
    helm: Path, chart: Path, work: Path, env: dict[str, str], signing: Signing | None
) -> Package:
    """``helm package`` the chart's own files only (no links or special files), reproducibly."""
    with _packaging():
        return chart_package.package_chart(helm, chart, work, env, signing)
