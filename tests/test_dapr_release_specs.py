"""Component metadata specs per Dapr release: the same manifest judged by each release's
components-contrib metadata.yaml.

The real example, read in the mirrors: components-contrib v1.16.13 (what dapr v1.16.19 pins)
has no "OIDC Private Key JWT Authentication" profile in pubsub/kafka/metadata.yaml, and its
``common/component/kafka/metadata.go`` (``getKafkaMetadata``) answers an ``authType`` outside
password/oidc/mtls/none/certificate/awsiam with "invalid value for 'authType' attribute", so
the component does not initialise; v1.17.8 and v1.18.4 accept ``oidc_private_key_jwt``
(``oidcPrivateKeyJWTAuthType``) and require the assertion certificate and key with it.
"""

from __future__ import annotations

from typing import Any

import pytest
from release_findings import errors_on

from tools.core.context import RunContext
from tools.dapr.catalog import read_catalog_files
from tools.dapr.release_catalog import build_release_catalog, catalog_at, spec_for
from tools.dapr.releases import load_release_data, parse_release_data
from tools.dapr.supported import NEWEST, SUPPORTED
from tools.importers.spec_changes import diff_specs, package_specs, records
from tools.rules.dapr.deprecated_metadata import message as deprecated_message
from tools.validate import Source, validate

KAFKA_JWT = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
spec:
  type: pubsub.kafka
  version: v1
  metadata:
    - name: brokers
      value: kafka:9092
    - name: consumerGroup
      value: "{appID}"
    - name: authType
      value: oidc_private_key_jwt
    - name: oidcTokenEndpoint
      value: https://idp.example/token
    - name: oidcClientID
      value: todo
    - name: oidcClientAssertionCert
      secretKeyRef: {name: kafka-oidc, key: cert}
scopes: [backend]
"""


def test_an_auth_type_added_in_1_17_is_refused_by_1_16() -> None:
    (refused,) = errors_on(KAFKA_JWT, "1.16", "dapr-metadata-value")
    assert '"authType" is "oidc_private_key_jwt", which is not one of' in refused
    assert "refuses it at initialisation" in refused
    listed = refused.split("which is not one of ", 1)[1].split(";", 1)[0].split(", ")
    assert len(listed) == len(set(listed)) and "certificate" in listed, refused
    for release in ("1.17", "1.18"):
        assert errors_on(KAFKA_JWT, release, "dapr-metadata-value") == []


def test_the_profile_a_release_has_decides_what_is_required() -> None:
    # 1.17 and 1.18 require the assertion key with this authType; 1.16 has no such profile.
    for release in ("1.17", "1.18"):
        (needed,) = errors_on(KAFKA_JWT, release, "dapr-required-metadata")
        assert 'authType: "oidc_private_key_jwt"' in needed
        assert '"oidcClientAssertionKey"' in needed
    assert errors_on(KAFKA_JWT, "1.16", "dapr-required-metadata") == []


def test_spec_for_defaults_to_the_newest_release() -> None:
    newest = spec_for("pubsub.kafka", "v1")
    old = spec_for("pubsub.kafka", "v1", "1.16")
    assert newest is not None and old is not None
    newest_auth, old_auth = newest.field("authType"), old.field("authType")
    assert newest_auth is not None and old_auth is not None
    assert "oidc_private_key_jwt" in (newest_auth.allowed or ())
    assert "oidc_private_key_jwt" not in (old_auth.allowed or ())
    assert {p.title for p in newest.profiles} - {p.title for p in old.profiles} == {
        "OIDC Private Key JWT Authentication"
    }
    # Names 1.16's daprd does not read are not part of its spec (added in 1.18).
    assert newest.field("dialTimeout") is not None and old.field("dialTimeout") is None
    same = spec_for("pubsub.kafka", "v1", "1.18")
    assert same is not None and same.field("authType") == newest_auth


def test_the_release_data_records_the_real_differences() -> None:
    data = load_release_data()
    kafka = data.component_specs["pubsub/kafka"]
    (record,) = kafka.profiles["OIDC Private Key JWT Authentication"]
    assert record.values == {"absent": True}
    assert record.change.until == "1.16" and record.change.since is None
    # conversation/openai metadata.yaml of v1.16.13 lists apiType without allowed values.
    (api_type,) = data.component_specs["conversation/openai"].fields["apitype"]
    assert api_type.values["allowed"] is None
    openai_116 = spec_for("conversation.openai", "v1", "1.16")
    openai_118 = spec_for("conversation.openai", "v1", "1.18")
    assert openai_116 is not None and openai_118 is not None
    field_116, field_118 = openai_116.field("apiType"), openai_118.field("apiType")
    assert field_116 is not None and field_118 is not None
    assert field_116.allowed is None and field_118.allowed == ("open_ai", "azure")


# --- the mechanism, on a small catalog ----------------------------------------------------

GENERATED: dict[str, Any] = {
    "components": [
        {
            "type": "pubsub.demo",
            "version": "v1",
            "source": "pubsub/demo/metadata.yaml",
            "fields": [
                {"name": "host", "type": "string", "required": True},
                {"name": "legacyHost", "type": "string", "deprecated": True},
                {"name": "mode", "type": "string", "allowed": ["a", "b"]},
            ],
        }
    ]
}


def _data(specs: dict[str, Any]) -> Any:
    refs = {r: {"dapr": f"v{r}.0", "contrib": f"v{r}.0"} for r in SUPPORTED}
    return parse_release_data({"releases": refs, "component_specs": specs})


def _spec(release: str, specs: dict[str, Any]) -> Any:
    catalog = build_release_catalog(GENERATED, {}, {}, _data(specs), release)
    found = catalog.lookup("pubsub.demo", "v1")
    assert found is not None
    return found


DEMO = {
    "pubsub/demo": {
        "fields": {
            "host": [{"until": "1.17", "required": False}],
            "legacyhost": [{"until": "1.16", "deprecated": False}],
            "mode": [{"until": "1.16", "allowed": None, "type": "number"}],
            "gone": [{"until": "1.16", "entry": {"name": "gone", "type": "bool"}}],
        }
    }
}


def test_records_apply_to_their_releases() -> None:
    old, mid, new = (_spec(r, DEMO) for r in SUPPORTED)
    assert [s.field("host").required for s in (old, mid, new)] == [False, False, True]
    assert old.field("mode").allowed is None and old.field("mode").type == "number"
    assert mid.field("mode").allowed == ("a", "b") and mid.field("mode").type == "string"
    assert old.field("gone") is not None and old.field("gone").type == "bool"
    assert mid.field("gone") is None


def test_deprecated_since_the_first_release_that_deprecates_it() -> None:
    old, mid, new = (_spec(r, DEMO) for r in SUPPORTED)
    assert not old.field("legacyHost").deprecated
    for spec in (mid, new):
        field = spec.field("legacyHost")
        assert field.deprecated and field.deprecated_since == "1.17"
        assert deprecated_message(field, "pubsub.demo").startswith(
            '"legacyHost" is deprecated since Dapr 1.17.'
        )
    # Deprecated in every supported release: no date.
    always = _spec("1.18", {}).field("legacyHost")
    assert always.deprecated_since is None
    assert deprecated_message(always, "pubsub.demo").startswith('"legacyHost" is deprecated.')


def test_a_real_deprecation_is_reported_on_every_release_undated() -> None:
    manifest = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: db}
spec:
  type: configuration.postgresql
  version: v1
  metadata:
    - {name: connectionString, secretKeyRef: {name: pg, key: dsn}}
    - {name: table, value: config}
    - {name: connMaxIdleTime, value: 5m}
scopes: [backend]
"""
    for release in SUPPORTED:
        report = validate([Source("m.yaml", manifest)], context=RunContext(dapr_release=release))
        (found,) = [f.message for f in report.findings if f.rule == "dapr-deprecated-metadata"]
        assert found.startswith('"connMaxIdleTime" is deprecated'), found
        assert "since" not in found


