"""``python -m tools lint`` and ``docs``: the chart checks and generated documentation."""

from __future__ import annotations

import argparse

from tools.chart.profiles import repo_root, resolve_chart


def cmd_lint(args: argparse.Namespace) -> int:
    from tools.chart.lint import lint_chart

    return lint_chart(resolve_chart(args.chart, repo_root()))


def cmd_docs(args: argparse.Namespace) -> int:
    from tools import docs

    root = repo_root()
    return docs.main(root=root, chart=resolve_chart(args.chart, root), check=args.check)
