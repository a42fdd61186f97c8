"""A `spec.metadata` name is not a field the component reads: not in its upstream metadata file,
its authentication profiles, the runtime-level keys of its category (`keyPrefix`,
`actorStateStore`, outbox keys, `consumerID`, topic scopes, binding `direction`/`route`), the
names its Go code decodes (`mapstructure` tags and `mapstructurealiases` of the structs in
`schemas/dapr-components/code_fields.json`, e.g. PostgreSQL `timeoutInSeconds`, AWS
`awsRegion`), the names it looks up itself (`schemas/dapr-components/metadata_reads.json`:
the alias lists `GetMetadataProperty` resolves in any case, such as Azure Storage's
`storageAccount`, `storageAccessKey` and `container` from `common/authentication/azure/
metadata-properties.go`; exact map keys kept for older manifests, such as Redis `maxRetries`
and `maxRetryBackoff` in `common/component/redis/redis.go`; the category helpers, such as
`concurrencyMode` read by `pubsub.Concurrency`; and keys read by a prefix while ranging over the
metadata, such as GraphQL's `header:…`) or the known aliases. A deprecated name the code still
reads is never reported here (`dapr-deprecated-metadata` warns about it). The component is
found through daprd's registry, so a registered alias type (`pubsub.azure.servicebus`) is
checked against the metadata of the package its factory comes from.

## Why

Components decode metadata without rejecting unknown keys. A misspelt or invented name
(`compressionType` for `compression`, `enableIdempotence`, `vaultName` on the Kubernetes
secret store) gets no error and no log line.

## What happens at runtime

Nothing: the setting has no effect and the default applies. That is the danger: the manifest
says "snappy compression" or "idempotent producer" and neither happens.

A name can also be read and then discarded. `pubsub.rabbitmq` decodes `concurrency` (its
metadata.yaml documents it), but `createMetadata` (`pubsub/rabbitmq/metadata.go`, the same in
the contrib releases Dapr 1.16–1.18 pin) then sets the field to `pubsub.Concurrency(...)`,
which reads `concurrencyMode` and defaults to `parallel`: `concurrency: single` gives parallel
delivery. That is an error (hand-checked; `_overrides.json` `overwritten`).

## Dapr releases

With `--dapr-version 1.16` or `1.17` (or a profile's `daprVersion`), a name that release's
component code and metadata.yaml do not have yet is reported as "added in Dapr 1.18: daprd 1.16
ignores it silently"; a name an older release still decoded (and the newest no longer does) is
accepted on that release. The per-package records (`metadata` in `schemas/releases.json`) come
from comparing the metadata.yaml files and the decoded Go structs of the components-contrib tag
each dapr/dapr release pins in go.mod (v1.16.13, v1.17.8, v1.18.4): for example pubsub.kafka's
`dialTimeout` and `producerRequiredAcks` (`common/component/kafka/metadata.go`) exist from 1.18.

## How to fix

Use the name the message suggests, or remove the item.

## Severity

- **error** for the types checked by hand against their whole code path (`pubsub.kafka`,
  `state.postgresql`, `bindings.cron`, `secretstores.kubernetes`): every name they read is
  known.
- **warning** for every other type: the name is in neither its metadata.yaml, nor its decoded
  structs, nor the lookups `import-metadata-reads` found in its code; but code that passes the
  whole metadata map to a library is not followed, so the message asks you to check the
  component's documentation before removing it.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.code_reads import component_package, reads_for
from tools.dapr.releases import Change
from tools.dapr.spelling import did_you_mean
from tools.rules import Bundle, Rule


def _not_in_release(name: str, change: Change, release: str, type_: str) -> str:
    return (
        f'{type_} metadata "{name}" was {change.describe(release)}: daprd {release} ignores it '
        "silently, so this setting has no effect on that release. Run a release that reads it, "
        "or remove it."
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    spec = bundle.dapr.component_spec(resource)
    if spec is None:
        return
    type_, version = dm.component_type(resource), dm.component_version(resource)
    release = bundle.dapr.version
    package = component_package(type_, version) if not bundle.dapr.is_newest else None
    code = reads_for(type_, version, release)
    changes = bundle.dapr.changes if package is not None else None
    for item in dm.metadata_items(resource):
        change = changes.metadata_change(package, item.name) if changes and package else None
        if change is not None and change[1].present_in(release):
            if spec.field(item.name) is None:
                continue  # a name this older release still reads
        elif change is not None:
            yield RULE.finding(
                resource,
                _not_in_release(item.name, change[1], release, type_),
                ("spec", "metadata", item.index, "name"),
                severity=Severity.ERROR if spec.verified else Severity.WARNING,
            )
            continue
        field = spec.field(item.name)
        if field is not None and field.overwritten:
            yield RULE.finding(
                resource,
                f'{type_} {spec.version} decodes metadata "{item.name}" but Init replaces it: '
                f"{field.overwritten}. The setting has no effect.",
                ("spec", "metadata", item.index, "name"),
            )
            continue
        if spec.open or field is not None:
            continue
        if not spec.verified and code is not None and code.reads_name(item.name):
            continue  # looked up by the code itself (an alias list, a legacy key, a prefix)
        known = [s for f in spec.canonical_fields() for s in f.spellings]
        guess = did_you_mean(item.name, known)
        hint = f' Did you mean "{guess}"?' if guess else ""
        severity = Severity.ERROR if spec.verified else Severity.WARNING
        caveat = (
            ""
            if spec.verified
            else " (Compared with its metadata.yaml and the names its Go code decodes and looks "
            "up; code that hands the whole metadata map to a library is not followed, so check "
            "the component's documentation before removing it.)"
        )
        yield RULE.finding(
            resource,
            f'{type_} {spec.version} does not read metadata "{item.name}": Dapr ignores it '
            f"silently, so this setting has no effect.{hint} Fix the name or remove the "
            f"item.{caveat}",
            ("spec", "metadata", item.index, "name"),
            severity=severity,
        )


RULE = Rule(
    id="dapr-unknown-metadata",
    category="dapr",
    severity=Severity.ERROR,
    severity_note=" for types checked by hand against their code, warning for the rest",
    summary="Metadata name the component does not read (ignored silently)",
    check=check,
    kinds=frozenset({"Component"}),
)
