"""``python -m tools schemas``: the import actions, one table row each, and ``values``."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ImportAction:
    """Where a ``schemas import-*`` action's work lives (``module:attribute``, imported when
    the action runs) and which parsed options it takes, keyword to option name."""

    target: str
    options: Mapping[str, str]

    def function(self) -> Callable[..., int]:
        module, _, attribute = self.target.partition(":")
        found: Any = importlib.import_module(module)
        for name in attribute.split("."):
            found = getattr(found, name)
        function: Callable[..., int] = found
        return function


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


_GENERATED = _same("directory", "git_dir", "ref", "out", "check")

IMPORT_ACTIONS: dict[str, ImportAction] = {
    "import-crd": ImportAction(
        "tools.cli.import_commands:run_import_crd", _same("files", "git_dir", "ref", "out")
    ),
    "import-metadata": ImportAction(
        "tools.cli.import_commands:run_import_metadata",
        _same("directory", "git_dir", "ref", "out"),
    ),
    "import-registry": ImportAction("tools.cli.import_commands:REGISTRY_FILE.run", _GENERATED),
    "import-code-fields": ImportAction(
        "tools.cli.import_commands:CODE_FIELDS.run", {**_GENERATED, "registry": "registry"}
    ),
    "import-releases": ImportAction(
        "tools.cli.import_commands:run_import_releases",
        {
            "dapr_git": "dapr_git_dir",
            "contrib_git": "contrib_git_dir",
            **_same("out", "check", "latest"),
        },
    ),
}


def cmd_import(args: argparse.Namespace) -> int:
    action = IMPORT_ACTIONS[args.schemas_command]
    options = {keyword: getattr(args, name) for keyword, name in action.options.items()}
    return action.function()(**options)


def cmd_schema_values(args: argparse.Namespace) -> int:
    from tools.chart.profiles import repo_root, resolve_chart
    from tools.importers import chart_schema

    return chart_schema.main(resolve_chart(args.chart, repo_root()), check=args.check)
