"""Keep secret values out of everything the tooling prints.

Two layers: ``secret_values(resource)`` collects the values a resource holds that look secret
(sensitive metadata fields, Secret data, URL passwords, private keys, high-entropy tokens), and
``redact(text, secrets)`` removes them from a message; ``redact_text`` removes what looks secret
in free text (helm's stderr, for instance) without knowing any value in advance.
``redact_findings`` applies both to every finding before a formatter sees it.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from tools import dapr_model, token_formats

if TYPE_CHECKING:
    from tools.findings import Finding
    from tools.resources import Resource

MASK = "[REDACTED]"

# A secret shorter than this is only removed where it stands as a whole word, so that a
# one-letter password does not blank out every "a" in a message.
_MIN_SUBSTRING = 4

PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.*?(?:-----END \1-----|\Z)", re.DOTALL)


def _is_private_pem(label: str) -> bool:
    """PRIVATE KEY, RSA/EC/ENCRYPTED/OPENSSH PRIVATE KEY, PGP PRIVATE KEY BLOCK: private.
    Certificates, public keys, CRLs and parameters are public by nature."""
    return "PRIVATE" in label


# The patterns below use ASCII classes (re.ASCII) so that the chart's values schema, whose
# regular expressions run in Go and JavaScript too, can refuse exactly what they find.

# scheme://user:password@host — the password part.
URL_USERINFO = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<user>[^\s:/@]*):(?P<password>[^\s@/]+)@",
    re.ASCII,
)

# What follows "://" in URL_USERINFO: the user and password up to the "@".
_AFTER_SCHEME = re.compile(r"(?P<user>[^\s:/@]*):(?P<password>[^\s@/]+)@", re.ASCII)
_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")
_SCHEME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class _UrlCredential:
    start: int
    end: int
    scheme: str
    user: str
    password: str


def _url_credentials(text: str) -> Iterator[_UrlCredential]:
    """The matches of URL_USERINFO in ``text``, found in linear time.

    The regular expression alone would try every position of a long run of letters as the
    start of a scheme and scan the rest of the run for "://" from each: quadratic. Here each
    "://" is found once, the scheme is read backwards from it and the user and password
    forwards; the runs read are disjoint (none of them can cross a ':' or '/'), so the whole
    scan reads each character a bounded number of times. The matches are the same as
    ``URL_USERINFO.finditer``: the scheme is the longest run of scheme characters before
    "://" that starts with a letter.
    """
    position = text.find("://")
    while position != -1:
        start = position
        first = -1
        while start > 0 and text[start - 1] in _SCHEME_CHARS:
            start -= 1
            if text[start] in _SCHEME_FIRST:
                first = start
        after = position + 3
        match = _AFTER_SCHEME.match(text, after) if first != -1 else None
        if match is not None:
            yield _UrlCredential(
                first, match.end(), text[first:after], match.group("user"), match.group("password")
            )
            after = match.end()
        position = text.find("://", after)


# user:password@tcp(host:port)/db — Go MySQL driver DSN, no scheme.
DSN_USERINFO = re.compile(r"^(?P<user>[^\s:/@()]+):(?P<password>[^\s@/]+)@", re.ASCII)

# password=... inside a key=value connection string (libpq DSN, ADO.NET, Azure).
KEYVALUE_SECRET = re.compile(
    r"(?P<key>\b(?:password|pwd|passwd|accountkey|sharedaccesskey|sharedaccesssignature|"
    r"secret|token|apikey|api_key|access_key|secret_key)\s*=\s*)"
    r"(?P<value>'[^']*'|\"[^\"]*\"|[^\s;&,]+)",
    re.IGNORECASE | re.ASCII,
)

_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-.~]{20,}")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")


def shannon_entropy(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def looks_like_token(word: str) -> bool:
    """A random-looking credential: long, mixed character classes, high entropy.

    Deliberately strict, because everything it matches is treated as a secret: it wants upper
    and lower case letters and digits, at least 20 characters, about 4 bits of entropy per
    character, and a character class that changes often (unlike CamelCase words). Hex strings
    (checksums, digests), UUIDs, dotted host names and paths are not tokens.
    """
    if len(word) < 20 or _UUID.match(word) or _HEX.match(word):
        return False
    if word.count(".") >= 1 and not word.startswith("eyJ") and _looks_like_hostname(word):
        return False
    if word[0] in "/.~":
        return False  # a path
    has_upper = any(c.isupper() for c in word)
    has_lower = any(c.islower() for c in word)
    has_digit = any(c.isdigit() for c in word)
    if not (has_upper and has_lower and has_digit):
        return False
    if _class_runs(word) < 0.4:
        return False  # CamelCase words: long runs of one character class
    threshold = 4.0 if len(word) >= 32 else 3.7
    return shannon_entropy(word) >= threshold


def _class_runs(word: str) -> float:
    """Runs of upper/lower/digit characters per character: ~0.6 in random text, ~0.3 in words."""
    classes = ["u" if c.isupper() else "l" if c.islower() else "d" for c in word if c.isalnum()]
    if not classes:
        return 0.0
    runs = 1 + sum(1 for a, b in itertools.pairwise(classes) if a != b)
    return runs / len(classes)


def _looks_like_hostname(word: str) -> bool:
    labels = word.strip(".").split(".")
    return len(labels) >= 2 and all(re.fullmatch(r"[A-Za-z0-9\-]{1,63}", p) for p in labels)


def _pem_out_of_token_scan(match: re.Match[str]) -> str:
    """What the token scan sees of a PEM block: nothing of a private key (already reported) or
    of a complete public block (its base64 body is random by nature); of a header without an
    END line, only what follows the header, which is not PEM and must still be scanned."""
    if _is_private_pem(match.group(1)) or "-----END " in match.group(0):
        return " "
    return " " + match.group(0).split("-----", 2)[2]


def find_secrets_in_text(text: str) -> Iterator[tuple[str, str]]:
    """(kind, secret) for each secret-looking thing found in ``text``."""
    for match in PEM_BLOCK.finditer(text):
        if _is_private_pem(match.group(1)):
            yield "a private key (PEM block)", match.group(0)
    for found in _url_credentials(text):
        if not dapr_model.is_placeholder(found.password):
            yield "a password in a URL", found.password
    for match in DSN_USERINFO.finditer(text):
        password = match.group("password")
        if not dapr_model.is_placeholder(password):
            yield "a password in a DSN", password
    for match in KEYVALUE_SECRET.finditer(text):
        value = match.group("value").strip("'\"")
        if value and not dapr_model.is_placeholder(value) and not value.startswith("$"):
            yield f"a {match.group('key').split('=')[0].strip()} in a connection string", value
    known: set[str] = set()
    for kind, start, end in token_formats.find_tokens(text):
        known.add(text[start:end])
        yield kind, text[start:end]
    without_pem = PEM_BLOCK.sub(_pem_out_of_token_scan, text)
    for match in _TOKEN.finditer(without_pem):
        word = match.group(0).strip(".-")
        if word not in known and looks_like_token(word):
            yield "a high-entropy token", word


def embeds_credential(text: str) -> bool:
    """Whether a URL, DSN or connection string carries a password, key or token."""
    return any(True for _ in find_secrets_in_text(text))


def _walk_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _walk_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk_strings(value)


def secret_values(resource: Resource) -> set[str]:
    """Every value of ``resource`` that must never appear in output."""
    found: set[str] = set()
    for item in dapr_model.literal_secrets(resource):
        found.add(item.text)
    if resource.kind == "Secret" and resource.group == "":
        for section in ("data", "stringData"):
            block = resource.doc.get(section)
            if not isinstance(block, dict):
                continue
            for value in block.values():
                if value is None:
                    continue
                text = dapr_model.stringify(value)
                found.add(text)
                if section == "data":
                    decoded = _b64decode(text)
                    if decoded:
                        found.add(decoded)
    for text in _walk_strings(resource.doc):
        for _kind, secret in find_secrets_in_text(text):
            found.add(secret)
    return {s for s in found if s.strip()}


def _b64decode(text: str) -> str | None:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


class SecretIndex:
    """A resource's secrets, indexed so that finding the ones a message contains costs time in
    the length of the message, not in the number of secrets (a resource may hold thousands).

    Each secret is looked for as itself and, for a multi-line secret, as each of its long lines
    (a message may show one line of it with other indentation).
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        self._by_length: dict[int, dict[str, set[str]]] = {}
        self._lengths: list[int] | None = None
        for secret in set(secrets):
            if not secret.strip():
                continue
            self._add(secret, secret)
            if len(secret) >= _MIN_SUBSTRING:
                for line in secret.splitlines():
                    if len(line.strip()) >= 16:
                        self._add(line.strip(), secret)

    def _add(self, needle: str, owner: str) -> None:
        self._by_length.setdefault(len(needle), {}).setdefault(needle, set()).add(owner)

    def within(self, text: str) -> list[str]:
        """The secrets that occur (or have a long line that occurs) in ``text``, longest first."""
        found: set[str] = set()
        if self._lengths is None:
            self._lengths = sorted(self._by_length)
        for length in self._lengths:
            if length > len(text):
                break
            needles = self._by_length[length]
            for start in range(len(text) - length + 1):
                owners = needles.get(text[start : start + length])
                if owners:
                    found |= owners
        return sorted(found, key=lambda s: (-len(s), s))


