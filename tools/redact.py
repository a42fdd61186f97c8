"""Keep secret values out of everything the tooling prints.

Two layers: ``secret_values(resource)`` collects the values a resource holds that look secret,
and ``redact(text, secrets)`` removes them from a text; ``redact_text`` removes what looks
secret in free text (helm's stderr, for instance) without knowing any value in advance.
``redact_findings`` applies both to every text of every finding (message, JSON pointer path,
template, suppression reason) and to the identity of its resource (name, namespace; the kind
and apiVersion get ``redact_text`` only: a secret is never the kind) before a formatter sees
it, so no format, label or fingerprint is made from a raw secret. The file name is the one
exception: it is what the user named on the command line. ``bounded_findings`` cuts texts
longer than TEXT_BOUND first, dropping the token the cut falls in; field errors cut values at
80 characters with ``shortened``, which masks what looks secret before it cuts.

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
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tools.dapr import model as dapr_model
from tools.secrets import token_formats
from tools.secrets.text import (
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
    from tools.core.findings import Finding
    from tools.core.resources import Resource

MASK = "[REDACTED]"

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
TEXT_BOUND = 2000
_LAST_BOUNDARY = re.compile(r".*[\s'\"`=:,;()\[\]{}<>/\\]", re.DOTALL)


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


def _pointer_values(path: str) -> set[str]:
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
        return _merged(found)

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


def redact(
    text: str,
    secrets: Iterable[str] | SecretIndex,
    *,
    pointer: bool = False,
    more: SecretIndex | None = None,
) -> str:
    """``text`` with each known secret masked (see the module docstring for where), then
    anything secret-looking. ``pointer``: ``text`` is a JSON pointer; ``more``: a second index
    (the values a finding's own path carries)."""
    index = secrets if isinstance(secrets, SecretIndex) else SecretIndex(secrets)
    spans = index.spans(text, pointer=pointer)
    if more is not None:
        spans = _merged(spans + more.spans(text, pointer=pointer))
    return redact_text(_masked(text, spans) if spans else text)


def shortened(text: str, limit: int) -> str:
    """``text`` for display, at most ``limit`` characters and "...": what looks secret is masked
    first, over the whole text, so that a cut cannot hide the end a detector needs (the '@'
    after a URL's password). A cut never splits a mask."""
    text = redact_text(text)
    if len(text) <= limit:
        return text
    straddling = text.find(MASK, max(0, limit - len(MASK) + 1), limit + len(MASK) - 1)
    cut = straddling + len(MASK) if 0 <= straddling < limit else limit
    return text[:cut] + CUT


# image:tag@sha256:... is an image reference pinned by digest, not user:password@host.
_DIGEST_ALGORITHMS = frozenset({"sha256:", "sha384:", "sha512:"})
_QUOTED = re.compile(r"(['\"])([^'\"\n]{1,4096})\1")


def redact_text(text: str) -> str:
    """Remove private keys, URL passwords, ``password=`` values and tokens from free text."""

    def pem(match: re.Match[str]) -> str:
        return MASK if is_private_pem(match.group(1)) else match.group(0)

    def dsn(match: re.Match[str]) -> str:
        after = match.string[match.end() : match.end() + 7]
        if is_placeholder(match.group("password")) or after in _DIGEST_ALGORITHMS:
            return match.group(0)
        return f"{match.group('user')}:{MASK}@"

    def quoted_dsn(match: re.Match[str]) -> str:
        return match.group(1) + DSN_USERINFO.sub(dsn, match.group(2)) + match.group(1)

    text = PEM_BLOCK.sub(pem, text)
    text = _redact_url_passwords(text)
    text = DSN_USERINFO.sub(dsn, text)
    # A quoted value that is itself user:password@host (helm's schema errors quote the value
    # they refuse: '...': 'user:pw@host' does not match pattern ...).
    text = _QUOTED.sub(quoted_dsn, text)
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
    secrets, of the values its path carries in keys, and of anything secret-looking."""
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
        carried = _pointer_values(finding.path) if finding.path else set()
        more = SecretIndex(carried) if carried else None
        for name in ("message", "path", "template", "suppressed"):
            text = getattr(finding, name)
            if text:
                clean = redact(text, index, pointer=name == "path", more=more)
                if clean != text:
                    changes[name] = clean
        out.append(replace(finding, **changes) if changes else finding)
    return out


def bounded_findings(findings: Iterable[Finding], bound: int = TEXT_BOUND) -> list[Finding]:
    """Each finding with every text longer than ``bound`` cut there, so that no hostile input
    can make a message (a list of every key, say) cost time and output without end.

    The last token is dropped whole (back to the boundary before it), so a secret that
    straddles the cut is not half-shown; what was cut is counted.
    """
    out: list[Finding] = []
    for finding in findings:
        changes: dict[str, Any] = {
            name: _cut(text, bound)
            for name in ("message", "path", "template", "suppressed")
            if len(text := getattr(finding, name) or "") > bound
        }
        out.append(replace(finding, **changes) if changes else finding)
    return out


def _cut(text: str, bound: int) -> str:
    head = text[:bound]
    boundary = _LAST_BOUNDARY.match(head)
    kept = head[: boundary.end() - 1].rstrip().rstrip(",;:=").rstrip() if boundary else ""
    return f"{kept} … ({len(text) - len(kept)} more characters)"


def _identity_redacted(resource: Resource, index: SecretIndex) -> Resource:
    """``resource`` itself, or when its apiVersion, kind, name or namespace holds a secret, a
    copy whose identity is redacted (its spec and data stay: rules' callers read them)."""
    from tools.core.resources import Resource

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
            # A secret is never the kind, and a name or namespace that merely equals one of the
            # resource's values (a Secret "postgres" holding the user "postgres") is a name:
            # only what looks secret by itself is masked in the identity.
            clean = redact_text(value)
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
