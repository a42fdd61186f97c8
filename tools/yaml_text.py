"""YAML text to Python data through libyaml's parser.

libyaml reads what the Go YAML library behind Helm and daprd reads, including a tab after a
value that PyYAML's pure-Python scanner refuses, and it is several times faster: the chart's
commented values.yaml is read on every render. The pure-Python loader is the fallback only for
a PyYAML built without libyaml (every wheel the project installs has it).
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader  # type: ignore[assignment]

__all__ = ["SafeLoader", "load"]


def load(text: str) -> Any:
    """One YAML document, with the safe constructors only; raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=SafeLoader)
