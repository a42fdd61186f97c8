"""``python -m tools schemas``: the import actions (one row each of
``tools.cli.import_commands.IMPORT_ACTIONS``) and ``values``."""

from __future__ import annotations

import argparse


def cmd_import(args: argparse.Namespace) -> int:
    from tools.cli.import_commands import IMPORT_ACTIONS

    run, options = IMPORT_ACTIONS[args.schemas_command]
    return run(**{keyword: getattr(args, name) for keyword, name in options.items()})


def cmd_schema_values(args: argparse.Namespace) -> int:
    from tools.chart.profiles import repo_root, resolve_chart
    from tools.importers import chart_schema

    return chart_schema.main(resolve_chart(args.chart, repo_root()), check=args.check)
