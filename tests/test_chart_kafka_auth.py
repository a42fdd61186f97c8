"""Kafka authentication in the pub/sub Component: each auth type, the combinations the chart
refuses, and the OCI Streaming profile, rendered by the real Helm 4 (and Helm 3).

What each type needs is read from components-contrib (v1.16.13, v1.17.8, v1.18.4, the versions
daprd 1.16-1.18 pin), common/component/kafka:
- ``getKafkaMetadata`` (metadata.go): ``password`` needs saslUsername and saslPassword;
  ``certificate`` needs caCert; ``mtls`` wants clientCert and clientKey together.
- ``updateTLSConfig`` (auth.go): TLS is on for every type but ``none`` unless disableTls; the
  ``tls.Config`` is only created when caCert (or skipVerify) is given, and ``updateMTLSAuthInfo``
  writes the client certificate into it, so mtls needs caCert too. With disableTls mtls is
  refused and ``certificate`` silently runs without TLS.
- ``updatePasswordAuthInfo`` (auth.go): saslMechanism ``SHA-256``/``SHA-512`` select SCRAM, any
  other value SASL/PLAIN; metadata.yaml documents that value as ``PLAINTEXT``.
"""

from __future__ import annotations

from typing import Any

import pytest
from chartutil import metadata_items, profile_values, render, render_profile

from tools.core.context import RunContext
from tools.validate import Source, validate

HELMS = (4, 3)
TLS_SECRET = "kafka-tls"


def ref(name: str, key: str) -> dict[str, str]:
    return {"name": name, "key": key}


def kafka(auth: dict[str, Any], tls: dict[str, Any] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {"pubsub": {"kafka": {"auth": auth}}}
    if tls is not None:
        values["pubsub"]["kafka"]["tls"] = tls
    return values


CA = {"caCert": ref(TLS_SECRET, "ca.crt")}
CLIENT = {"clientCert": ref(TLS_SECRET, "tls.crt"), "clientKey": ref(TLS_SECRET, "tls.key")}
SASL = {"saslUsername", "saslPassword", "saslMechanism"}


def pubsub_metadata(rendered: Any) -> dict[str, dict[str, Any]]:
    assert rendered.returncode == 0, rendered.stderr
    return metadata_items(rendered.components()["kafka-pubsub"])


def errors_and_warnings(text: str, release: str = "1.18") -> list[str]:
    context = RunContext(dapr_release=release, dapr_sidecar_drop_all=True)
    report = validate([Source("rendered.yaml", text, "test")], context=context)
    return [
        f"{f.severity.name} {f.rule}: {f.message}"
        for f in report.findings
        if f.suppressed is None and f.severity.name in ("ERROR", "WARNING")
    ]


# (values, metadata the Component must carry {name: value or secretKeyRef}, names it must not)
AUTH_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], set[str]]] = {
    "scram-sha-512": (
        kafka({"type": "password", "mechanism": "SHA-512"}),
        {
            "authType": "password",
            "saslMechanism": "SHA-512",
            "saslUsername": ref("kafka-secrets", "username"),
            "saslPassword": ref("kafka-secrets", "password"),
        },
        {"disableTls", "caCert", "clientCert", "clientKey"},
    ),
    "plain-over-tls": (
        kafka({"type": "password", "mechanism": "PLAIN"}),
        # Dapr's documented spelling; anything but SHA-256/SHA-512 selects SASL/PLAIN.
        {"authType": "password", "saslMechanism": "PLAINTEXT"},
        {"disableTls", "caCert", "clientCert", "clientKey"},
    ),
    "scram-with-private-ca": (
        kafka({"type": "password", "mechanism": "SHA-256"}, CA),
        {"authType": "password", "saslMechanism": "SHA-256", "caCert": ref(TLS_SECRET, "ca.crt")},
        {"disableTls", "clientCert", "clientKey"},
    ),
    "scram-without-tls": (
        kafka({"type": "password", "mechanism": "SHA-256"}, {"enabled": False}),
        {"authType": "password", "disableTls": "true"},
        {"caCert"},
    ),
    "certificate": (
        kafka({"type": "certificate"}, CA),
        {"authType": "certificate", "caCert": ref(TLS_SECRET, "ca.crt")},
        SASL | {"disableTls", "clientCert", "clientKey"},
    ),
    "mtls": (
        kafka({"type": "mtls"}, CA | CLIENT),
        {
            "authType": "mtls",
            "caCert": ref(TLS_SECRET, "ca.crt"),
            "clientCert": ref(TLS_SECRET, "tls.crt"),
            "clientKey": ref(TLS_SECRET, "tls.key"),
        },
        SASL | {"disableTls"},
    ),
    "none": (
        kafka({"type": "none"}, {"enabled": False}),
        {"authType": "none"},
        SASL | {"disableTls", "caCert", "clientCert", "clientKey"},
    ),
}


def assert_metadata(
    meta: dict[str, dict[str, Any]], want: dict[str, Any], absent: set[str]
) -> None:
    for name, expected in want.items():
        assert name in meta, f"{name} missing from {sorted(meta)}"
        if isinstance(expected, dict):
            # Certificates, keys and credentials only by reference, never a literal value.
            assert meta[name] == {"name": name, "secretKeyRef": expected}
        else:
            assert meta[name] == {"name": name, "value": expected}
    assert absent.isdisjoint(meta), sorted(absent & set(meta))


