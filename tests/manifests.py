"""Dapr manifests as the tests write them: one builder for the Component text that many rule
and CLI tests start from, taking only the parts that vary."""

from __future__ import annotations


def component(
    *metadata: str,
    type_: str = "pubsub.kafka",
    name: str = "kafka-pubsub",
    version: str = "v1",
    scopes: str | None = None,
) -> str:
    """A Component in block style, one ``- item`` line per metadata entry.

    Each entry is the text after the dash, e.g. ``'{name: brokers, value: "kafka:9092"}'``
    (an entry may span lines). ``scopes`` is the text inside ``scopes: [...]``; ``None``
    leaves the field out. The line numbers match the hand-written manifests: line 8 is the
    first metadata entry.
    """
    lines = [
        "apiVersion: dapr.io/v1alpha1",
        "kind: Component",
        f"metadata: {{name: {name}}}",
        "spec:",
        f"  type: {type_}",
        f"  version: {version}",
    ]
    if metadata:
        lines += ["  metadata:", *(f"    - {item}" for item in metadata)]
    else:
        lines.append("  metadata: []")
    if scopes is not None:
        lines.append(f"scopes: [{scopes}]")
    return "\n".join(lines) + "\n"


# The Configuration the Dapr docs show: valid everywhere, so a test can change one part.
SPEC_CONFIGURATION = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: dapr-config
spec:
  tracing:
    samplingRate: "1"
  metric:
    enabled: true
  logging:
    level: info
"""

KAFKA_BROKERS = '{name: brokers, value: "kafka:9092"}'

# A Configuration that only schema-dapr refuses (spec.logging.level is not in Dapr's CRD).
LOGGING_CONFIGURATION = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: dapr-config
spec:
  logging:
    level: info
"""


def custom_kind_schema(spec: dict[str, object]) -> dict[str, object]:
    """The openAPIV3Schema of a custom kind: apiVersion, kind, metadata, and ``spec`` as given."""
    return {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {"type": "object", **spec},
        },
    }
