"""A Subscription's `metadata.rawPayload` that daprd cannot parse, or that is spelt in another
case.

## Why

For every message it delivers, daprd reads `metadata["rawPayload"]` (exact key) with Go's
`strconv.ParseBool`, which accepts only `1`, `t`, `T`, `TRUE`, `true`, `True`, `0`, `f`, `F`,
`FALSE`, `false`, `False` (an empty value means false).

## What happens at runtime

- Another value (`yes`, `on`, `tRUE`): daprd logs "error deserializing pubsub metadata" for
  each message and fails it: it goes to the dead-letter topic if set, otherwise it is
  retried; it never reaches the app.
- Another spelling of the key (`rawpayload`): the lookup misses it, so events arrive wrapped
  in a cloud event, not raw as written.

## How to fix

Write `rawPayload: "true"` or `"false"`.

## Source

dapr/dapr v1.18.3 `pkg/runtime/subscription/subscription.go` (`New`, the subscribe
handler); dapr/components-contrib v1.18.4 `metadata/utils.go` (`IsRawPayload`,
`RawPayloadKey`).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

KEY = "rawPayload"
# strconv.ParseBool, which components-contrib metadata.IsRawPayload uses.
GO_BOOLS = frozenset(
    {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}
)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Subscription"):
        return
    metadata = dm.spec(resource).get("metadata")
    if not isinstance(metadata, dict):
        return
    for key, value in metadata.items():
        if not isinstance(key, str) or key.lower() != KEY.lower():
            continue
        path = ("spec", "metadata", key)
        if key != KEY:
            yield RULE.finding(
                resource,
                f"'{key}' is not '{KEY}': daprd looks the key up with its exact spelling, so "
                "this entry is ignored and events arrive wrapped in a cloud event. Rename it.",
                path,
            )
            continue
        text = dm.stringify(value)
        if text and text not in GO_BOOLS:
            yield RULE.finding(
                resource,
                f"rawPayload '{text}' is not a Go boolean (true/false, 1/0, t/f, in those "
                "cases). daprd parses it for each message and fails it: every message goes to "
                "the dead-letter topic, or is retried, and never reaches the app.",
                path,
            )


RULE = Rule(
    id="dapr-subscription-metadata",
    category="dapr",
    severity=Severity.ERROR,
    summary="Subscription rawPayload that daprd cannot parse or does not find",
    check=check,
    kinds=frozenset({"Subscription"}),
)
