"""Documentation placeholders: the ``<NAME>``, ``<REPLACE-WITH-HOST>``, ``YOUR_API_KEY``,
``****``, ``[key]`` and ``{your-value}`` that docs and samples write where a person has to put
a value before the manifest is applied.

They are not the markers a tool fills in (``${VAR}``, ``{{ .Values.x }}``, and Dapr's own
``{uuid}``, ``{podName}``, ``{namespace}``, ``{appID}``, which daprd substitutes in component
metadata: ``tools.secrets.text.is_placeholder`` recognises those for the secret checks), and
they are not secrets. ``tools/validate.py`` reports each resource that holds some as one
``input-placeholder`` finding and drops the other rules' findings about those fields.

Every scan is linear: one pass over a string of at most ``MAX_TEXT`` characters, each ``<``
looking ahead at most ``MAX_TOKEN`` characters, and word patterns with possessive quantifiers
that never backtrack.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

# Longer strings and multi-line text (scripts, configuration files in a ConfigMap) are not
# scanned: a placeholder is a short, one-line value.
MAX_TEXT = 2048
MAX_TOKEN = 100

# What daprd itself substitutes in a Component's metadata values (dapr/dapr
# pkg/runtime/meta/meta.go, Meta.convertItemsToProps): values, not placeholders.
DAPR_FILLED = frozenset({"{uuid}", "{podName}", "{namespace}", "{appID}"})

# Characters that end an embedded <...> without making it a placeholder: code, markup, quoting.
_NOT_IN_ANGLE = frozenset("<\n\r\"'`=&|;{}@")

# Placeholder words, each starting at a word boundary and running over a word possessively.
# YOUR_API_KEY, YOUR-KEY, REPLACE_HOST, REPLACEME in capitals anywhere; the lower-case forms
# (your-account, your_password, yourApiKey, replace-with-host, replace_me) not right after a
# space, so that prose in a description ("keeps your_data") is not one.
_WORDS = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"YOUR[_-][A-Z0-9][A-Z0-9_-]*+"
    r"|REPLACE(?:[_-][A-Z0-9][A-Z0-9_-]*+|ME\b)"
    r"|(?<!\s)(?:[Yy]our[_-][A-Za-z0-9][A-Za-z0-9_-]*+|your[A-Z][A-Za-z0-9]*+"
    r"|[Rr]eplace[_-]?(?:with|me)(?:[_-][A-Za-z0-9_-]*+)?\b)"
    r")",
    re.ASCII,
)
# Whole values only: "[key]", "[your value]", "{your-value}" (a route's "/orders/{id}" is not).
_BRACKETED = re.compile(r"\[[A-Za-z][A-Za-z0-9 _.-]{0,100}+\]|\{[A-Za-z][A-Za-z0-9 _.-]{0,100}+\}")
# One word, for a one-item list (YAML reads an unquoted [your-region] as a list).
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,100}+")


def _angle_spans(text: str) -> Iterator[tuple[int, int]]:
    """Each embedded ``<words>``: ``<`` at the start or after a character that is not a letter
    or digit, then a letter, at most MAX_TOKEN characters that are not code or markup, a last
    character that is not a space or ``/``, and ``>`` at the end or before a non-alphanumeric
    character. So ``a < b``, ``a<b``, ``List<String>``, ``<br/>`` and ``x<y && z>w`` are not."""
    start = text.find("<")
    while start != -1:
        end = -1
        first = start + 1
        if (
            (start == 0 or not text[start - 1].isalnum())
            and first < len(text)
            and text[first].isalpha()
        ):
            for at in range(first + 1, min(len(text), first + MAX_TOKEN + 1)):
                char = text[at]
                if char == ">":
                    end = at
                    break
                if char in _NOT_IN_ANGLE:
                    break
        if (
            end != -1
            and not text[end - 1].isspace()
            and text[end - 1] != "/"
            and (end + 1 == len(text) or not text[end + 1].isalnum())
        ):
            yield start, end + 1
            start = text.find("<", end + 1)
        else:
            start = text.find("<", start + 1)


def _star_spans(text: str) -> Iterator[tuple[int, int]]:
    """Each run of three or more ``*``: a masked value (``****``, ``password=*****``)."""
    start = text.find("***")
    while start != -1:
        end = start + 3
        while end < len(text) and text[end] == "*":
            end += 1
        yield start, end
        start = text.find("***", end)


def _may_hold(text: str) -> bool:
    """A quick test that most values fail: nothing that can start a placeholder."""
    return (
        "<" in text
        or "***" in text
        or "our" in text
        or "OUR" in text
        or "eplace" in text
        or "EPLACE" in text
        or text.lstrip()[:1] in ("[", "{")
    )


# What the YAML or JSON text of a document must contain for any of its values to hold a
# placeholder: a bracketed one is a quoted scalar (unquoted, [key] is a list, and a one-item
# list counts only for a your-/replace- word).
_DOCUMENT_MARKERS = ("<", "***", "YOUR", "Your", "your", "eplace", "EPLACE", '"[', "'[", '"{', "'{")


def may_appear(document_text: str) -> bool:
    """False when no value of the document whose source text this is can hold a placeholder:
    most documents are passed over without a walk of their values."""
    return any(marker in document_text for marker in _DOCUMENT_MARKERS)


def spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each placeholder in ``text``, in order; [] for long or multi-line text."""
    if len(text) > MAX_TEXT or "\n" in text or not _may_hold(text):
        return []
    found = [*_angle_spans(text), *_star_spans(text)]
    found.extend(match.span() for match in _WORDS.finditer(text))
    stripped = text.strip()
    if stripped not in DAPR_FILLED and _BRACKETED.fullmatch(stripped):
        begin = text.index(stripped)
        found.append((begin, begin + len(stripped)))
    found.sort()
    merged: list[tuple[int, int]] = []
    for begin, end in found:  # a word inside <...> (<YOUR_KEY>) is part of it
        if merged and begin < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def is_docs_placeholder(text: str) -> bool:
    """True when the whole value, spaces aside, is one placeholder (``<NAME>``, ``****``,
    ``YOUR_API_KEY``, ``"[key]"``, ``{your-value}``)."""
    stripped = text.strip()
    if not stripped:
        return False
    if _whole_angle(stripped):
        return True
    found = spans(stripped)
    return len(found) == 1 and found[0] == (0, len(stripped))