@pytest.mark.parametrize("case", AUTH_CASES)
def test_each_auth_type_renders_its_metadata(case: str) -> None:
    values, want, absent = AUTH_CASES[case]
    rendered = render(4, values=values)
    assert_metadata(pubsub_metadata(rendered), want, absent)


@pytest.mark.parametrize("case", ["plain-over-tls", "certificate", "mtls"])
def test_new_auth_types_render_the_same_on_helm_3(case: str) -> None:
    values, _, _ = AUTH_CASES[case]
    helm3, helm4 = render(3, values=values), render(4, values=values)
    assert helm3.returncode == 0, helm3.stderr
    assert [d.doc for d in helm3.documents] == [d.doc for d in helm4.documents]


@pytest.mark.parametrize("release", ["1.16", "1.17", "1.18"])
@pytest.mark.parametrize("case", ["plain-over-tls", "certificate", "mtls"])
def test_new_auth_types_validate_clean_on_every_release(case: str, release: str) -> None:
    values, _, _ = AUTH_CASES[case]
    values = {**values, "daprVersion": release}
    rendered = render(4, values=values)
    assert rendered.returncode == 0, rendered.stderr
    assert errors_and_warnings(rendered.stdout, release) == []


REFUSALS: list[tuple[str, dict[str, Any], str]] = [
    (
        "plain-without-tls",
        kafka({"type": "password", "mechanism": "PLAIN"}, {"enabled": False}),
        "pubsub.kafka.auth.mechanism is PLAIN but pubsub.kafka.tls.enabled is false",
    ),
    (
        "certificate-without-tls",
        kafka({"type": "certificate"}, CA | {"enabled": False}),
        "pubsub.kafka.tls.enabled is false but pubsub.kafka.auth.type is certificate",
    ),
    (
        "mtls-without-tls",
        kafka({"type": "mtls"}, CA | CLIENT | {"enabled": False}),
        "pubsub.kafka.tls.enabled is false but pubsub.kafka.auth.type is mtls",
    ),
    (
        "certificate-without-ca",
        kafka({"type": "certificate"}),
        "pubsub.kafka.tls.caCert.name is empty but pubsub.kafka.auth.type is certificate",
    ),
    (
        "mtls-without-ca",
        kafka({"type": "mtls"}, CLIENT),
        "pubsub.kafka.tls.caCert.name is empty but pubsub.kafka.auth.type is mtls",
    ),
    (
        "mtls-without-key",
        kafka({"type": "mtls"}, CA | {"clientCert": ref(TLS_SECRET, "tls.crt")}),
        "pubsub.kafka.tls.clientCert.name and pubsub.kafka.tls.clientKey.name are both needed",
    ),
    (
        "client-cert-with-password",
        kafka({"type": "password"}, CLIENT),
        "pubsub.kafka.tls.clientCert.name is set but pubsub.kafka.auth.type is password",
    ),
    (
        "ca-without-tls",
        kafka({"type": "password"}, CA | {"enabled": False}),
        "pubsub.kafka.tls.caCert is set but pubsub.kafka.tls.enabled is false",
    ),
    (
        "tls-with-none",
        kafka({"type": "none"}),
        "pubsub.kafka.tls.enabled is true but pubsub.kafka.auth.type is none",
    ),
    (
        # caCert rendered from tls.caCert, so extraMetadata may not set it a second time
        "ca-twice",
        {
            "pubsub": {
                "kafka": {"auth": {"type": "certificate"}, "tls": CA},
                "extraMetadata": [{"name": "caCert", "value": "x"}],
            }
        },
        'pubsub.extraMetadata[0].name: "caCert" repeats metadata field "caCert"',
    ),
]


@pytest.mark.parametrize("major", HELMS)
@pytest.mark.parametrize(("case", "values", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_combinations_dapr_refuses_or_ignores_are_refused(
    major: int, case: str, values: dict[str, Any], message: str
) -> None:
    rendered = render(major, values=values)
    assert rendered.returncode != 0, case
    assert message in rendered.stderr, rendered.stderr
    assert "Traceback" not in rendered.stderr


@pytest.mark.parametrize("major", HELMS)
def test_the_schema_refuses_an_unknown_mechanism(major: int) -> None:
    # SCRAM-SHA-256 would silently become SASL/PLAIN in Dapr; only the listed spellings pass.
    rendered = render(major, values=kafka({"type": "password", "mechanism": "SCRAM-SHA-256"}))
    assert rendered.returncode != 0
    assert "mechanism" in rendered.stderr


@pytest.mark.parametrize("major", HELMS)
def test_oci_streaming_profile_renders_sasl_plain_over_tls(major: int) -> None:
    values = profile_values("oci-streaming")["pubsub"]["kafka"]
    (broker,) = values["brokers"]
    assert broker.startswith("cell-1.streaming.") and broker.endswith(".oci.oraclecloud.com:9092")
    meta = pubsub_metadata(render_profile(major, "oci-streaming"))
    assert_metadata(
        meta,
        {
            "brokers": broker,
            "authType": "password",
            "saslMechanism": "PLAINTEXT",
            # <tenancy-name>/<user-name>/<stream-pool-OCID> and the auth token, from a Secret
            "saslUsername": ref("kafka-secrets", "username"),
            "saslPassword": ref("kafka-secrets", "password"),
        },
        # TLS on (no disableTls), verified against the system roots (no caCert), no client cert
        {"disableTls", "caCert", "clientCert", "clientKey", "skipVerify"},
    )


def test_oci_streaming_profile_validates_clean() -> None:
    assert errors_and_warnings(render_profile(4, "oci-streaming").stdout) == []
