"""Keep secret values out of everything the tooling prints.

Two layers: ``secret_values(resource)`` collects the values a resource holds that look secret,
and ``redact(text, secrets)`` removes them from a text; ``redact_text`` removes what looks
secret in free text (helm's stderr, for instance) without knowing any value in advance.
``redact_findings`` applies both to every text of every finding (message, JSON pointer path,
template, suppression reason) and to the identity of its resource (apiVersion, kind, name,
namespace) before a formatter sees it, so no format, label or fingerprint is made from a raw
secret. The file name is the one exception: it is what the user named on the command line.

What is secret: sensitive Component metadata given as a literal, every value of a Secret's
``data`` (also decoded) and ``stringData``, what ``tools/secret_text.py`` finds in any string
or any mapping key (URL passwords, private keys, ``password=`` values, known token formats,
high-entropy tokens), and values carried *in keys*: a key that reads ``<sensitive name>:value``
or ``=value`` (``{password:VALUE}`` in a flow mapping is one key, the value inside it), and the
part after ``:``, ``=`` or a space in a key of a Secret's data (the API server refuses those
characters in a Secret key, so they mark a value run into its key).

Where a known secret is masked. A secret is printed by rules in several spellings, so each is
looked for as itself, JSON-quoted (field errors), ``repr``-quoted, and as a JSON pointer
segment (``/`` as ``~1``); a multi-line secret also by each of its long lines. Then:

- a *distinctive* secret, one that cannot be an ordinary word, is masked wherever it occurs,
  inside longer words too; and where a message shows only its start (field errors cut long
  values at 80 characters), from any 16 characters of its beginning for as far as it goes.
  Distinctive: at least 20 characters, or at least 8 with three of upper case, lower case,
  digits and other characters and 3 bits of entropy per character (what a password looks
  like and a word does not);
- any other secret (``example``, ``todo``, ``hunter2``) is masked only where it stands as a
  whole token: bounded by the text's ends, whitespace, quotes, ``=``, ``:``, ``,``, ``;`` or
  brackets, the characters that delimit a value in a message, a path or a key. Not by ``.``,
  ``-``, ``/`` or ``@``: they join words into host names, paths and addresses, so a secret
  ``example`` leaves ``e.g. 'example.com'`` alone while ``password:example`` loses it.

A short secret that equals a word standing alone in a message is still masked there: nothing
can tell that word from the printed value.

Cost: for each length of the needles (the spellings, their long lines and 16-character
beginnings), ``SecretIndex`` finds the few needles of that length with ``str.find``, or looks
up every substring of that length in a hash table when there are more. So redacting a text
costs time in its length times the number of distinct needle lengths, never in the number of
secrets (a resource may hold thousands); following a cut-short copy is a bisection over the
sorted beginnings, within a budget proportional to the text. No regular expression is built
from a secret.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tools import dapr_model, token_formats
from tools.secret_text import (
    DSN_USERINFO,
    KEYVALUE_SECRET,
    PEM_BLOCK,
    TOKEN_RUN,
    find_secrets_in_text,
    is_placeholder,
    is_private_pem,
    looks_like_token,
    shannon_entropy,
    url_credentials,
)

if TYPE_CHECKING:
    from tools.findings import Finding
    from tools.resources import Resource

MASK = "[REDACTED]"

DISTINCTIVE_LENGTH = 20
RANDOM_LENGTH = 8
RANDOM_BITS = 3.0
# How much of a distinctive secret's beginning must show for a cut-short copy to be masked.
PREFIX = 16
# Up to this many needles of one length are each found with str.find (fast, but its cost grows
# with their number); more are looked up position by position in a hash table.
FIND_LIMIT = 8
# A multi-line secret is also looked for line by line, for its lines at least this long.
LINE = 16
_BOUNDARY = frozenset("'\"`=:,;()[]{}<>")
# In a key: where a name ends and a value run into it begins.
_NAME_END = re.compile(r"[:=]")
_SECRET_KEY_END = re.compile(r"[\s:=]")


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
    for key in _walk_keys(resource.doc):
        found.update(secret for _kind, secret in find_secrets_in_text(key))
        named = _value_in_named_key(key)
        if named:
            found.add(named)
    return {s for s in found if s.strip()}


def _unquoted(text: str) -> str | None:
    value = text.strip().strip("'\"").strip()
    return value if value and not is_placeholder(value) else None


def _value_in_named_key(key: str) -> str | None:
    """``VALUE`` of a key ``password:VALUE`` or ``apiKey = VALUE``: a sensitive name first."""
    match = _NAME_END.search(key)
    if match is None or not dapr_model.name_looks_sensitive(key[: match.start()].strip()):
        return None
    return _unquoted(key[match.end() :].lstrip(":= \t"))


def _value_in_secret_key(key: object) -> str | None:
    """What follows ``:``, ``=`` or a space in a Secret's data key (``pass=VALUE``)."""
    if not isinstance(key, str):
        return None
    match = _SECRET_KEY_END.search(key)
    if match is None:
        return None
    return _unquoted(key[match.end() :].lstrip(":= \t\r\n"))


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


