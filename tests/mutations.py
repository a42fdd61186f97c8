"""Structural mutations of real manifests, for the robustness test (seeded, deterministic).

Each mutation picks one place in a document (a mapping entry or list item, at any depth) and
does one thing to it: replaces the value with a hostile one (huge or binary strings, NaN,
infinities, 2**70, deep nesting, a value of the wrong type), drops the key or renames it.
"""

from __future__ import annotations

import copy
import math
import random
from collections.abc import Callable
from typing import Any

HUGE = 256 * 1024
DEPTH = 200

Path = list[str | int]


def _deep_map(depth: int) -> Any:
    node: Any = "leaf"
    for _ in range(depth):
        node = {"k": node}
    return node


def _deep_list(depth: int) -> Any:
    node: Any = "leaf"
    for _ in range(depth):
        node = [node]
    return node


def _huge(rng: random.Random) -> str:
    unit = rng.choice(["a", "aB3", "a@", "://", "=", " ", "a:", "-", "${", "é", "A"])
    size = HUGE if rng.random() < 0.2 else HUGE // 8
    return (unit * (size // len(unit) + 1))[:size]


# Values that replace whatever was at the chosen place.
HOSTILE: tuple[Callable[[random.Random], Any], ...] = (
    _huge,
    lambda rng: "nul\x00inside",
    lambda rng: "\x00" * rng.randint(1, 64),
    lambda rng: math.nan,
    lambda rng: math.inf,
    lambda rng: -math.inf,
    lambda rng: 2**70,
    lambda rng: -(2**70),
    lambda rng: 1e308,
    lambda rng: _deep_map(DEPTH),
    lambda rng: _deep_list(DEPTH),
    lambda rng: None,
    lambda rng: True,
    lambda rng: 0,
    lambda rng: -1,
    lambda rng: 3.5,
    lambda rng: "",
    lambda rng: [],
    lambda rng: {},
    lambda rng: ["x", 1, None, {"a": []}],
    lambda rng: {"unexpected": {"nested": [1, "two"]}},
    lambda rng: "../../etc/passwd",
    lambda rng: "Ünïcödé ✓ \u202e",
    lambda rng: "postgres://user:pa55word@host/db",
    lambda rng: "a" * 300,
    lambda rng: "${{ not.a.template",
)

# Keys a renamed entry gets.
KEYS: tuple[Callable[[random.Random], Any], ...] = (
    lambda rng: "renamed",
    lambda rng: "",
    lambda rng: "K" * 1000,
    lambda rng: "nul\x00key",
    lambda rng: "bad key!",
    lambda rng: 5,
    lambda rng: True,
    lambda rng: "metadata",
    lambda rng: "ünï/cödé",
)


def _places(doc: Any) -> list[Path]:
    """Every path to a mapping entry or list item in ``doc``."""
    out: list[Path] = []
    stack: list[tuple[Any, Path]] = [(doc, [])]
    while stack:
        node, path = stack.pop()
        if len(path) > 20:
            continue  # inside an inserted deep value: nesting it further tests nothing new
        if isinstance(node, dict):
            for key, value in node.items():
                out.append([*path, key])
                stack.append((value, [*path, key]))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                out.append([*path, index])
                stack.append((value, [*path, index]))
    return out


def _parent(doc: Any, path: Path) -> Any:
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


def mutate(doc: dict[str, Any], rng: random.Random) -> tuple[dict[str, Any], str]:
    """A deep copy of ``doc`` with one to three mutations, and what was done."""
    doc = copy.deepcopy(doc)
    done = [_mutate_once(doc, rng) for _ in range(rng.randint(1, 3))]
    return doc, "; ".join(done)


def _mutate_once(doc: dict[str, Any], rng: random.Random) -> str:
    places = _places(doc)
    if not places:
        return "unchanged"
    path = rng.choice(places)
    parent = _parent(doc, path)
    last = path[-1]
    action = rng.random()
    if action < 0.6:
        value = rng.choice(HOSTILE)(rng)
        parent[last] = value
        return f"replace {path} with {type(value).__name__}"
    if isinstance(parent, list):
        del parent[last]
        return f"drop {path}"
    if action < 0.8:
        del parent[last]
        return f"drop {path}"
    new_key = rng.choice(KEYS)(rng)
    parent[new_key] = parent.pop(last)
    return f"rename {path} to {new_key!r}"
