"""What is secret in a resource, and where known secrets stand in a text.

What is secret: sensitive Component metadata given as a literal, every value of a Secret's
``data`` (also decoded) and ``stringData``, what ``tools/secrets/text.py`` finds in any string
or any mapping key (URL passwords, private keys, ``password=`` values, known token formats,
high-entropy tokens), and values run into keys or names. No Kubernetes key holds ':' or '='
(field names, label and annotation keys, ConfigMap and Secret data keys all refuse them), so
whatever follows the first ':' or '=' of a key (``{password:VALUE}`` in a flow mapping is one
key) is a value, as written and unquoted; so in every segment of a finding's path (a finding
may have no resource); so in a string that reads ``<sensitive name>:VALUE`` (a Component
metadata item ``name: redisPassword:VALUE``); and what follows a space in a Secret's data key.

Where a known secret is masked. A secret is printed by rules in several spellings, so each is
looked for as itself, JSON-quoted (field errors), ``repr``-quoted, and as a JSON pointer
segment (``/`` as ``~1``); a multi-line secret also by each of its long lines. Then:

- a *distinctive* secret, one that cannot be an ordinary word, is masked wherever it occurs,
  inside longer words too; where a message shows only its start, from 16 characters of its
  beginning for as far as it goes, and from 8 right before a cut ("..."). Distinctive: at
  least 20 characters, or at least 8 with three of upper case, lower case, digits and other
  characters and 3 bits of entropy per character (what a password looks like, a word not);
- any other secret (``example``, ``must``, ``hunter2``) is masked only where it stands as a
  value: as the whole text; quoted (``'…'``, ``"…"``, `````…`````, or ``\"…\"`` in a
  JSON-escaped copy); right after ``=``, ``:``, ``: `` or ``= `` up to a space, quote,
  backslash or delimiter (``,;)]}>/@&``); in a path, as a whole segment but the first. Not as
  a bare word in running text, so a Secret holding ``must`` leaves "a valid config key must
  consist" alone while ``password:must`` loses it, and ``e.g. 'example.com'`` keeps
  ``example``: nothing but its position tells a printed value from a word.

Cost: distinctive spellings are indexed by their first 8 characters, one length, so finding
them reads the text once (str.find for a few beginnings, else the set of the text's 8-grams);
following a copy is a bisection over the sorted spellings sharing that beginning, within a
budget proportional to the text. The other spellings are looked up, in one hash set, only
between a value's possible starts and ends, as far as the longest of them. So redacting a text
costs time in its length, never in the number or the lengths of the secrets (a resource may
hold thousands). No regular expression is built from a secret.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from tools.dapr import model as dapr_model
from tools.secrets.text import find_secrets_in_text, is_placeholder, shannon_entropy

if TYPE_CHECKING:
    from tools.core.resource import Resource

DISTINCTIVE_LENGTH = 20
RANDOM_LENGTH = 8
RANDOM_BITS = 3.0
# How much of a distinctive secret's beginning must show for a cut-short copy to be masked;
# right before a cut ("..."), its first ANCHOR characters are enough.
PREFIX = 16
ANCHOR = 8
CUT = "..."
# Up to this many distinct beginnings are each found with str.find (fast, but its cost grows
# with their number); more are looked up through the set of the text's ANCHOR-grams.
FIND_LIMIT = 8
# A multi-line secret is also looked for line by line, for its lines at least this long.
LINE = 16
# Where a value may begin: after a quote, '=' or ':' (and ': ' or '= ', see _VALUE_START).
_QUOTES = frozenset("'\"`")
_VALUE_START = re.compile(r"[:=] ?|['\"`\[]")
# What must follow a value quoted, bracketed (a key as API-server field paths show it,
# data[key]) or standing as a JSON pointer segment (else any _END).
_CLOSERS = {q: frozenset(_QUOTES | {"\\"}) for q in _QUOTES} | {
    "/": frozenset("/"),
    "[": frozenset("]"),
}
_SEGMENT_START = re.compile(r"(?<=.)/", re.DOTALL)
# Where a value may end: a space, a quote, the backslash of an escaped quote, a delimiter.
_END = re.compile(r"[\s'\"`\\,;)\]}>/@&]")
# In a key: where a name ends and a value run into it begins.
_NAME_END = re.compile(r"[:=]")
_SECRET_KEY_END = re.compile(r"[\s:=]")
# Finding texts longer than this are cut before redaction (see bounded_findings).


def _walk_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _walk_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_strings(value)


def _walk_keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str):
                yield key
            yield from _walk_keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_keys(value)


def _is_core_secret(resource: Resource) -> bool:
    return resource.kind == "Secret" and resource.group == ""


def secret_values(resource: Resource) -> set[str]:
    """Every value of ``resource`` that must never appear in output."""
    found: set[str] = set()
    for item in dapr_model.literal_secrets(resource):
        found.add(item.text)
    if _is_core_secret(resource):
        for section in ("data", "stringData"):
            block = resource.doc.get(section)
            if not isinstance(block, dict):
                continue
            for key, value in block.items():
                embedded = _value_in_secret_key(key)
                if embedded:
                    found.add(embedded)
                    if _value_after_space(key):
                        # `password hunter2`: the value reads as a word where the key is
                        # shown (path, key list, "data[...]"), so the key is masked whole.
                        found.add(key)
                if value is None:
                    continue
                text = dapr_model.stringify(value)
                found.add(text)
                if section == "data":
                    decoded = _b64decode(text)
                    if decoded:
                        found.add(decoded)
    for text in _walk_strings(resource.doc):
        found.update(secret for _kind, secret in find_secrets_in_text(text))
        named = _value_in_named_key(text)
        if named:
            found.add(named)
    for key in _walk_keys(resource.doc):
        found.update(secret for _kind, secret in find_secrets_in_text(key))
        found.update(values_in_key(key))
    return {s for s in found if s.strip()}


def values_in_key(key: str) -> set[str]:
    """What follows the first ':' or '=' of a key, as written and unquoted.

    No Kubernetes key holds ':' or '=' (field names, label and annotation keys, ConfigMap and
    Secret data keys all refuse them), so one that does is a value run into its key:
    ``{password:VALUE}`` in a flow mapping is one key.
    """
    match = _NAME_END.search(key)
    if match is None:
        return set()
    rest = key[match.end() :]
    found = {rest.strip(), _unquoted(rest.lstrip(":= \t")) or ""}
    return {value for value in found if value.strip() and not is_placeholder(value)}


def pointer_values(path: str) -> set[str]:
    """``values_in_key`` of every segment of a JSON pointer."""
    found: set[str] = set()
    for segment in path.split("/")[1:]:
        if ":" in segment or "=" in segment:
            found.update(values_in_key(segment.replace("~1", "/").replace("~0", "~")))
    return found


def _unquoted(text: str) -> str | None:
    value = text.strip().strip("'\"").strip()
    return value if value and not is_placeholder(value) else None


def _value_in_named_key(text: str) -> str | None:
    """``VALUE`` of ``password:VALUE`` or ``apiKey = VALUE``: a sensitive name first."""
    match = _NAME_END.search(text)
    if match is None or not dapr_model.name_looks_sensitive(text[: match.start()].strip()):
        return None
    return _unquoted(text[match.end() :].lstrip(":= \t"))


def _value_in_secret_key(key: object) -> str | None:
    """What follows ``:``, ``=`` or a space in a Secret's data key (``pass=VALUE``)."""
    if not isinstance(key, str):
        return None
    match = _SECRET_KEY_END.search(key)
    if match is None:
        return None
    return _unquoted(key[match.end() :].lstrip(":= \t\r\n"))


