"""A Kafka component (`pubsub.kafka` or `bindings.kafka`) has a `spec.initTimeout` shorter than
its Kafka `dialTimeout`. The defaults, 5s and 30s, count when either is unset.

## Why

daprd gives each component `initTimeout` (default 5s when empty or unparsable) to initialise.
The Kafka client waits up to `dialTimeout` (default 30s) to connect to a broker. With a cold
or distant broker (a managed cloud cluster, a TLS handshake, a DNS delay), the client is still
connecting when daprd gives up.

## What happens at runtime

`InitComponentFailure`. Unless the component sets `ignoreErrors: true`, the sidecar exits and
the pod restarts, even though the broker would have answered a few seconds later.

A value that is not a Go duration at all (`"60"`) is reported by `dapr-init-timeout` instead.

## Dapr releases

`dialTimeout` is read by the Kafka components from components-contrib v1.18 on; with
`--dapr-version 1.16` or `1.17` the client dials with its 30s default whatever the metadata
says, so the rule compares initTimeout with 30s there (and dapr-unknown-metadata reports the
ignored name).

## How to fix

```yaml
spec:
  type: pubsub.kafka
  version: v1
  initTimeout: "60s"
```

Or lower `dialTimeout` below `initTimeout`, if the broker is known to answer fast.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import durations
from tools.dapr import model as dapr_model
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
    release = bundle.dapr.version
    change = bundle.dapr.changes.metadata_change(KAFKA_PACKAGES[type_], "dialTimeout")
    return change is None or change[1].present_in(release)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Component"):
        return
    if dapr_model.component_type(resource) not in KAFKA_TYPES:
        return
    raw = dapr_model.spec(resource).get("initTimeout")
    init = durations.parse_go_duration(raw) if isinstance(raw, str) else None
    if isinstance(raw, str) and raw and init is None:
        return  # not a duration at all: dapr-init-timeout reports it
    init = init if init is not None and init > 0 else DEFAULT_INIT_TIMEOUT
    dial = DEFAULT_DIAL_TIMEOUT
    item = dapr_model.metadata_value(resource, "dialTimeout")
    type_ = dapr_model.component_type(resource)
    if item is not None and item.secret_ref is None and _reads_dial_timeout(type_, bundle):
        parsed = durations.parse_metadata_duration(item.text)
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
    kinds=frozenset({"Component"}),
)
