"""What ``render`` makes of each rendered profile: the YAML written under ``--out``, the
report of validating it against its Dapr release, and one summary line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tools.chart.profiles import profile_release
from tools.chart.render import Rendered
from tools.core.context import RunContext
from tools.core.output import write_file
from tools.core.terminal_text import visible
from tools.validate import Report, Source, render_failure, validate


def write_and_validate(
    results: Sequence[Rendered],
    *,
    chart: Path,
    out_dir: Path,
    context: RunContext,
    chosen: set[str],
    ignored: set[str],
) -> tuple[Report, list[str]]:
    """Write each profile's YAML to ``out_dir/<profile>.yaml`` and validate it (against the
    profile's Dapr release unless the context names one); a failed render is a finding.
    Return the merged report and a summary line per profile."""
    total = Report()
    summaries: list[str] = []
    width = max(len(visible(r.profile.name)) for r in results)
    for result in results:
        name = visible(result.profile.name)
        values_label = ", ".join(str(v) for v in result.profile.values_files) or str(chart)
        if result.error is not None:
            failure = render_failure(values_label, result.error)
            report = Report(findings=[failure], files=1)
            summaries.append(f"{name:<{width}}  helm template failed (see the finding above)")
        else:
            target = out_dir / f"{result.profile.name}.yaml"
            write_file(result.text or "", str(target), "--out")
            release = context.dapr_release or profile_release(result.profile)
            report = validate(
                [Source(str(target), result.text or "", result.profile.name)],
                context=replace(context, dapr_release=release),
                chosen=chosen,
                ignored=ignored,
            )
            summaries.append(
                f"{name:<{width}}  Dapr {release}  {report.resources:>3} resources  "
                f"{report.errors:>2} errors  {report.warnings:>2} warnings  "
                f"{result.seconds:5.2f}s  -> {visible(str(target))}"
            )
        total.merge(report)
    return total, summaries