# --- the importer ---------------------------------------------------------------------------


def _catalog(fields: list[dict[str, Any]], profiles: list[dict[str, Any]]) -> list[Any]:
    return [{"source": "pubsub/demo/metadata.yaml", "fields": fields, "profiles": profiles}]


def test_diff_specs_keeps_only_differences_shared_where_releases_agree() -> None:
    jwt = {"title": "JWT", "fields": [{"name": "authType", "required": True, "allowed": ["jwt"]}]}
    old = _catalog(
        [{"name": "host", "type": "string"}, {"name": "cacheTTL", "type": "string"}],
        [{"title": "Basic", "fields": [{"name": "user", "type": "string"}]}],
    )
    new = _catalog(
        [
            {"name": "host", "type": "string", "required": True},
            {"name": "token", "type": "string", "required": True},
            {"name": "port", "type": "number"},
        ],
        [{"title": "Basic", "fields": [{"name": "user", "type": "string"}]}, jwt],
    )
    diff = diff_specs(
        {
            "1.16": package_specs(old),
            "1.17": package_specs(old),
            "1.18": package_specs(new),
        }
    )
    assert diff == {
        "pubsub/demo": {
            "fields": {
                "cachettl": [{"until": "1.17", "entry": {"name": "cacheTTL", "type": "string"}}],
                "host": [{"until": "1.17", "required": False}],
                "token": [{"until": "1.17", "absent": True}],
            },
            "profiles": {"JWT": [{"until": "1.17", "absent": True}]},
        }
    }
    same = package_specs(new)
    assert diff_specs({"1.16": same, "1.17": same, "1.18": same}) == {}


def test_records_split_where_older_releases_disagree() -> None:
    assert records({"1.16": {"required": False}, "1.17": {"default": "1"}}) == [
        {"until": "1.16", "required": False},
        {"since": "1.17", "until": "1.17", "default": "1"},
    ]
    assert records({"1.17": {"deprecated": False}}) == [
        {"since": "1.17", "until": "1.17", "deprecated": False}
    ]


@pytest.mark.parametrize(
    ("specs", "problem"),
    [
        ({"p": {"fields": {"x": [{"until": "1.16", "colour": "red"}]}}}, "unknown or no keys"),
        ({"p": {"fields": {"x": [{"until": "1.16"}]}}}, "unknown or no keys"),
        ({"p": {"fields": {"x": [{"required": False}]}}}, "needs since or until"),
        ({"p": {"fields": {"x": []}}}, "expected a list"),
        ({"p": {"fields": {"x": [{"until": "1.16", "entry": "y"}]}}}, "entry must be"),
        ({"p": {"extra": {}}}, "expected fields, profiles"),
    ],
)
def test_malformed_spec_records_are_refused(specs: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _data(specs)


def test_the_newest_catalog_is_the_generated_one_narrowed() -> None:
    """catalog_at(newest) skips the rebuild: it must equal a build with the records applied."""
    generated, overrides, code_fields = read_catalog_files()
    built = build_release_catalog(generated, overrides, code_fields, load_release_data(), NEWEST)
    assert catalog_at(NEWEST).components == built.components
    assert catalog_at("1.16").components != built.components