@dataclass
class _Needle:
    whole: bool = False  # a spelling of a secret: masked where it stands as a token
    anywhere: bool = False  # ...of a distinctive secret: masked wherever it occurs
    starts: list[str] = field(default_factory=list)  # spellings it begins, kept sorted
    longest: int = 0  # the longest of them


class SecretIndex:
    """A resource's secrets, indexed so that finding them in a text costs time in the length of
    the text, not in the number of secrets."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._by_length: dict[int, dict[str, _Needle]] = {}
        self._lengths: list[int] = []
        for secret in set(secrets):
            if secret.strip():
                self._add_secret(secret)
        self._lengths = sorted(self._by_length)
        for needles in self._by_length.values():
            for needle in needles.values():
                needle.starts.sort()
                needle.longest = max(map(len, needle.starts), default=0)

    def _needle(self, text: str) -> _Needle:
        return self._by_length.setdefault(len(text), {}).setdefault(text, _Needle())

    def _add_secret(self, secret: str) -> None:
        distinctive = is_distinctive(secret)
        pieces = {secret}
        if distinctive:
            # a multi-line secret may be printed with other line endings or indentation
            pieces.update(line.strip() for line in secret.splitlines() if len(line.strip()) >= LINE)
        for piece in pieces:
            for spelling in _spellings(piece):
                needle = self._needle(spelling)
                needle.whole = True
                needle.anywhere = needle.anywhere or distinctive
                if distinctive and len(spelling) > PREFIX:
                    self._needle(spelling[:PREFIX]).starts.append(spelling)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The stretches of ``text`` to mask, in order, overlapping ones merged."""
        scan = _Scan(text)
        for length in self._lengths:
            if length > len(text):
                break
            needles = self._by_length[length]
            if len(needles) <= FIND_LIMIT:
                for piece, needle in needles.items():
                    start = text.find(piece)
                    while start != -1:
                        scan.found(start, piece, needle)
                        start = text.find(piece, start + 1)
                continue
            for start in range(len(text) - length + 1):
                piece = text[start : start + length]
                candidate = needles.get(piece)
                if candidate is not None:
                    scan.found(start, piece, candidate)
        return _merged(scan.spans)


