"""Text from input made safe to print: nothing in it can act on a terminal or start a line.

A manifest, a chart file name, a registry's error body or a command-line argument can hold
characters a terminal obeys (ESC sequences clear the screen or set the title, BEL rings, CR
rewrites the line), characters that start a new output line (a forged "0 errors" summary, a
second GitHub workflow command), characters that reorder what the reader sees (the bidi
overrides and isolates of "Trojan Source") and characters that are invisible or cannot be
encoded (zero-width spaces, lone surrogates, U+FFFE). Every one of them is what Python calls
not printable; each is shown as a visible escape instead: ``\\n``, ``\\x1b``, ``\\u202e``,
and a byte that was not UTF-8 (decoded with ``surrogateescape``) as that byte, ``\\xff``.

Backslashes are left as they are: an input that spells ``\\x1b`` shows the same text as an
escaped ESC, but drives nothing. Printable text, any script's letters included, is unchanged,
and the common case costs one C-level scan (``str.isprintable``).
"""

from __future__ import annotations

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SURROGATE_ESCAPES = range(0xDC80, 0xDD00)


def _escape(char: str) -> str:
    if char.isprintable():
        return char
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code in _SURROGATE_ESCAPES:
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def visible(text: str) -> str:
    """``text`` on one line with every character that is not printable shown as an escape."""
    if text.isprintable():
        return text
    return "".join(map(_escape, text))


def visible_lines(text: str) -> str:
    """Each line of ``text`` made visible, for output that is meant to span lines (a
    summary table, a tool's report); a CR or any other control character inside a line is
    still escaped."""
    return "\n".join(visible(line) for line in text.split("\n"))
