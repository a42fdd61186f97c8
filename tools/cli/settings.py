"""The run's settings: the config file merged under the flags."""

from __future__ import annotations

import argparse

from tools.cli.output import info
from tools.core.context import RunContext
from tools.core.terminal_text import visible


def settings(args: argparse.Namespace) -> RunContext:
    """Merge the config file under the flags into the run's context; list each --schema-dir
    once now, so a missing one is refused before any input is read."""
    from tools.cli import config
    from tools.kubernetes.schema_dirs import indexed

    context = config.merge(args, config.resolve(args.config, args.no_config))
    if args.verbose and args.schema_dir:
        info(args, f"schema directories: {', '.join(map(visible, args.schema_dir))}")
    indexed(context.schema_dirs)
    return context