class _Scan:
    """The stretches found in one text so far, and how far cut-short copies were followed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []
        self.reached: dict[str, int] = {}
        # Following cut-short copies reads at most this much: only a manifest written to be
        # slow (secrets sharing a long beginning, repeated in a long text) reaches it, and
        # then each copy's first PREFIX characters are still masked.
        self.budget = 4 * len(text) + 4096

    def found(self, start: int, piece: str, needle: _Needle) -> None:
        text = self.text
        end = start
        if (
            needle.anywhere
            or needle.starts
            or (needle.whole and _alone(text, start, start + len(piece)))
        ):
            end = start + len(piece)
        if needle.starts and start >= self.reached.get(piece, 0):
            probe = text[start : start + needle.longest]
            if self.budget >= len(probe):
                self.budget -= len(probe)
                self.reached[piece] = start + _followed(probe, needle.starts)
                end = max(end, self.reached[piece])
        if end > start:
            self.spans.append((start, end))


def _alone(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands as a whole token (see the module docstring)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return (before.isspace() or before in _BOUNDARY) and (after.isspace() or after in _BOUNDARY)


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


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _masked(text: str, spans: list[tuple[int, int]]) -> str:
    parts: list[str] = []
    done = 0
    for start, end in spans:
        parts.append(text[done:start])
        parts.append(MASK)
        done = end
    parts.append(text[done:])
    return "".join(parts)


def redact(text: str, secrets: Iterable[str] | SecretIndex) -> str:
    """``text`` with each known secret masked (see the module docstring for where), then
    anything secret-looking."""
    index = secrets if isinstance(secrets, SecretIndex) else SecretIndex(secrets)
    spans = index.spans(text)
    return redact_text(_masked(text, spans) if spans else text)


def redact_text(text: str) -> str:
    """Remove private keys, URL passwords, ``password=`` values and tokens from free text."""

    def pem(match: re.Match[str]) -> str:
        return MASK if is_private_pem(match.group(1)) else match.group(0)

    text = PEM_BLOCK.sub(pem, text)
    text = _redact_url_passwords(text)
    text = DSN_USERINFO.sub(
        lambda m: (
            f"{m.group('user')}:{MASK}@" if not is_placeholder(m.group("password")) else m.group(0)
        ),
        text,
    )
    text = KEYVALUE_SECRET.sub(lambda m: f"{m.group('key')}{MASK}", text)
    text = _redact_known_tokens(text)
    return TOKEN_RUN.sub(
        lambda m: MASK if looks_like_token(m.group(0).strip(".-")) else m.group(0), text
    )


def _redact_known_tokens(text: str) -> str:
    spans = sorted((start, end) for _kind, start, end in token_formats.find_tokens(text))
    if not spans:
        return text
    parts: list[str] = []
    done = 0
    for start, end in spans:
        if start < done:
            continue  # inside a token already masked
        parts.append(text[done:start])
        parts.append(MASK)
        done = end
    parts.append(text[done:])
    return "".join(parts)


def _redact_url_passwords(text: str) -> str:
    parts: list[str] = []
    done = 0
    for found in url_credentials(text):
        if is_placeholder(found.password):
            continue
        parts.append(text[done : found.start])
        parts.append(f"{found.scheme}{found.user}:{MASK}@")
        done = found.end
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def redact_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding with every text and its resource's identity scrubbed of the resource's
    secrets and of anything secret-looking."""
    indexes: dict[int, SecretIndex] = {}
    shown: dict[int, Resource] = {}
    empty = SecretIndex(())
    out: list[Finding] = []
    for finding in findings:
        index = empty
        changes: dict[str, Any] = {}
        resource = finding.resource
        if resource is not None:
            key = id(resource)
            if key not in indexes:
                indexes[key] = SecretIndex(secret_values(resource))
                shown[key] = _identity_redacted(resource, indexes[key])
            index = indexes[key]
            if shown[key] is not resource:
                changes["resource"] = shown[key]
        for name in ("message", "path", "template", "suppressed"):
            text = getattr(finding, name)
            if text:
                clean = redact(text, index)
                if clean != text:
                    changes[name] = clean
        out.append(replace(finding, **changes) if changes else finding)
    return out


def _identity_redacted(resource: Resource, index: SecretIndex) -> Resource:
    """``resource`` itself, or when its apiVersion, kind, name or namespace holds a secret, a
    copy whose identity is redacted (its spec and data stay: rules' callers read them)."""
    from tools.resources import Resource

    doc = dict(resource.doc)
    metadata = dict(resource.metadata)
    changed = False
    for holder, name in (
        (doc, "apiVersion"),
        (doc, "kind"),
        (metadata, "name"),
        (metadata, "namespace"),
    ):
        value = holder.get(name)
        if isinstance(value, str):
            clean = redact(value, index)
            if clean != value:
                holder[name] = clean
                changed = True
    if not changed:
        return resource
    doc["metadata"] = metadata
    return Resource(
        doc=doc,
        file=resource.file,
        line=resource.line,
        text=resource.text,
        template=resource.template,
        profile=resource.profile,
        index=resource.index,
    )
