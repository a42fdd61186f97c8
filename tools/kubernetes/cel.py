"""Compiling CEL the way daprd does (dapr/dapr pkg/expr/expr.go, ``Expr.DecodeString``).

daprd compiles a circuit-breaker ``trip`` and a Subscription rule ``match`` with cel-go. It
declares no variable up front: each time the checker reports "undeclared reference to 'x'",
it declares ``x`` as a dynamic variable and compiles again. So only syntax errors and type
errors the checker can prove (``1 + "a"``, ``size(1)``) make the compile fail; a name the
evaluation never binds compiles, and fails only when the expression is evaluated.

The compiler here is Google's cel-cpp through the ``cel-expr-python`` package (see
docs/cel.md for why this library). It is imported on the first CEL field, never before, so
runs without a Resiliency or Subscription rule do not load it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

# An expression longer than this is not compiled (cel-go refuses expressions above 100,000
# code points by default; a manifest field this long is a mistake either way).
MAX_LENGTH = 100_000

# Why a call to a function outside CEL's standard library never finishes compiling in daprd;
# the rules add what that does to their resource.
ENDLESS = (
    "a function daprd's CEL environment does not define (it has only the standard functions). "
    "daprd's compile loop (pkg/expr) declares the name as a variable, which does not define a "
    "function, and compiles again, forever"
)

_UNDECLARED = re.compile(r"undeclared reference to '([A-Za-z_][A-Za-z0-9_.]*)'")
_RECURSION = re.compile(r"recursion limit exceeded|max recursion depth")
_LOCATION = re.compile(r"^ERROR: <input>:(\d+:\d+): ")


@dataclass(frozen=True)
class Compiled:
    """The outcome of compiling one expression.

    ``error`` is the compiler's first message when the compile fails (daprd fails too);
    ``unbound`` the top-level names the expression reads that the caller does not bind at
    evaluation; ``result`` the checked result type (``BOOL``, ``DYN``, ``INT``...), empty when
    the compile failed. ``endless`` marks a call to a function the environment does not define:
    pkg/expr declares the name as a variable, which does not define the function, and compiles
    again with the same outcome, forever. ``unchecked`` means the expression nests deeper
    than cel-cpp allows (32 levels); cel-go allows 250, so no verdict is given.
    """

    error: str | None
    unbound: tuple[str, ...] = ()
    result: str = ""
    endless: bool = False
    unchecked: bool = False

    @property
    def function(self) -> str:
        """The undefined function an endless compile stumbles on."""
        found = _UNDECLARED.search(self.error or "") if self.endless else None
        return found.group(1) if found else ""


class CelUnavailable(RuntimeError):
    """The CEL library is not installed."""


@cache
def _library() -> Any:
    try:
        return importlib.import_module("cel_expr_python.cel")
    except ImportError as exc:  # a broken install: the rules report it, once per run
        raise CelUnavailable(
            "the cel-expr-python package is not installed; CEL fields cannot be checked"
        ) from exc


def _first_error(message: str) -> str:
    """``INVALID_ARGUMENT: ERROR: <input>:1:21: Syntax error: ...`` -> ``at 1:21: Syntax
    error: ...``; an issue other than an undeclared name comes first, as it is the cause."""
    text = message.removeprefix("INVALID_ARGUMENT: ")
    issues = [line.strip() for line in text.split("\n") if line.startswith("ERROR")]
    causes = [line for line in issues if "undeclared reference" not in line]
    first = (causes or issues or [text.strip()])[0]
    match = _LOCATION.match(first)
    if match:
        first = f"at {match.group(1)}: {first[match.end() :]}"
    return first.removesuffix(" [INVALID_ARGUMENT]")


def compile_like_daprd(expression: str, bound: Iterable[str]) -> Compiled:
    """Compile ``expression`` as pkg/expr does; report names outside ``bound``."""
    return _compile(expression, frozenset(bound))


@lru_cache(maxsize=64)
def _environment(names: frozenset[str]) -> Any:
    """A cel-cpp environment with ``names`` declared as dyn (building one costs milliseconds;
    the same few sets recur: the breaker counts, ``event``)."""
    cel = _library()
    return cel.NewEnv(variables=dict.fromkeys(names, cel.Type.DYN))


@lru_cache(maxsize=1024)
def _compile(expression: str, bound: frozenset[str]) -> Compiled:
    if len(expression) > MAX_LENGTH:
        return Compiled(error=f"longer than {MAX_LENGTH} characters")
    declared: set[str] = set(bound)
    unbound: list[str] = []
    # Each round declares at least one new name, and no expression names more identifiers
    # than it has characters, so this ends; in practice it takes one or two rounds.
    for _ in range(len(expression) + 1):
        try:
            compiled = _environment(frozenset(declared)).compile(expression)
        except Exception as exc:  # the library raises RuntimeError with the checker's issues
            message = str(exc)
            if _RECURSION.search(message):
                return Compiled(error=None, unchecked=True)
            references = _UNDECLARED.findall(message)
            issues = [line for line in message.split("\n") if line.startswith(("ERROR", "INV"))]
            if not references or len(references) < len(issues):
                return Compiled(error=_first_error(message))  # pkg/expr returns any other issue
            names = [n for n in dict.fromkeys(references) if n not in declared]
            if not names:  # declared already, still undeclared: a function, not a variable
                return Compiled(error=_first_error(message), endless=True)
            for name in names:
                declared.add(name)
                root = name.split(".", 1)[0]
                if root not in bound and root not in unbound:
                    unbound.append(root)
            continue
        return Compiled(error=None, unbound=tuple(unbound), result=compiled.return_type().name())
    return Compiled(error="the expression declares too many names")
