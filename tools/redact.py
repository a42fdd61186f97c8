"""Keep secret values out of everything the tooling prints.

Two layers: ``secret_values(resource)`` collects the values a resource holds that look secret
(sensitive metadata fields, Secret data, and what ``tools/secret_text.py`` finds in any of its
strings: URL passwords, private keys, known token formats, high-entropy tokens), and
``redact(text, secrets)`` removes them from a message; ``redact_text`` removes what looks secret
in free text (helm's stderr, for instance) without knowing any value in advance.
``redact_findings`` applies both to every finding before a formatter sees it.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
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
    url_credentials,
)

if TYPE_CHECKING:
    from tools.findings import Finding
    from tools.resources import Resource

MASK = "[REDACTED]"

# A secret shorter than this is only removed where it stands as a whole word, so that a
# one-letter password does not blank out every "a" in a message.
_MIN_SUBSTRING = 4


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
