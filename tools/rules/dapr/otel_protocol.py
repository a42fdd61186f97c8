"""`spec.tracing.otel.protocol` is not exactly `http` or `grpc` (`GRPC`, `http/protobuf`) or is
empty, or `endpointAddress` is empty.

## Why

`(*DaprRuntime).setupTracing` in `pkg/runtime/runtime.go` (dapr/dapr 1.18) creates the OTLP
exporter only when both `endpointAddress` and `protocol` are non-empty, and then compares the
protocol case-sensitively with `"http"` and `"grpc"`. Before that, `SetTracingSpecFromEnv`
(`pkg/config/configuration.go`) fills an empty endpoint, and then the protocol, from the
sidecar's `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` and `..._PROTOCOL` variables.

## What happens at runtime

Any other protocol makes `setupTracing` return `invalid protocol ... provided for Otel
endpoint`; `initRuntime` fails with "failed to setup tracing" and the sidecar exits. An empty
protocol next to an endpoint silently creates no exporter, so no span is ever sent; an empty
endpoint does the same unless the OTLP environment variables supply one.

## How to fix

```yaml
tracing:
  samplingRate: "1"
  otel: {endpointAddress: "otel-collector.observability:4317", isSecure: false, protocol: grpc}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
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
    severity_note=" (warning for an empty `endpointAddress`)",
    summary="tracing.otel.protocol other than exactly http or grpc",
    check=check,
    kinds=frozenset({"Configuration"}),
)
