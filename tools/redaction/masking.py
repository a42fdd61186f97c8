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

The secret values and where they stand in a text: :mod:`tools.redaction.secret_index`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from tools.redaction.secret_index import (
    CUT,
    SecretIndex,
    merged_spans,
    pointer_values,
    secret_values,
)
from tools.secrets import token_formats
from tools.secrets.text import (
    DSN_USERINFO,
    KEYVALUE_SECRET,
    PEM_BLOCK,
    TOKEN_RUN,
    is_placeholder,
    is_private_pem,
    looks_like_token,
    url_credentials,
)

if TYPE_CHECKING:
    from tools.core.findings import Finding
    from tools.core.resource import Resource

MASK = "[REDACTED]"
TEXT_BOUND = 2000
_LAST_BOUNDARY = re.compile(r".*[\s'\"`=:,;()\[\]{}<>/\\]", re.DOTALL)


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
        spans = merged_spans(spans + more.spans(text, pointer=pointer))
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
        carried = pointer_values(finding.path) if finding.path else set()
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
    from tools.core.resource import Resource

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
