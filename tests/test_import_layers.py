"""The import layers of ``tools`` (DESIGN §4: a lower module never imports a higher one).

``LAYERS`` is the house, lowest floor first: a module may import from its own package and from
any package on a lower floor, never from a higher one, and no two modules may import each other
through any chain (a cycle). Every module of ``tools`` must sit on a floor, so a new package is
placed here on purpose.

Every import counts, at module level or inside a function, except those under
``if TYPE_CHECKING:`` (they never run). A cycle through a function-level import still ties two
modules together; the shared piece belongs in a module below both.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"

# Lowest first. The package root holds only the version.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("tools",),
    ("tools.core",),  # resources, findings, bounded reading, YAML, the run context
    ("tools.secrets",),  # recognising credentials in text
    ("tools.kubernetes",),  # API-server validation of names and values, schemas, CEL
    ("tools.dapr",),  # the Dapr releases: catalog, registry, decoding, models
    ("tools.redaction",),  # keeping secrets out of every output
    ("tools.rules",),  # one module per rule
    ("tools.validate",),  # the validation run: load, check, report
    ("tools.importers", "tools.chart"),  # upstream source -> schemas/; helm and the profiles
    ("tools.docs", "tools.formatters"),  # generated pages; report formats
    ("tools.publish",),  # the gated, immutable OCI publish
    ("tools.cli", "tools.__main__"),  # the command line
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        test = node.test if isinstance(node, ast.If) else None
        if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def _imported(tree: ast.Module, modules: set[str]) -> Iterator[str]:
    skipped = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        yield from (name for name in names if name in modules)


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in TOOLS.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[name] = {target for target in _imported(tree, set(files)) if target != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            advanced = False
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_cycle_through_a_third_module() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_function_level_imports_count_and_type_checking_ones_do_not() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from tools.b import B\n"
        "def f():\n    from tools.c import g\n"
    )
    assert set(_imported(tree, {"tools.b", "tools.c"})) == {"tools.c"}


def floor_of(module: str, layers: tuple[tuple[str, ...], ...] = LAYERS) -> int | None:
    """The floor of the longest package prefix that names ``module``; None when none does."""
    best: tuple[int, int] | None = None
    for floor, packages in enumerate(layers):
        for package in packages:
            named = module == package or module.startswith(package + ".")
            if named and (best is None or len(package) > best[1]):
                best = (floor, len(package))
    return best[0] if best else None


def upward_imports(
    graph: dict[str, set[str]], layers: tuple[tuple[str, ...], ...] = LAYERS
) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        here = floor_of(module, layers)
        for target in sorted(targets):
            there = floor_of(target, layers)
            if here is not None and there is not None and there > here:
                found.append(f"{module} (floor {here}) imports {target} (floor {there})")
    return found


def test_the_floor_check_finds_an_upward_import() -> None:
    layers = (("p.low",), ("p.high",))
    assert upward_imports({"p.low.a": {"p.high.b"}, "p.high.b": set()}, layers) == [
        "p.low.a (floor 0) imports p.high.b (floor 1)"
    ]
    assert upward_imports({"p.high.b": {"p.low.a"}, "p.low.a": set()}, layers) == []
    assert floor_of("p.lower", layers) is None


def test_every_module_sits_on_a_floor() -> None:
    unplaced = sorted(m for m in import_graph() if floor_of(m) is None)
    assert unplaced == [], f"place these packages in LAYERS: {unplaced}"


def test_imports_only_point_down() -> None:
    assert upward_imports(import_graph()) == []


def test_tools_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "tools.validate" in graph and "tools.rules.dapr.api_access" in graph
    assert cycles(graph) == []