def redact(text: str, secrets: Iterable[str] | SecretIndex) -> str:
    """Replace each known secret in ``text`` (longest first), then anything secret-looking."""
    index = secrets if isinstance(secrets, SecretIndex) else SecretIndex(secrets)
    for secret in index.within(text):
        if len(secret) >= _MIN_SUBSTRING:
            text = text.replace(secret, MASK)
            # a multi-line secret may be printed with other line endings or indentation
            for line in secret.splitlines():
                if len(line.strip()) >= 16:
                    text = text.replace(line.strip(), MASK)
        else:
            text = re.sub(rf"(?<![\w]){re.escape(secret)}(?![\w])", MASK, text)
    return redact_text(text)


def redact_text(text: str) -> str:
    """Remove private keys, URL passwords, ``password=`` values and tokens from free text."""

    def pem(match: re.Match[str]) -> str:
        return MASK if _is_private_pem(match.group(1)) else match.group(0)

    text = PEM_BLOCK.sub(pem, text)
    text = _redact_url_passwords(text)
    text = DSN_USERINFO.sub(
        lambda m: (
            f"{m.group('user')}:{MASK}@"
            if not dapr_model.is_placeholder(m.group("password"))
            else m.group(0)
        ),
        text,
    )
    text = KEYVALUE_SECRET.sub(lambda m: f"{m.group('key')}{MASK}", text)
    text = _redact_known_tokens(text)
    return _TOKEN.sub(
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
    for found in _url_credentials(text):
        if dapr_model.is_placeholder(found.password):
            continue
        parts.append(text[done : found.start])
        parts.append(f"{found.scheme}{found.user}:{MASK}@")
        done = found.end
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def redact_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding with its message (and template path) scrubbed of its resource's secrets."""
    cache: dict[int, SecretIndex] = {}
    empty = SecretIndex(())
    out: list[Finding] = []
    for finding in findings:
        index = empty
        if finding.resource is not None:
            key = id(finding.resource)
            if key not in cache:
                cache[key] = SecretIndex(secret_values(finding.resource))
            index = cache[key]
        message = redact(finding.message, index)
        out.append(finding if message == finding.message else replace(finding, message=message))
    return out
