"""dapr-otel-protocol: ``tracing.otel.protocol`` must be exactly ``http`` or ``grpc``."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

PROTOCOLS = ("http", "grpc")


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    otel = dm.dig(resource.doc, "spec", "tracing", "otel")
    if not isinstance(otel, dict):
        return
    protocol = otel.get("protocol")
    endpoint = otel.get("endpointAddress")
    if not isinstance(protocol, str) or not isinstance(endpoint, str):
        return  # missing or mistyped: the CRD schema reports it
    path = ("spec", "tracing", "otel", "protocol")
    if endpoint == "":
        yield RULE.finding(
            resource,
            "otel endpointAddress is empty: unless the sidecar has OTEL_EXPORTER_OTLP_ENDPOINT "
            "(or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) set, which then also decides the protocol, "
            "daprd creates no OpenTelemetry exporter and sends no trace. Set endpointAddress "
            "to host:port.",
            ("spec", "tracing", "otel", "endpointAddress"),
            severity=Severity.WARNING,
        )
        return
    if protocol == "":
        yield RULE.finding(
            resource,
            "otel protocol is empty, so daprd creates no OpenTelemetry exporter and no trace "
            'is sent. Set protocol to "http" or "grpc".',
            path,
        )
        return
    if protocol in PROTOCOLS:
        return
    hint = (
        f' (write "{protocol.lower()}": the comparison is case-sensitive)'
        if (protocol.lower() in PROTOCOLS)
        else ""
    )
    yield RULE.finding(
        resource,
        f'otel protocol "{protocol}" is neither "http" nor "grpc"{hint}: daprd fails to set up '
        "tracing and the sidecar exits at start-up.",
        path,
    )


RULE = Rule(
    id="dapr-otel-protocol",
    category="dapr",
    severity=Severity.ERROR,
    summary="tracing.otel.protocol other than exactly http or grpc",
    check=check,
    explanation="daprd compares the protocol case-sensitively with http and grpc; any other "
    "value is a start-up error, an empty one silently disables the exporter.",
    kinds=frozenset({"Configuration"}),
)
