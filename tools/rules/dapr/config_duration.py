"""dapr-config-duration: Configuration durations that Go's ``time.ParseDuration`` refuses."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.catalog import go_duration_ns
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
    explanation="otel.timeout and workflow.stateRetentionPolicy are metav1.Duration fields; "
    "mtls.workloadCertTTL and allowedClockSkew are parsed by Sentry. A bare number, a space or "
    "a total beyond int64 nanoseconds is an error in both.",
    kinds=frozenset({"Configuration"}),
)
