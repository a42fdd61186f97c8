"""One escaping for everything printed from input: formatters, publish, packaging, the CLI."""

from __future__ import annotations

import pytest

from tools.core.terminal_text import visible, visible_lines


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, 'quotes' and \\ backslashes", "plain text, 'quotes' and \\ backslashes"),
        ("a\nb\r\tc", "a\\nb\\r\\tc"),
        ("\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07"),
        ("\x00\x7f\x85\x9b", "\\x00\\x7f\\x85\\x9b"),
        ("\u2028\u2029", "\\u2028\\u2029"),
        (
            "\u202aa\u202eb\u2066c\u2069\u200e\u061c",
            "\\u202aa\\u202eb\\u2066c\\u2069\\u200e\\u061c",
        ),
        ("\ud800\ufffe\uffff", "\\ud800\\ufffe\\uffff"),
        ("zero\u200bwidth\u00a0space\ufeff", "zero\\u200bwidth\\xa0space\\ufeff"),
        ("byte \udcff not UTF-8", "byte \\xff not UTF-8"),
        ("\U000e0001 tag", "\\U000e0001 tag"),
        ("été ✓ 日本 \U0001f600", "été ✓ 日本 \U0001f600"),
    ],
)
def test_visible_escapes_what_acts_on_a_reader(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_visible_lines_keeps_line_breaks_and_escapes_the_rest() -> None:
    assert visible_lines("ok\n\x1b[2Jnext\r") == "ok\n\\x1b[2Jnext\\r"


def test_printable_text_is_returned_as_it_is() -> None:
    text = "Component/kafka-pubsub /spec/metadata/0 — été"
    assert visible(text) is text
