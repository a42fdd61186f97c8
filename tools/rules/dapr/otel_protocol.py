"""dapr-otel-protocol: ``tracing.otel.protocol`` must be exactly ``http`` or ``grpc``."""

from __future__ import annotations

from collections.abc import Iterator

from tools import dapr_model as dm
from tools.findings import Finding, Severity
from tools.resources import Resource
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
    if protocol in PROTOCOLS:
        return
    if protocol == "" or endpoint == "":
        which = "protocol" if protocol == "" else "endpointAddress"
        yield RULE.finding(
            resource,
            f"otel {which} is empty, so daprd does not create the OpenTelemetry exporter and no "
            'trace is sent. Set protocol to "http" or "grpc" and endpointAddress to host:port.',
            path if protocol == "" else ("spec", "tracing", "otel", "endpointAddress"),
        )
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