def _whole_angle(stripped: str) -> bool:
    """``<...>`` as the whole value, looser than inside text: ``<your password; 8+ chars>``."""
    return (
        3 <= len(stripped) <= MAX_TOKEN + 2
        and stripped[0] == "<"
        and stripped[-1] == ">"
        and stripped[1].isalpha()
        and not stripped[-2].isspace()
        and stripped[-2] != "/"
        and "<" not in stripped[1:-1]
        and ">" not in stripped[1:-1]
        and "@" not in stripped
        and "\n" not in stripped
    )


@dataclass(frozen=True)
class Placeholder:
    """One field that holds a placeholder."""

    path: tuple[str | int, ...]
    token: str  # the first placeholder in the value, as written
    whole: bool  # the value is the placeholder and nothing else
    rest: str  # the value with its placeholders taken out ("" when whole)


def _in_text(path: tuple[str | int, ...], text: str) -> Placeholder | None:
    if len(text) > MAX_TEXT or not _may_hold(text):
        return None
    if is_docs_placeholder(text):
        return Placeholder(path, text.strip()[: MAX_TOKEN + 2], True, "")
    found = spans(text)
    if not found:
        return None
    rest = []
    last = 0
    for begin, end in found:
        rest.append(text[last:begin])
        last = end
    rest.append(text[last:])
    begin, end = found[0]
    return Placeholder(path, text[begin:end][: MAX_TOKEN + 2], False, "".join(rest))


# The client-side copy of the whole object kubectl keeps: its placeholders are the fields'.
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
_ANNOTATIONS = ("metadata", "annotations")


def find(doc: Any) -> list[Placeholder]:
    """Every string field of ``doc`` (values, not keys) that holds a placeholder, in document
    order. A one-item list whose item is a placeholder word (YAML reads ``value: [your-region]``
    as a list) is reported at the list. Iterative, one visit per node; a field's path is built
    only when its value may hold a placeholder (building one per node cost a fifth of a run)."""
    found: list[Placeholder] = []
    keys: list[str | int] = []  # the key of each node entered, by entry number
    parents: list[int] = []  # the entry number of its parent (-1: the document)

    def path_of(entry: int) -> tuple[str | int, ...]:
        parts: list[str | int] = []
        while entry >= 0:
            parts.append(keys[entry])
            entry = parents[entry]
        return tuple(reversed(parts))

    def enter(parent: int, key: str | int) -> int:
        keys.append(key)
        parents.append(parent)
        return len(keys) - 1

    pending: list[tuple[Any, int]] = [(doc, -1)]
    while pending:
        node, entry = pending.pop()
        if isinstance(node, str):
            if len(node) <= MAX_TEXT and _may_hold(node):
                mark = _in_text(path_of(entry), node)
                if mark is not None:
                    found.append(mark)
        elif isinstance(node, dict):
            children = []
            for key, value in node.items():
                if not isinstance(value, str | dict | list):
                    continue
                if key == _LAST_APPLIED and path_of(entry) == _ANNOTATIONS:
                    continue
                children.append((value, enter(entry, str(key))))
            pending.extend(reversed(children))
        elif isinstance(node, list):
            if len(node) == 1 and isinstance(node[0], str) and _one_word(node[0]):
                found.append(Placeholder(path_of(entry), node[0], True, ""))
                continue
            children = [
                (value, enter(entry, i))
                for i, value in enumerate(node)
                if isinstance(value, str | dict | list)
            ]
            pending.extend(reversed(children))
    return found


def _one_word(text: str) -> bool:
    return bool(_WORD.fullmatch(text)) and is_docs_placeholder(text)
