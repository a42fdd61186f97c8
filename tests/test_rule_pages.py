"""Every rule id the validator can report has its page under docs/rules/ (SARIF links to it),
written from one source: the rule module's docstring, or tools/core/input_rules.py. Rule ids
follow their module, and rules share code only through their category's ``_`` modules."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from tools.core.findings import CATEGORIES
from tools.core.input_rules import INPUT_FINDINGS
from tools.docs import rule_pages
from tools.rules import Rule, all_rules
from tools.validate import INPUT_RULES

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "rules"
RULE_IDS = sorted({r.id for r in all_rules()} | set(INPUT_RULES))
RULE_MODULES = sorted(
    p for p in (ROOT / "tools" / "rules").glob("*/*.py") if not p.name.startswith("_")
)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_each_rule_has_a_page_that_names_it_and_its_category(rule_id: str) -> None:
    page = PAGES / f"{rule_id}.md"
    assert page.is_file(), "run `python -m tools docs`"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {rule_id}\n"), "the page starts with the rule id as its title"
    category = next((r.category for r in all_rules() if r.id == rule_id), INPUT_RULES.get(rule_id))
    assert f"**Category:** {category}" in text
    assert "## How to fix" in text


def test_each_page_is_the_one_generated_from_the_code() -> None:
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in PAGES.glob("*.md")}
    assert on_disk == rule_pages(), "run `python -m tools docs`"


def test_no_page_is_left_for_a_rule_that_does_not_exist() -> None:
    orphans = sorted(p.stem for p in PAGES.glob("*.md") if p.stem not in RULE_IDS)
    assert orphans == []


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_rule_id_is_its_category_and_module_name(path: Path) -> None:
    module = importlib.import_module(f"tools.rules.{path.parent.name}.{path.stem}")
    rule = module.RULE
    assert isinstance(rule, Rule)
    assert rule.id == f"{path.parent.name}-{path.stem.replace('_', '-')}"


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_rule_module_imports_no_other_rule_module(path: Path) -> None:
    """Shared code lives in a ``_`` module of the category, never in another rule."""
    imported: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            imported += [a.name for a in node.names]
    rule_modules = {f"tools.rules.{p.parent.name}.{p.stem}" for p in RULE_MODULES}
    assert sorted(set(imported) & rule_modules) == []


@pytest.mark.parametrize("rule_id", sorted(INPUT_RULES))
def test_each_input_rule_says_what_it_catches_in_the_rule_list(rule_id: str) -> None:
    """The generated list links each input finding's page and says what it catches, as it
    does for the rule modules."""
    listing = (PAGES.parent / "rules.md").read_text(encoding="utf-8")
    row = next(line for line in listing.splitlines() if f"`{rule_id}`" in line)
    assert f"(rules/{rule_id}.md)" in row
    summary = next(f.summary for f in INPUT_FINDINGS if f.id == rule_id)
    assert summary in row


def test_the_rule_list_cites_only_rules_that_exist() -> None:
    listing = (PAGES.parent / "rules.md").read_text(encoding="utf-8")
    cited = re.findall(r"--(?:select|ignore) ([a-z-]+)", listing.split("| Rule |", 1)[0])
    assert cited and set(cited) <= set(RULE_IDS) | set(CATEGORIES)
