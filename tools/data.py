"""Where the committed schema data lives: beside the package in a checkout, or under
``<prefix>/share/todo-dapr`` when the tools were installed from a wheel (pre-commit, pip)."""

from __future__ import annotations

import sys
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1] / "schemas"
_INSTALLED = Path(sys.prefix) / "share" / "todo-dapr" / "schemas"


def schema_root() -> Path:
    """The ``schemas/`` directory: the checkout's when present, else the installed copy."""
    return _CHECKOUT if _CHECKOUT.is_dir() else _INSTALLED
