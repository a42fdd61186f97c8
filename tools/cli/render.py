"""``python -m tools render``: render the chart's profiles, write and validate each."""

from __future__ import annotations

import argparse
from pathlib import Path

from tools.chart.helm import find_helm
from tools.chart.profiles import repo_root, resolve_chart, select_profiles
from tools.chart.render import Rendered, render_profiles
from tools.chart.rendered_reports import write_and_validate
from tools.cli.output import emit, info
from tools.cli.settings import settings
from tools.core.findings import exit_status
from tools.core.progress import Progress
from tools.core.terminal_text import visible, visible_lines
from tools.validate import UsageError, parse_selectors


def cmd_render(args: argparse.Namespace) -> int:
    context = settings(args)
    chosen = parse_selectors(args.select)
    ignored = parse_selectors(args.ignore)
    chart = resolve_chart(args.chart, repo_root())
    profiles = select_profiles(chart, args.profile, args.values)
    helm = find_helm(quiet=args.quiet)
    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out_dir}: cannot create output directory ({exc.strerror})") from exc
    if args.verbose:
        info(
            args,
            f"rendering {len(profiles)} profile(s) of {visible(str(chart))} with "
            f"{visible(str(helm))}",
        )

    counter = Progress("rendering", len(profiles), quiet=args.quiet or args.verbose)

    def progress(done: Rendered) -> None:
        counter.step(visible(done.profile.name))
        if args.verbose:
            state = "failed" if done.error else "rendered"
            info(args, f"  {visible(done.profile.name)}: {state} in {done.seconds:.2f}s")

    results = render_profiles(
        helm,
        profiles,
        namespace=args.namespace,
        kube_version=args.kube_version,
        on_done=progress,
    )
    counter.close()
    total, summaries = write_and_validate(
        results, chart=chart, out_dir=out_dir, context=context, chosen=chosen, ignored=ignored
    )
    emit(total, args)
    if args.format == "text" and not args.quiet:
        print(visible_lines("\n".join(summaries)))
    else:
        info(args, "\n".join(summaries))
    return exit_status(total.findings)
