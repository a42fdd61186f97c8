"""reference-init-timeout: a Kafka component's initTimeout shorter than its dial timeout."""

from __future__ import annotations

from collections.abc import Iterator

from tools import catalog, dapr_model
from tools.findings import Finding, Severity
from tools.resources import Resource
from tools.rules import Bundle, Rule

KAFKA_TYPES = frozenset({"pubsub.kafka", "bindings.kafka"})
DEFAULT_INIT_TIMEOUT = 5.0  # seconds: daprd's default when initTimeout is empty or unparsable
DEFAULT_DIAL_TIMEOUT = 30.0  # seconds: the Kafka client's default dialTimeout


def _seconds(value: float) -> str:
    return f"{value:g}s"


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Component"):
        return
    if dapr_model.component_type(resource) not in KAFKA_TYPES:
        return
    raw = dapr_model.spec(resource).get("initTimeout")
    init = catalog.parse_go_duration(raw) if isinstance(raw, str) else None
    if isinstance(raw, str) and raw and init is None:
        return  # not a duration at all: dapr-init-timeout reports it
    init = init if init is not None and init > 0 else DEFAULT_INIT_TIMEOUT
    dial = DEFAULT_DIAL_TIMEOUT
    item = dapr_model.metadata_value(resource, "dialTimeout")
    if item is not None and item.secret_ref is None:
        parsed = catalog.parse_metadata_duration(item.text)
        if parsed is not None and parsed > 0:
            dial = parsed
    if init >= dial:
        return
    source = f"initTimeout {raw!r}" if isinstance(raw, str) else "the default initTimeout (5s)"
    yield RULE.finding(
        resource,
        f"{source} is shorter than the Kafka dial timeout ({_seconds(dial)}): when the first "
        "broker is slow or unreachable, daprd gives up on the component before the client "
        "retries, and the sidecar exits. Set spec.initTimeout to at least "
        f'{_seconds(dial)} (for example "{_seconds(max(dial, 30.0) * 2)}"), or lower dialTimeout',
        ("spec", "initTimeout") if isinstance(raw, str) else ("spec",),
    )


RULE = Rule(
    id="reference-init-timeout",
    category="reference",
    severity=Severity.WARNING,
    summary="a Kafka component's initTimeout is shorter than its dial timeout",
    check=check,
    explanation=(
        "daprd waits initTimeout (default 5s) for a component to initialise; the Kafka client "
        "waits dialTimeout (default 30s) per broker connection attempt."
    ),
    kinds=frozenset({"Component"}),
)
