"""A YAML stream cut into its documents, each with its first line and its chart template.

Only the separator and Helm's ``# Source:`` lines are visited, found by one regular
expression; the lines between them are counted, never built.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Where str.splitlines ends a line ("\r\n" once); the rare ones send a stream the slow way
# (the first five are ASCII).
_RARE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAKS = "\n\r" + _RARE_BREAKS
# At the start of a line: a separator (group 1; up to 1,000 bare separator lines before it are
# taken with it, as they only end empty documents: an unbounded repeat would keep a
# backtracking state per line) or a template comment, then the rest of the line (group 2) and
# its line break.
_MARK_PLAIN = re.compile(
    r"(?m)^(?:(?:(?:---|\.\.\.)[ \t]*\n){0,1000}(---|\.\.\.)(?=\s|\Z)|# Source: )([^\n]*)\n?"
)
_MARK = re.compile(
    rf"(?:\A|(?<=[{_BREAKS}]))"
    rf"(?:(?:(?:---|\.\.\.)[ \t]*(?:\r\n|[{_BREAKS}])){{0,1000}}(---|\.\.\.)(?=\s|\Z)|# Source: )"
    rf"([^{_BREAKS}]*)(?:\r\n|[{_BREAKS}])?"
)


def split_documents(text: str) -> Iterator[tuple[int, str, str | None]]:
    """Yield (first line number, document text, template) for each document in a stream.

    The text of each document starts at the line after its separator, and blank lines are
    kept so that libyaml's marks count from the right line. Lines are those of
    ``str.splitlines``. Only the separator and ``# Source:`` lines are visited, found by one
    regular expression; the lines between them are counted, never built: a stream of tens of
    millions of empty lines costs no more memory than its text.
    """
    plain = _plain_breaks(text)
    marks = _MARK_PLAIN if plain else _MARK
    start = 1
    template: str | None = None
    inline = ""
    doc_start = last = 0
    line = 1
    for mark in marks.finditer(text):
        pos = mark.start()
        line += text.count("\n", last, pos) if plain else _line_breaks(text, last, pos)
        last = pos
        separator, rest = mark.group(1, 2)
        if separator is None:
            if template is None:
                # Helm's "# Source: <template path>" comment
                path = rest.rstrip()
                if path and not path[0].isspace():
                    template = path
            continue
        chunk = inline + text[doc_start:pos]
        if chunk:
            yield start, chunk, template
        template = None
        last = mark.start(1)
        line += text.count("\n", pos, last) if plain else _line_breaks(text, pos, last)
        rest = rest.strip()
        if rest and not rest.startswith("#"):
            # `--- {inline: doc}` keeps its content on the separator line.
            inline = rest + "\n"
            start = line
        else:
            inline = ""
            start = line + 1
        doc_start = mark.end()
    chunk = inline + text[doc_start:]
    if chunk:
        yield start, chunk, template


def _plain_breaks(text: str) -> bool:
    """Whether every line ends in "\n" (or "\r\n"), so that ``(?m)^`` finds each line start."""
    if "\r" in text and text.count("\r") != text.count("\r\n"):
        return False
    rare = _RARE_BREAKS[:5] if text.isascii() else _RARE_BREAKS
    return not any(c in text for c in rare)


def _line_breaks(text: str, start: int, end: int) -> int:
    """Line breaks in ``text[start:end]`` as ``str.splitlines`` counts them."""
    total = sum(text.count(c, start, end) for c in _BREAKS)
    return total - text.count("\r\n", start, end)
