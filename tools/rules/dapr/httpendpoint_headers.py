"""An HTTPEndpoint header with more than one of `value`, `secretKeyRef`, `envRef`, or the same
header name twice (names compared case-insensitively).

## Why

`ProcessResource` in `pkg/runtime/processor/secret/secret.go` (dapr/dapr 1.18) reads `envRef`
only when the header has no value, and overwrites the value with the secret when
`secretKeyRef` names one. `(*Channel).constructRequest` in `pkg/channel/http/http_channel.go`
applies the headers with `Header.Set`, one after the other.

## What happens at runtime

One of the two sources is silently ignored; for a repeated name, only the last entry reaches
the request.

## How to fix

Keep exactly one source and one entry per header.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "HTTPEndpoint"):
        return
    headers = dm.spec(resource).get("headers")
    seen: dict[str, int] = {}
    for index, header in enumerate(headers if isinstance(headers, list) else []):
        if not isinstance(header, dict):
            continue
        path = ("spec", "headers", index)
        ref = header.get("secretKeyRef")
        sources = [
            name
            for name, present in (
                ("value", header.get("value") is not None),
                ("secretKeyRef", isinstance(ref, dict) and bool(ref.get("name"))),
                ("envRef", bool(header.get("envRef"))),
            )
            if present
        ]
        name = header.get("name")
        if len(sources) > 1:
            yield RULE.finding(
                resource,
                f'header "{name}" sets {" and ".join(sources)}: daprd takes the value from one '
                "of them and silently ignores the other (a secret replaces a value; an envRef "
                "is read only when there is no value). Keep exactly one.",
                path,
            )
        if isinstance(name, str):
            key = name.lower()
            if key in seen:
                yield RULE.finding(
                    resource,
                    f'header "{name}" is set twice (entries {seen[key]} and {index}; HTTP header '
                    "names are case-insensitive): daprd sets each header in turn, so only the "
                    "last entry reaches the request. Keep one entry.",
                    (*path, "name"),
                )
            seen.setdefault(key, index)


RULE = Rule(
    id="dapr-httpendpoint-headers",
    category="dapr",
    severity=Severity.ERROR,
    summary="HTTPEndpoint header with two value sources, or set twice",
    check=check,
    kinds=frozenset({"HTTPEndpoint"}),
)
