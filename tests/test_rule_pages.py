"""Every rule id the validator can report has its page under docs/rules/ (SARIF links to it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.rules import all_rules
from tools.validate import INPUT_RULE_SUMMARIES, INPUT_RULES

PAGES = Path(__file__).resolve().parents[1] / "docs" / "rules"
RULE_IDS = sorted({r.id for r in all_rules()} | set(INPUT_RULES))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_each_rule_has_a_page_that_names_it_and_its_category(rule_id: str) -> None:
    page = PAGES / f"{rule_id}.md"
    assert page.is_file(), f"write docs/rules/{rule_id}.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {rule_id}\n"), "the page starts with the rule id as its title"
    category = next((r.category for r in all_rules() if r.id == rule_id), INPUT_RULES.get(rule_id))
    assert f"**Category:** {category}" in text
    assert "## How to fix" in text


def test_no_page_is_left_for_a_rule_that_does_not_exist() -> None:
    orphans = sorted(p.stem for p in PAGES.glob("*.md") if p.stem not in RULE_IDS)
    assert orphans == []


@pytest.mark.parametrize("rule_id", sorted(INPUT_RULES))
def test_each_input_rule_says_what_it_catches_in_the_rule_list(rule_id: str) -> None:
    """Input rules have no module to take a summary from; the generated list links each page
    and says what it catches, as it does for the rule modules."""
    listing = (PAGES.parent / "rules.md").read_text(encoding="utf-8")
    row = next(line for line in listing.splitlines() if f"`{rule_id}`" in line)
    assert f"(rules/{rule_id}.md)" in row
    assert INPUT_RULE_SUMMARIES[rule_id] in row
