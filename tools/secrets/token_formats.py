"""Credentials with a documented shape: cloud access keys, API tokens, JWTs.

Each format starts with a fixed prefix (``AKIA``, ``ghp_``, ``xoxb-``, ``AIza``, ``sk_live_``,
``eyJ``), so the scan looks for the prefix with a plain substring search and matches the rest
with a bounded pattern anchored there: the cost is linear in the text, whatever it holds.
A token must stand on its own: a letter or digit right before or after it means it is part of
a longer word (an identifier, a digest), not a credential.

The formats are the issuers' own: AWS access key IDs (``AKIA`` long-term, ``ASIA`` temporary,
then 16 upper-case letters or digits), GitHub tokens (``ghp_``/``gho_``/``ghu_``/``ghs_``/
``ghr_`` and 36 letters or digits; fine-grained ``github_pat_`` with 22 and 59 characters),
Slack tokens (``xoxa-``/``xoxb-``/``xoxp-``/``xoxr-``), Google API keys (``AIza`` and 35
characters), Stripe live secret keys (``sk_live_``) and JSON Web Tokens (three base64url parts,
the header a JSON object, so ``eyJ``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_ALNUM = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_WORD = _ALNUM | {"_"}
_B64URL = _ALNUM | {"_", "-"}


@dataclass(frozen=True)
class TokenFormat:
    kind: str
    prefixes: tuple[str, ...]
    body: re.Pattern[str]  # matched at a prefix, every quantifier bounded
    tail: frozenset[str]  # characters that may not follow the match


FORMATS: tuple[TokenFormat, ...] = (
    TokenFormat(
        "an AWS access key ID",
        ("AKIA", "ASIA"),
        re.compile(r"(?:AKIA|ASIA)[A-Z0-9]{16}"),
        _ALNUM,
    ),
    TokenFormat(
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        re.compile(r"gh[pousr]_[A-Za-z0-9]{36}"),
        _WORD,
    ),
    TokenFormat(
        "a GitHub token",
        ("github_pat_",),
        re.compile(r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"),
        _WORD,
    ),
    TokenFormat(
        "a Slack token",
        ("xoxa-", "xoxb-", "xoxp-", "xoxr-"),
        re.compile(r"xox[abpr]-[A-Za-z0-9-]{10,250}"),
        _ALNUM | {"-"},
    ),
    TokenFormat(
        "a Google API key",
        ("AIza",),
        re.compile(r"AIza[A-Za-z0-9_-]{35}"),
        _B64URL,
    ),
    TokenFormat(
        "a Stripe secret key",
        ("sk_live_",),
        re.compile(r"sk_live_[A-Za-z0-9]{24,247}"),
        _ALNUM,
    ),
)

JWT_KIND = "a JSON Web Token"
_B64URL_RUN = re.compile(r"[A-Za-z0-9_-]*")
_JWT_MIN = (10, 10, 16)  # header (eyJ + a JSON key), payload, signature


def _formatted(text: str, fmt: TokenFormat) -> Iterator[tuple[int, int]]:
    for prefix in fmt.prefixes:
        position = text.find(prefix)
        while position != -1:
            match = fmt.body.match(text, position)
            end = match.end() if match else -1
            if (
                match is not None
                and (position == 0 or text[position - 1] not in _WORD)
                and (end == len(text) or text[end] not in fmt.tail)
            ):
                yield position, end
            position = text.find(prefix, position + len(prefix))


def _jwts(text: str) -> Iterator[tuple[int, int]]:
    """header.payload.signature, each a base64url run; every character is read a bounded
    number of times (a failed start skips the rest of its run)."""
    position = text.find("eyJ")
    while position != -1:
        run_end = _B64URL_RUN.match(text, position).end()  # type: ignore[union-attr]
        found = None
        if position == 0 or text[position - 1] not in _B64URL:
            ends = [run_end]
            while len(ends) < 3 and ends[-1] < len(text) and text[ends[-1]] == ".":
                ends.append(_B64URL_RUN.match(text, ends[-1] + 1).end())  # type: ignore[union-attr]
            if len(ends) == 3:
                starts = [position, ends[0] + 1, ends[1] + 1]
                lengths = [e - s for s, e in zip(starts, ends, strict=True)]
                if all(n >= m for n, m in zip(lengths, _JWT_MIN, strict=True)):
                    found = (position, ends[2])
        if found is not None:
            yield found
            position = text.find("eyJ", found[1])
        else:
            position = text.find("eyJ", run_end)


def find_tokens(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of each well-known credential in ``text``."""
    for fmt in FORMATS:
        for start, end in _formatted(text, fmt):
            yield fmt.kind, start, end
    for start, end in _jwts(text):
        yield JWT_KIND, start, end
