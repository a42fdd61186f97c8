"""Secrets in free text: what a string holds that must not be printed or committed.

Text only, no resources: private-key PEM blocks, passwords in URLs and DSNs, ``password=``
values in connection strings, well-known credential formats (``tools/secrets/token_formats.py``) and
random-looking tokens, plus the placeholders (``${VAR}``, ``{{ .Values.x }}``, ``<password>``)
that stand for a value and are not one. ``tools/dapr/model.py`` asks it whether a sensitive
field's literal really is a secret; ``tools/redaction/masking.py`` uses it to collect and mask
secrets.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from tools.secrets import token_formats

# Placeholders that a test harness or a deployment tool fills in before Dapr sees the value.
_PLACEHOLDER = re.compile(
    r"^\s*(?:\$\{\{.*\}\}|\{\{.*\}\}|\$\{[^}]*\}|\$\(\([^)]*\)\)|\$\([^)]*\)|<[^<>]*>|\{(?:uuid|podName|namespace|appID)\})\s*$"
)


def is_placeholder(text: str) -> bool:
    """True for a value that is a substitution marker, not the value itself."""
    return bool(_PLACEHOLDER.match(text))


PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.*?(?:-----END \1-----|\Z)", re.DOTALL)


def is_private_pem(label: str) -> bool:
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

# What follows "://": the authority, up to the first '/', '?' or '#' (or a space: free text).
_AUTHORITY = re.compile(r"[^\s/?#]*", re.ASCII)
_USER = re.compile(r"[^\s:/]*", re.ASCII)
_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")
_SCHEME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True)
class UrlCredential:
    start: int
    end: int
    scheme: str
    user: str
    password: str


def url_credentials(text: str) -> Iterator[UrlCredential]:
    """Each ``scheme://user:password@`` in ``text``, read as Go's net/url and Python's
    urllib.parse read it, in linear time.

    The userinfo runs to the *last* '@' of the authority (which ends at the first '/', '?' or
    '#'), so a password may hold '@' (``admin:hunter@2024@db``: the password is
    ``hunter@2024``); the user ends at the first ':' and may hold '@' (``me@example.com``).
    The scheme is the longest run of scheme characters before "://" that starts with a letter,
    read backwards from it. Each "://" is found once; the scheme is read backwards (it cannot
    cross ':' or '/') and the authority forwards up to the next '/', which the next "://"
    holds, so the whole scan reads each character a bounded number of times. A regular
    expression alone would try every position of a long run of letters as a scheme: quadratic.
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
        found = _userinfo(text, after) if first != -1 else None
        if found is not None:
            user, password, end = found
            yield UrlCredential(first, end, text[first:after], user, password)
            after = end
        position = text.find("://", after)


def _userinfo(text: str, after: int) -> tuple[str, str, int] | None:
    """(user, password, end just past the '@') of the authority starting at ``after``."""
    authority_end = _AUTHORITY.match(text, after).end()  # type: ignore[union-attr]
    at = text.rfind("@", after, authority_end)
    if at == -1:
        return None
    user_end = _USER.match(text, after, at).end()  # type: ignore[union-attr]
    if user_end >= at or text[user_end] != ":" or user_end + 1 == at:
        return None
    return text[after:user_end], text[user_end + 1 : at], at + 1


# user:password@tcp(host:port)/db — Go MySQL driver DSN, no scheme.
DSN_USERINFO = re.compile(r"^(?P<user>[^\s:/@()]+):(?P<password>[^\s/]+)@", re.ASCII)

# password=... inside a key=value connection string (libpq DSN, ADO.NET, Azure).
KEYVALUE_SECRET = re.compile(
    r"(?P<key>\b(?:password|pwd|passwd|accountkey|sharedaccesskey|sharedaccesssignature|"
    r"secret|token|apikey|api_key|access_key|secret_key)\s*=\s*)"
    r"(?P<value>'[^']*'|\"[^\"]*\"|[^\s;&,]+)",
    re.IGNORECASE | re.ASCII,
)

TOKEN_RUN = re.compile(r"[A-Za-z0-9+/=_\-.~]{20,}")
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
    if is_private_pem(match.group(1)) or "-----END " in match.group(0):
        return " "
    return " " + match.group(0).split("-----", 2)[2]


def find_secrets_in_text(text: str) -> Iterator[tuple[str, str]]:
    """(kind, secret) for each secret-looking thing found in ``text``."""
    for match in PEM_BLOCK.finditer(text):
        if is_private_pem(match.group(1)):
            yield "a private key (PEM block)", match.group(0)
    for found in url_credentials(text):
        if not is_placeholder(found.password):
            yield "a password in a URL", found.password
    for match in DSN_USERINFO.finditer(text):
        password = match.group("password")
        pinned = text[match.end() : match.end() + 7] in ("sha256:", "sha384:", "sha512:")
        if not is_placeholder(password) and not pinned:
            yield "a password in a DSN", password
    for match in KEYVALUE_SECRET.finditer(text):
        value = match.group("value").strip("'\"")
        if value and not is_placeholder(value) and not value.startswith("$"):
            yield f"a {match.group('key').split('=')[0].strip()} in a connection string", value
    known: set[str] = set()
    for kind, start, end in token_formats.find_tokens(text):
        known.add(text[start:end])
        yield kind, text[start:end]
    without_pem = PEM_BLOCK.sub(_pem_out_of_token_scan, text)
    for match in TOKEN_RUN.finditer(without_pem):
        word = match.group(0).strip(".-")
        if word not in known and looks_like_token(word):
            yield "a high-entropy token", word


def embeds_credential(text: str) -> bool:
    """Whether a URL, DSN or connection string carries a password, key or token."""
    return any(True for _ in find_secrets_in_text(text))
