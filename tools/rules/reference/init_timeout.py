"""reference-init-timeout: a Kafka component's initTimeout shorter than its dial timeout."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import catalog
from tools.dapr import model as dapr_model
from tools.dapr.releases import load_release_data, release_of
from tools.rules import Bundle, Rule

# The components-contrib package of each Kafka type (registry.json).
KAFKA_PACKAGES = {"pubsub.kafka": "pubsub/kafka", "bindings.kafka": "bindings/kafka"}
KAFKA_TYPES = frozenset(KAFKA_PACKAGES)
DEFAULT_INIT_TIMEOUT = 5.0  # seconds: daprd's default when initTimeout is empty or unparsable
DEFAULT_DIAL_TIMEOUT = 30.0  # seconds: the Kafka client's default dialTimeout


def _seconds(value: float) -> str:
    return f"{value:g}s"


def _reads_dial_timeout(type_: str, bundle: Bundle) -> bool:
    """Whether the chosen release's Kafka code reads ``dialTimeout`` (from 1.18 on); before,
    the client keeps its default whatever the metadata says."""
    release = release_of(bundle.options)
    change = load_release_data().metadata_change(KAFKA_PACKAGES[type_], "dialTimeout")
    return change is None or change[1].present_in(release)


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
    type_ = dapr_model.component_type(resource)
    if item is not None and item.secret_ref is None and _reads_dial_timeout(type_, bundle):
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
