"""Subscription metadata daprd parses itself: `rawPayload`."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
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
    explanation="daprd reads metadata['rawPayload'] with strconv.ParseBool for every message "
    "it delivers; a value it cannot parse fails every message.",
    kinds=frozenset({"Subscription"}),
)
