"""``python -m tools cluster up|down|status|build``: the real local stack for a person."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from tools.core.terminal_text import visible


def cmd_cluster(args: argparse.Namespace) -> int:
    from tools.cluster import stack

    run_dir = Path(args.dir)
    if args.action == "up":
        info = stack.up(run_dir, dapr_release=args.dapr_version)
        _print_description(stack.describe(info))
        print(f"load it with: set -a; . {visible(str(run_dir / stack.ENV_FILE))}; set +a")
    elif args.action == "down":
        stack.down(run_dir)
    elif args.action == "build":
        stack.build_all(args.dapr_version)
    else:
        running = stack.load(run_dir)
        if running is None:
            print(f"no stack is running from {visible(str(run_dir))}", file=sys.stderr)
            return 1
        _print_description(stack.describe(running))
    return 0


def _print_description(description: Mapping[str, str]) -> None:
    width = max(len(key) for key in description)
    for key, value in description.items():
        print(f"{key.ljust(width)}  {visible(value)}")
