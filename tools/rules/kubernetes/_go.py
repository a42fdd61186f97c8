"""Small pieces of Go's standard library as the API server's validation uses them:
``strconv.Atoi``, ``strings.Fields`` and ``strings.TrimSpace`` (``unicode.IsSpace``)."""

from __future__ import annotations

INT64_MAX = 2**63 - 1
_DIGITS = frozenset("0123456789")
# unicode.IsSpace: the Latin-1 spaces, then the White_Space property above U+00FF.
_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


def atoi(text: str) -> int | None:
    """``strconv.Atoi``: an optional sign then ASCII digits, within int64; None for an error."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not set(body) <= _DIGITS:
        return None
    digits = body.lstrip("0") or "0"
    if len(digits) > 19:
        return None
    value = -int(digits) if text[:1] == "-" else int(digits)
    return value if -INT64_MAX - 1 <= value <= INT64_MAX else None


def is_space(char: str) -> bool:
    return char in _SPACES


def fields(text: str) -> list[str]:
    """``strings.Fields``: the runs of non-space characters."""
    out: list[str] = []
    start = -1
    for i, char in enumerate(text):
        if char in _SPACES:
            if start >= 0:
                out.append(text[start:i])
                start = -1
        elif start < 0:
            start = i
    if start >= 0:
        out.append(text[start:])
    return out


def trim_space(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] in _SPACES:
        start += 1
    while end > start and text[end - 1] in _SPACES:
        end -= 1
    return text[start:end]
