"""A Configuration duration is not something Go's `time.ParseDuration` accepts: `"7d"`, `"60"`,
`"1h 30m"`, an empty string, or a total beyond the int64-nanosecond range (about 2562047h).
Fields: `tracing.otel.timeout`, `workflow.stateRetentionPolicy.{anyTerminal,completed,failed,
terminated}`, `mtls.workloadCertTTL`, `mtls.allowedClockSkew`.

## Why

In `pkg/apis/configuration/v1alpha1/types.go` (dapr/dapr 1.18) `OtelSpec.Timeout` and the
`WorkflowStateRetentionPolicy` fields are `metav1.Duration`, whose JSON decoding calls
`time.ParseDuration`; `LoadKubernetesConfiguration` in `pkg/config/configuration.go` decodes
the Configuration with `json.Unmarshal` and returns the error. The mTLS fields are strings
that Sentry parses with `time.ParseDuration` in `pkg/sentry/config/config.go`
(`parseConfiguration`), returning "error parsing WorkloadCertTTL duration" and the like.

## What happens at runtime

For the tracing and workflow fields, the Configuration cannot be loaded (`error loading
configuration`) and every sidecar annotated with it fails to start. For the mTLS fields
(read from the `daprsystem` Configuration), Sentry refuses to start, and without it no
sidecar gets a certificate.

## How to fix

Write a number with a unit: `"10s"`, `"168h"` (there is no `d`), `"1h30m"`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.durations import go_duration_ns
from tools.rules import Bundle, Rule

_RETENTION = ("anyTerminal", "completed", "failed", "terminated")
_DECODED = "the Configuration cannot be decoded, so every sidecar that uses it fails to start"
_SENTRY = (
    "the Sentry control-plane service reads it from the Dapr system Configuration and refuses "
    "to start"
)

# (path, consequence): each field daprd or Sentry reads with time.ParseDuration.
_FIELDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("spec", "tracing", "otel", "timeout"), _DECODED),
    *((("spec", "workflow", "stateRetentionPolicy", name), _DECODED) for name in _RETENTION),
    (("spec", "mtls", "workloadCertTTL"), _SENTRY),
    (("spec", "mtls", "allowedClockSkew"), _SENTRY),
)


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    for path, consequence in _FIELDS:
        value = dm.dig(resource.doc, *path)
        if not isinstance(value, str):
            continue  # absent, or the CRD schema reports the type
        if value == "" and path[1] == "mtls":
            continue  # Sentry treats empty as unset
        if go_duration_ns(value) is not None:
            continue
        yield RULE.finding(
            resource,
            f'{path[-1]} "{value}" is not a Go duration (a number with a unit, such as "30s", '
            f'"168h" or "1h30m", at most about 2562047h): {consequence}.',
            path,
        )


RULE = Rule(
    id="dapr-config-duration",
    category="dapr",
    severity=Severity.ERROR,
    summary="Configuration duration that Go's time.ParseDuration refuses",
    check=check,
    kinds=frozenset({"Configuration"}),
)
