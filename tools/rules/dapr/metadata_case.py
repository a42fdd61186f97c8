"""A metadata name matches a field only when case is ignored (`initialoffset` for
`initialOffset`).

## Why

Most fields are decoded case-insensitively (dapr/kit `metadata.DecodeMetadata` hands the map
to mapstructure, which matches field names case-insensitively; `GetMetadataProperty`
lower-cases both sides), so the value still applies: the finding is info, a matter of style,
since the canonical spelling keeps manifests searchable and consistent with the documentation. A few
keys are
read with an exact-case map lookup: Kafka `initialOffset`, `caCert`, `consumeRetryInterval`,
`channelBufferSize`, `consumerFetchDefault`, `consumerFetchMin`, `excludeHeaderMetaRegex`,
the binding `route`, and RabbitMQ's deprecated `host` (`pubsub/rabbitmq/metadata.go`,
`createMetadata`). These are errors. The retry keys of Kafka, Event Hubs, SNS/SQS, JetStream
and RocketMQ (`backOffPolicy`, `backOffMaxRetries`, ...) are selected by dapr/kit
`config.PrefixedBy` with a case-sensitive `strings.CutPrefix("backOff")`: a name that does not
start with exactly `backOff` is an error; after the prefix, case does not matter.

## What happens at runtime

For exact-key fields a different case means the value is not found: the default applies
(`newest` offset, `POST /<component-name>` route) with no error. For the others, nothing
changes.

## How to fix

Rename the item to the spelling in the message. Documented aliases such as Kafka `clientId`
are accepted as they are.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    spec = bundle.dapr.component_spec(resource)
    if spec is None:
        return
    for item in dm.metadata_items(resource):
        field = spec.field(item.name)
        if field is None or item.name in field.spellings:
            continue
        canonical = next(s for s in field.spellings if s.lower() == item.name.lower())
        path = ("spec", "metadata", item.index, "name")
        prefix = field.exact_prefix
        if prefix and not item.name.startswith(prefix):
            yield RULE.finding(
                resource,
                f'"{item.name}" must start with exactly "{prefix}": the component selects '
                f"these keys with a case-sensitive prefix (dapr/kit retry config), so this "
                f'value is ignored and the default applies. Rename it to "{canonical}".',
                path,
                severity=Severity.ERROR,
            )
        elif prefix:
            continue  # after the prefix, names are matched case-insensitively
        elif field.exact_key:
            yield RULE.finding(
                resource,
                f'"{item.name}" must be spelt "{canonical}": the component looks this key up '
                "with its exact spelling, so this value is ignored and the default applies. "
                f'Rename it to "{canonical}".',
                path,
                severity=Severity.ERROR,
            )
        else:
            yield RULE.finding(
                resource,
                f'"{item.name}" works (names are matched case-insensitively) but the '
                f'documented spelling is "{canonical}"; use it so searches and reviews find it.',
                path,
                severity=Severity.INFO,
            )


RULE = Rule(
    id="dapr-metadata-case",
    category="dapr",
    severity=Severity.INFO,
    severity_note="; error for exact-key fields",
    summary="Metadata name not in its canonical case (error for exact-key fields)",
    check=check,
    kinds=frozenset({"Component"}),
)