def _value_after_space(key: str) -> bool:
    """A Secret key whose sensitive-looking name is followed by a space or tab and a value
    (a missing colon), as opposed to a key that merely holds a space."""
    match = _SECRET_KEY_END.search(key)
    return (
        match is not None
        and match.group() in " \t"
        and dapr_model.name_looks_sensitive(key[: match.start()].strip())
    )


def _b64decode(text: str) -> str | None:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def is_distinctive(secret: str) -> bool:
    """Whether ``secret`` is long or random enough that it cannot be an ordinary word."""
    if len(secret) >= DISTINCTIVE_LENGTH:
        return True
    if len(secret) < RANDOM_LENGTH:
        return False
    classes = (
        any(c.isupper() for c in secret)
        + any(c.islower() for c in secret)
        + any(c.isdigit() for c in secret)
        + any(not c.isalnum() for c in secret)
    )
    return classes >= 3 and shannon_entropy(secret) >= RANDOM_BITS


def _spellings(text: str) -> set[str]:
    """``text`` as rules print it: itself, JSON- and repr-quoted, as a JSON pointer segment."""
    return {
        text,
        json.dumps(text)[1:-1],
        repr(text)[1:-1],
        text.replace("~", "~0").replace("/", "~1"),
    }


class SecretIndex:
    """A resource's secrets, indexed so that finding them in a text costs time in the length of
    the text, not in the number or the lengths of the secrets."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Spellings of distinctive secrets by their first ANCHOR characters, each list sorted.
        self._anchored: dict[str, list[str]] = {}
        # Distinctive spellings shorter than PREFIX: found whole, they are masked whole.
        self._short: set[str] = set()
        # Spellings of the other secrets, masked only where they stand as a value.
        self._words: set[str] = set()
        self._longest_word = 0
        for secret in set(secrets):
            if secret.strip():
                self._add_secret(secret)
        for spellings in self._anchored.values():
            spellings.sort()
        self._longest = {a: max(map(len, s)) for a, s in self._anchored.items()}

    def _add_secret(self, secret: str) -> None:
        if not is_distinctive(secret):
            for spelling in _spellings(secret):
                self._words.add(spelling)
                self._longest_word = max(self._longest_word, len(spelling))
            return
        # a multi-line secret may be printed with other line endings or indentation
        pieces = {secret}
        pieces.update(line.strip() for line in secret.splitlines() if len(line.strip()) >= LINE)
        for piece in pieces:
            for spelling in _spellings(piece):
                if len(spelling) < ANCHOR:
                    continue  # a distinctive secret has at least 8 characters; its lines 16
                self._anchored.setdefault(spelling[:ANCHOR], []).append(spelling)
                if len(spelling) < PREFIX:
                    self._short.add(spelling)

    def spans(self, text: str, *, pointer: bool = False) -> list[tuple[int, int]]:
        """The stretches of ``text`` to mask, in order, overlapping ones merged. ``pointer``:
        ``text`` is a JSON pointer, whose segments are values too."""
        found: list[tuple[int, int]] = []
        if self._anchored:
            found.extend(self._distinctive_spans(text))
        if self._words:
            found.extend(self._word_spans(text, pointer))
        return merged_spans(found)

    def _anchor_hits(self, text: str) -> Iterator[tuple[int, str]]:
        anchors: Iterable[str] = self._anchored
        if len(self._anchored) > FIND_LIMIT:
            grams = {text[i : i + ANCHOR] for i in range(len(text) - ANCHOR + 1)}
            anchors = grams & self._anchored.keys()
        for anchor in anchors:
            start = text.find(anchor)
            while start != -1:
                yield start, anchor
                start = text.find(anchor, start + 1)

    def _distinctive_spans(self, text: str) -> Iterator[tuple[int, int]]:
        """A distinctive secret is masked wherever it occurs, inside words too; a copy cut short
        from PREFIX characters of its beginning on, or from ANCHOR right before a cut."""
        # Following beginnings reads at most this much: only a text written to be slow (secrets
        # sharing long beginnings, repeated) reaches it, and then each beginning is masked.
        budget = 4 * len(text) + 4096
        for start, anchor in self._anchor_hits(text):
            probe = text[start : start + self._longest[anchor]]
            if budget < len(probe):
                yield start, start + ANCHOR
                continue
            budget -= len(probe)
            reach = _followed(probe, self._anchored[anchor])
            if (
                reach >= PREFIX
                or text.startswith(CUT, start + reach)
                or any(text[start : start + n] in self._short for n in range(ANCHOR, reach + 1))
            ):
                yield start, start + reach

    def _word_spans(self, text: str, pointer: bool) -> Iterator[tuple[int, int]]:
        """Where a spelling of another secret stands as a value: the whole text; quoted; after
        '=', ':', ': ' or '= ' up to a delimiter; a whole JSON pointer segment but the first."""
        if text in self._words:
            yield 0, len(text)
            return
        ends = [m.start() for m in _END.finditer(text)]
        ends.append(len(text))
        starts = [(m.end(), m.group()[0]) for m in _VALUE_START.finditer(text)]
        if pointer:
            starts.extend((m.end(), "/") for m in _SEGMENT_START.finditer(text))
        for start, opener in starts:
            closers = _CLOSERS.get(opener)
            at = bisect.bisect_right(ends, start)
            while at < len(ends) and ends[at] - start <= self._longest_word:
                end = ends[at]
                at += 1
                if closers is not None and end < len(text) and text[end] not in closers:
                    continue
                if text[start:end] in self._words:
                    yield start, end


def _followed(probe: str, spellings: list[str]) -> int:
    """How far ``probe`` repeats the beginning of one of ``spellings`` (sorted): the longest
    common prefix with a sorted set is the one with a neighbour of the probe in its order."""
    at = bisect.bisect_left(spellings, probe)
    return max(_common_prefix(probe, s) for s in spellings[max(0, at - 1) : at + 1])


def _common_prefix(text: str, spelling: str) -> int:
    """Length of the common beginning, by bisection over slice comparisons."""
    low, high = 0, min(len(text), len(spelling))
    while low < high:
        middle = (low + high + 1) // 2
        if text[:middle] == spelling[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
