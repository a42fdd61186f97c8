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


class _Loader(SafeLoader):
    """A value its tag cannot build (``!!bool hunter2``) makes PyYAML raise KeyError,
    ValueError and the like, some with the value in the message: here it is a YAML error that
    names the tag and the line, never the value (it may be a secret)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise yaml.constructor.ConstructorError(
                None, None, f"the value tagged {tag} is not valid for its tag", node.start_mark
            ) from None


def load(text: str) -> Any:
    """One YAML document, with the safe constructors only; raises ``yaml.YAMLError``."""
    return yaml.load(text, Loader=_Loader)
