"""A metadata name the component still reads, but which is deprecated (in favour of the name the
message gives, when there is one).

## Why

Deprecated names keep working today, so they are never reported as ignored; they may be
removed in a later Dapr release. Sources: fields marked `deprecated: true` in the component's
`metadata.yaml` (for example `connMaxIdleTime` of `configuration.postgresql`); fields of the
Go structs the component decodes that are squashed in from a `Deprecated…` struct (the
PostgreSQL components' `awsAccessKey`/`awsSecretKey`, components-contrib
`common/aws/deprecated.go`, `DeprecatedPostgresIAM`) or carry a "Deprecated alias for X"
comment (`schemas/dapr-components/code_fields.json`); and names read by hand-written code,
recorded in `schemas/dapr-components/_overrides.json` (Kafka `authRequired`, use `authType`).
RabbitMQ `host`: components-contrib `pubsub/rabbitmq/metadata.go`, `createMetadata`, copies
`host` into `connectionString` when `connectionString` is missing or empty, and logs a
deprecation notice.

## Dapr releases

Deprecations are judged against the chosen release (`--dapr-version`): where the metadata.yaml
of an earlier supported release does not mark a field deprecated (`deprecated: false` in a
`component_specs` record of `schemas/releases.json`, applied by
`tools/dapr/release_catalog.py`), the message says "deprecated since Dapr X", and on the earlier
release the field is not reported. Between 1.16, 1.17 and 1.18 no field's deprecation differs
in the mirrors (v1.16.13, v1.17.8, v1.18.4), so today every deprecation holds for all three.

## What happens at runtime

The value applies as before, with a deprecation line in the daprd log where the component
writes one. For RabbitMQ `host` the key is read with an exact-case map lookup, so `Host` is
ignored (`dapr-metadata-case` reports that as an error).

## How to fix

Rename the item to the name the message suggests (`connectionString` for RabbitMQ `host`).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.component_spec import FieldSpec
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    spec = bundle.dapr.component_spec(resource)
    if spec is None:
        return
    type_ = dm.component_type(resource)
    for item in dm.metadata_items(resource):
        field = spec.field(item.name)
        if field is None or not field.deprecated or item.name.lower() != field.name.lower():
            continue
        if field.exact_key and item.name != field.name:
            continue  # read by its exact spelling: dapr-metadata-case reports it as ignored
        path = ("spec", "metadata", item.index, "name")
        yield RULE.finding(resource, message(field, type_), path)


def message(field: FieldSpec, type_: str) -> str:
    """The finding for a deprecated field, dated when an earlier release did not deprecate it."""
    since = f" since Dapr {field.deprecated_since}" if field.deprecated_since else ""
    instead = f'; use "{field.replaced_by}" instead' if field.replaced_by else ""
    return (
        f'"{field.name}" is deprecated{since}{instead}. {type_} still reads it today, but a '
        "later release may drop it."
    )


RULE = Rule(
    id="dapr-deprecated-metadata",
    category="dapr",
    severity=Severity.WARNING,
    summary="Metadata name the component still reads but has deprecated",
    check=check,
    kinds=frozenset({"Component"}),
)
