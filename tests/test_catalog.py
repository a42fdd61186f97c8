"""The component catalog: the importer, the generated facts, and every hand-written addition.

The hand-written facts in schemas/dapr-components/_overrides.json each have a test here, named
after the Dapr behaviour they encode.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from upstream_git import CONTRIB_VARIABLE, git_dir, missing

from tools.dapr.catalog import (
    CATALOG_DIR,
    CATALOG_FILE,
    Catalog,
    LazySpecs,
    build_catalog,
    load_catalog,
    lookup_component,
    read_catalog_files,
)
from tools.dapr.component_spec import CATEGORIES, CatalogError, ComponentSpec, value_allowed
from tools.dapr.cron import cron_schedule_problem
from tools.dapr.durations import parse_job_time, parse_metadata_duration
from tools.dapr.metadata_values import constraint_problem, is_templated, type_problem
from tools.dapr.spelling import did_you_mean
from tools.importers.metadata_yaml import MetadataImportError, import_metadata, read_metadata
from tools.importers.source import GitRef

ROOT = Path(__file__).resolve().parents[1]
CONTRIB = ROOT.parent / "shared" / "reference" / "upstream" / "components-contrib" / "v1.18.4"

needs_upstream = pytest.mark.skipif(
    not CONTRIB.is_dir(), reason=f"{CONTRIB} is absent (upstream components-contrib files)"
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --- the API the other rules rely on ---------------------------------------------------------


def test_api_lookup_versions_types_and_categories(catalog: Catalog) -> None:
    kafka = catalog.lookup("pubsub.kafka", "v1")
    assert kafka is not None and kafka.status == "stable" and kafka.verified
    assert catalog.lookup("PubSub.Kafka", "v1") is kafka
    assert catalog.lookup("pubsub.kafka", "v9") is None
    assert catalog.versions("state.postgresql") == ["v1", "v2"]
    assert "bindings.cron" in catalog.types()
    assert catalog.categories == CATEGORIES
    assert "scheduler" not in catalog.categories and "workflowbackend" in catalog.categories


def test_field_lookup_is_case_insensitive_and_follows_aliases(catalog: Catalog) -> None:
    pg = catalog.lookup("state.postgresql", "v1")
    assert pg is not None
    timeout = pg.field("TIMEOUT")
    assert timeout is not None and timeout.name == "timeout" and timeout.type == "duration"
    assert pg.field("timeoutInSeconds") is timeout
    assert pg.field("nonexistent") is None


def test_empty_and_v0_versions_resolve_to_the_first_version(catalog: Catalog) -> None:
    first = catalog.lookup("state.redis", "v1")
    assert lookup_component(catalog, "state.redis", "") is first
    assert lookup_component(catalog, "state.redis", "v0") is first
    assert lookup_component(catalog, "state.redis", "v2") is None


# --- generated facts -------------------------------------------------------------------------


def test_kafka_facts_from_metadata_and_profiles(catalog: Catalog) -> None:
    kafka = catalog.lookup("pubsub.kafka", "v1")
    assert kafka is not None
    brokers = kafka.field("brokers")
    assert brokers is not None and brokers.required
    password = kafka.field("saslPassword")
    assert password is not None and password.sensitive and not password.required
    mechanism = kafka.field("saslMechanism")
    assert mechanism is not None and mechanism.allowed == ("SHA-512", "SHA-256", "PLAINTEXT")
    client = kafka.field("clientID")
    assert client is not None and client.default == "sarama"  # quotes stripped
    titles = {p.title for p in kafka.profiles}
    assert "SASL Authentication" in titles
    assert {p.builtin for p in kafka.profiles} >= {None, "aws"}
    aws_region = kafka.field("region")
    assert aws_region is not None  # from the built-in aws profile


def test_profiles_are_selected_by_their_discriminator(catalog: Catalog) -> None:
    kafka = catalog.lookup("pubsub.kafka", "v1")
    assert kafka is not None
    (sasl,) = kafka.profiles_selected_by({"authtype": "PASSWORD"})
    assert {f.name for f in sasl.required_fields()} == {"authType", "saslUsername", "saslPassword"}
    assert len(kafka.profiles_selected_by({"authtype": "awsiam"})) == 4
    assert kafka.profiles_selected_by({"authtype": "bogus"}) == []


def test_azuread_and_gcp_builtin_profiles_are_merged(catalog: Catalog) -> None:
    pg = catalog.lookup("state.postgresql", "v1")
    assert pg is not None and pg.field("azureClientId") is not None
    gcp = catalog.lookup("pubsub.gcp.pubsub", "v1")
    assert gcp is not None
    key = gcp.field("privateKey")
    assert key is not None and key.sensitive


def test_middleware_types_carry_the_http_subkind(catalog: Catalog) -> None:
    assert catalog.lookup("middleware.http.bearer", "v1") is not None
    assert catalog.lookup("middleware.bearer", "v1") is None


def test_generated_file_holds_facts_only() -> None:
    text = (CATALOG_DIR / CATALOG_FILE).read_text()
    data = json.loads(text)
    assert len(data["components"]) >= 130
    for banned in ('"description"', '"example"', '"urls"', '"title": "Apache Kafka"'):
        assert banned not in text


# --- hand-written facts (one test each) ------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "keyPrefix",
        "actorStateStore",
        "outboxPublishPubsub",
        "outboxPublishTopic",
        "outboxPubsub",
        "outboxDiscardWhenMissingState",
        "primaryEncryptionKey",
        "secondaryEncryptionKey",
    ],
)
def test_runtime_keys_of_every_state_store(catalog: Catalog, name: str) -> None:
    for type_ in ("state.postgresql", "state.redis", "state.in-memory"):
        spec = catalog.lookup(type_, "v1")
        assert spec is not None and spec.field(name) is not None, (type_, name)


@pytest.mark.parametrize(
    "name",
    ["consumerID", "publishingScopes", "subscriptionScopes", "allowedTopics", "protectedTopics"],
)
def test_runtime_keys_of_every_pubsub(catalog: Catalog, name: str) -> None:
    for type_ in ("pubsub.kafka", "pubsub.redis", "pubsub.rabbitmq"):
        spec = catalog.lookup(type_, "v1")
        assert spec is not None and spec.field(name) is not None, (type_, name)


def test_binding_direction_and_exact_route(catalog: Catalog) -> None:
    cron = catalog.lookup("bindings.cron", "v1")
    assert cron is not None
    direction = cron.field("direction")
    assert direction is not None and direction.constraint == "binding-direction"
    route = cron.field("route")
    assert route is not None and route.exact_key


@pytest.mark.parametrize(
    "name",
    [
        "backOffPolicy",
        "backOffDuration",
        "backOffInitialInterval",
        "backOffRandomizationFactor",
        "backOffMultiplier",
        "backOffMaxInterval",
        "backOffMaxElapsedTime",
        "backOffMaxRetries",
    ],
)
def test_kafka_retry_keys(catalog: Catalog, name: str) -> None:
    for type_ in ("pubsub.kafka", "bindings.kafka"):
        spec = catalog.lookup(type_, "v1")
        assert spec is not None and spec.field(name) is not None


@pytest.mark.parametrize(
    ("type_", "alias", "canonical"),
    [
        ("state.postgresql", "timeoutInSeconds", "timeout"),
        ("state.postgresql", "url", "connectionString"),
        ("state.postgresql", "cleanupIntervalInSeconds", "cleanupInterval"),
        ("pubsub.kafka", "clientId", "clientID"),
    ],
)
def test_known_aliases(catalog: Catalog, type_: str, alias: str, canonical: str) -> None:
    for version in catalog.versions(type_):
        spec = catalog.lookup(type_, version)
        assert spec is not None
        field = spec.field(alias)
        assert field is not None and field.name == canonical and alias in field.spellings


def test_sasl_mechanism_is_exact_and_auth_type_and_offset_are_not(catalog: Catalog) -> None:
    kafka = catalog.lookup("pubsub.kafka", "v1")
    assert kafka is not None
    mechanism, auth, offset = (
        kafka.field(n) for n in ("saslMechanism", "authType", "initialOffset")
    )
    assert mechanism is not None and auth is not None and offset is not None
    assert value_allowed(mechanism, "SHA-256") and not value_allowed(mechanism, "sha-256")
    assert not value_allowed(mechanism, "SCRAM-SHA-256")
    assert mechanism.invalid_effect and "SASL/PLAIN" in mechanism.invalid_effect
    assert value_allowed(auth, "Password") and value_allowed(auth, "certificate")
    assert value_allowed(offset, "OLDEST") and offset.exact_key


def test_sasl_mechanism_is_optional_in_code(catalog: Catalog) -> None:
    kafka = catalog.lookup("pubsub.kafka", "v1")
    assert kafka is not None
    (sasl,) = kafka.profiles_selected_by({"authtype": "password"})
    mechanism = sasl.fields["saslmechanism"]
    assert not mechanism.required


def test_legacy_auth_required_replaces_auth_type(catalog: Catalog) -> None:
    kafka = catalog.lookup("pubsub.kafka", "v1")
    assert kafka is not None
    auth = kafka.field("authType")
    assert auth is not None and auth.required and auth.required_unless == ("authRequired",)
    legacy = kafka.field("authRequired")
    assert legacy is not None and legacy.deprecated and legacy.type == "bool"


def test_postgres_timeout_must_be_at_least_one_second(catalog: Catalog) -> None:
    pg = catalog.lookup("state.postgresql", "v2")
    assert pg is not None
    timeout = pg.field("timeout")
    assert timeout is not None and timeout.constraint == "min-duration:1s"
    assert constraint_problem("min-duration:1s", "500ms") is not None
    assert constraint_problem("min-duration:1s", "1") is None
    assert constraint_problem("min-duration:1s", "20s") is None


def test_key_prefix_must_not_contain_the_separator(catalog: Catalog) -> None:
    pg = catalog.lookup("state.postgresql", "v1")
    assert pg is not None
    prefix = pg.field("keyPrefix")
    assert prefix is not None and prefix.constraint == "key-prefix"
    assert constraint_problem("key-prefix", "a||b") is not None
    assert constraint_problem("key-prefix", "todo-app") is None


def test_cron_binding_schedule_is_checked(catalog: Catalog) -> None:
    cron = catalog.lookup("bindings.cron", "v1")
    assert cron is not None
    schedule = cron.field("schedule")
    assert schedule is not None and schedule.required and schedule.constraint == "cron-schedule"


def test_kubernetes_secret_store_fields_from_code(catalog: Catalog) -> None:
    store = catalog.lookup("secretstores.kubernetes", "v1")
    assert store is not None and store.verified
    assert store.field("defaultNamespace") is not None
    assert store.field("kubeconfigPath") is not None
    assert store.field("vaultName") is None


@pytest.mark.parametrize(
    ("alias", "version"),
    [
        ("state.postgres", "v1"),
        ("state.cockroachdb", "v2"),
        ("state.yugabytedb", "v2"),
        ("bindings.postgresql", "v1"),
        ("configuration.postgres", "v1"),
        ("bindings.azure.servicebusqueues", "v1"),
        ("pubsub.snssqs", "v1"),
        ("secretstores.aws.secretmanager", "v1"),
        ("crypto.dapr.localstorage", "v1"),
        ("state.etcd", "v2"),
    ],
)
def test_registered_type_aliases_and_versions(catalog: Catalog, alias: str, version: str) -> None:
    assert catalog.lookup(alias, version) is not None


def test_metadata_files_with_a_tab_after_a_value_are_imported(catalog: Catalog) -> None:
    # The two Zeebe files end lines with a tab, which Go's YAML (and libyaml) read as white space.
    for type_, field in [
        ("bindings.zeebe.jobworker", "jobType"),
        ("bindings.zeebe.command", "gatewayAddr"),
    ]:
        zeebe = catalog.lookup(type_, "v1")
        assert zeebe is not None and not zeebe.open
        assert field.lower() in zeebe.fields


def test_the_chart_types_are_verified(catalog: Catalog) -> None:
    for type_, version in [
        ("pubsub.kafka", "v1"),
        ("state.postgresql", "v1"),
        ("state.postgresql", "v2"),
        ("bindings.cron", "v1"),
        ("secretstores.kubernetes", "v1"),
    ]:
        spec = catalog.lookup(type_, version)
        assert spec is not None and spec.verified, type_
    redis = catalog.lookup("state.redis", "v1")
    assert redis is not None and not redis.verified


# --- value semantics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("20s", 20.0), ("20", 20.0), ("1h30m", 5400.0), ("250ms", 0.25), ("", 0.0), ("0", 0.0)],
)
def test_metadata_durations(text: str, seconds: float) -> None:
    assert parse_metadata_duration(text) == seconds


@pytest.mark.parametrize("text", ["20 s", "P1D", "1.5", "abc", "5min"])
def test_metadata_durations_refused(text: str) -> None:
    assert parse_metadata_duration(text) is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2026-11-27T10:00:00Z", "rfc3339"),
        ("2026-11-27T10:00:00.5+01:00", "rfc3339"),
        ("1h", "duration"),
        ("PT1H30M", "iso8601"),
        ("P1DT2H", "iso8601"),
        ("P2W", "iso8601"),
    ],
)
def test_jobs_style_times(text: str, kind: str) -> None:
    assert parse_job_time(text) == kind


@pytest.mark.parametrize("text", ["20", "R5/PT1M", "P", "PT", "tomorrow", "2026-11-27"])
def test_jobs_style_times_refused(text: str) -> None:
    assert parse_job_time(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "@every 15m",
        "@daily",
        "0 30 * * * *",
        "*/5 * * * *",
        "0 0 9 * * MON-FRI",
        "0 0 1,15 JAN ?",
        "CRON_TZ=Europe/Paris 0 9 * * *",
    ],
)
def test_cron_binding_schedules(text: str) -> None:
    assert cron_schedule_problem(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "@every",
        "@every 0s",
        "@fortnightly",
        "* * * *",
        "0 0 0 0 0 0 0",
        "61 * * * *",
        "*/0 * * * *",
    ],
)
def test_cron_binding_schedules_refused(text: str) -> None:
    assert cron_schedule_problem(text) is not None


def test_jobs_api_needs_six_fields() -> None:
    assert cron_schedule_problem("*/5 * * * *", seconds="required") is not None
    assert cron_schedule_problem("0 */5 * * * *", seconds="required") is None
    assert cron_schedule_problem("2026-11-27T10:00:00Z", seconds="required") is not None


@pytest.mark.parametrize(
    ("field_type", "good", "bad"),
    [
        ("bool", ["true", "Yes", "on", "1", "0", "false", ""], ["enabled", "2"]),
        ("number", ["1", "-1", "1.5", "1e3", "0x10", ""], ["ten", "1,000"]),
        ("duration", ["5s", "10"], ["5 seconds"]),
        ("bytesize", ["4Mi", "1024", "1G", ""], ["4 MB", "big"]),
        ("string", ["anything"], []),
    ],
)
def test_type_parsing(field_type: str, good: list[str], bad: list[str]) -> None:
    for text in good:
        assert type_problem(field_type, text) is None, text
    for text in bad:
        assert type_problem(field_type, text) is not None, text


def test_binding_direction_and_topic_scopes_constraints() -> None:
    assert constraint_problem("binding-direction", "input, output") is None
    assert constraint_problem("binding-direction", "Output") is None
    assert constraint_problem("binding-direction", "both") is not None
    assert constraint_problem("binding-direction", "input,,output, ") is None  # empty parts
    assert constraint_problem("binding-direction", "input, outptu") is not None
    assert constraint_problem("binding-direction", " , ") is not None
    assert constraint_problem("topic-scopes", "app1=t1,t2;app2=") is None
    assert constraint_problem("topic-scopes", "app1:t1") is not None


def test_templates_and_placeholders_are_recognised() -> None:
    for text in ["{uuid}", "group-{podName}", "${{KAFKA_BROKERS}}", "{{ .Values.x }}", "${X}"]:
        assert is_templated(text)
    assert not is_templated("plain-value")


def test_did_you_mean() -> None:
    assert did_you_mean("compressionType", ["compression", "brokers"]) == "compression"
    assert did_you_mean("enableIdempotence", ["compression", "brokers"]) is None


# --- importer --------------------------------------------------------------------------------


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


MINIMAL = """\
schemaVersion: v1
type: {category}
name: {name}
version: v1
status: alpha
title: "T"
urls: []
metadata:
  - name: host
    required: true
    description: "long prose that must not be kept"
    example: '"h"'
  - name: timeout
    type: duration
    default: '"5s"'
    description: d
    example: e
"""


def test_a_tab_after_a_value_is_white_space_as_in_go_yaml(tmp_path: Path) -> None:
    src = tmp_path / "contrib"
    text = MINIMAL.format(category="bindings", name="tab").replace("- name: host", "- name: host\t")
    _write(src / "bindings" / "tab" / "metadata.yaml", text)
    report = import_metadata(src, tmp_path / "out")
    assert report.imported == ["bindings.tab/v1"] and report.skipped == []
    written = json.loads((tmp_path / "out" / CATALOG_FILE).read_text())
    assert [f["name"] for f in written["components"][0]["fields"]] == ["host", "timeout"]


def test_import_reports_and_skips_bad_files(tmp_path: Path) -> None:
    src = tmp_path / "contrib"
    _write(src / "state" / "x" / "metadata.yaml", MINIMAL.format(category="state", name="x"))
    _write(
        src / "middleware" / "http" / "y" / "metadata.yaml",
        MINIMAL.format(category="middleware", name="y"),
    )
    _write(src / "bindings" / "bad" / "metadata.yaml", "type: bindings\nmetadata:\n  - [name: a\n")
    _write(src / "bindings" / "list" / "metadata.yaml", "- just a list\n")
    _write(
        src / "tests" / "state" / "z" / "metadata.yaml", MINIMAL.format(category="state", name="z")
    )
    out = tmp_path / "out"
    report = import_metadata(src, out)
    assert report.imported == ["middleware.http.y/v1", "state.x/v1"]
    reasons = dict(report.skipped)
    assert "not valid YAML (line 4" in reasons[str(Path("bindings/bad/metadata.yaml"))]
    assert reasons[str(Path("bindings/list/metadata.yaml"))] == "not a metadata mapping"
    text = (out / CATALOG_FILE).read_text()
    assert "long prose" not in text and '"example"' not in text
    assert "skipped bindings/bad/metadata.yaml" in str(report)
    catalog = load_catalog(out)
    state = catalog.lookup("state.x", "v1")
    assert state is not None
    timeout = state.field("timeout")
    assert timeout is not None and timeout.default == "5s" and timeout.type == "duration"
    assert state.field("keyPrefix") is not None  # hand-written runtime keys still apply


def test_import_of_a_missing_or_empty_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MetadataImportError, match="not a directory"):
        read_metadata(tmp_path / "absent")
    with pytest.raises(MetadataImportError, match=r"no metadata\.yaml"):
        import_metadata(tmp_path, tmp_path / "out")


def test_malformed_catalog_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / CATALOG_FILE).write_text("{not json")
    with pytest.raises(CatalogError, match="unreadable"):
        load_catalog(tmp_path)
    with pytest.raises(CatalogError, match="missing"):
        load_catalog(tmp_path / "nothing-here")


def test_overrides_for_missing_fields_are_refused() -> None:
    generated = {"components": [{"type": "state.x", "version": "v1", "fields": []}]}
    overrides = {"components": {"state.x": {"fields": {"nope": {"required": True}}}}}
    with pytest.raises(ValueError, match="nope"):
        build_catalog(generated, overrides)


@needs_upstream
def test_upstream_import_reads_every_metadata_file(tmp_path: Path) -> None:
    files = list(CONTRIB.rglob("metadata.yaml"))
    assert len(files) == 141
    report = import_metadata(CONTRIB, tmp_path)
    assert len(report.imported) == 141
    assert report.skipped == []
    assert report.builtin_profiles == ["aws", "azuread", "gcp"]


@needs_upstream
def test_committed_catalog_matches_a_fresh_import(tmp_path: Path) -> None:
    import_metadata(CONTRIB, tmp_path)
    fresh = json.loads((tmp_path / CATALOG_FILE).read_text())
    committed = json.loads((CATALOG_DIR / CATALOG_FILE).read_text())
    assert fresh == committed, (
        "re-run: python -m tools schemas import-metadata <contrib> --out schemas/dapr-components"
    )


def test_the_shipped_catalog_builds_every_entry_for_every_release() -> None:
    # The validator builds entries lazily, so a malformed one would only fail at its lookup:
    # here every entry of every release's catalog is built.
    from tools.dapr.release_catalog import build_release_catalog
    from tools.dapr.releases import load_release_data
    from tools.dapr.supported import SUPPORTED

    files = read_catalog_files()
    newest = build_catalog(*files)
    assert len(newest.components) > 140
    for release in SUPPORTED:
        built = build_release_catalog(*files, load_release_data(), release)
        assert set(built.components) == set(newest.components)


def test_a_lazy_catalog_builds_only_what_is_looked_up() -> None:
    catalog = build_catalog(*read_catalog_files(), lazy=True)
    specs = catalog.components
    assert isinstance(specs, LazySpecs)
    built = lambda: [k for k, v in specs._specs.items() if isinstance(v, ComponentSpec)]  # noqa: E731
    assert built() == []
    kafka = catalog.by_package("pubsub/kafka", "v1")
    assert kafka is not None and kafka.type == "pubsub.kafka"
    assert built() == [("pubsub.kafka", "v1")]
    alias = catalog.lookup("pubsub.snssqs", "v1")
    assert alias is not None and alias.type == "pubsub.snssqs"
    assert alias.fields == catalog.lookup("pubsub.aws.snssqs", "v1").fields  # type: ignore[union-attr]
    eager = build_catalog(*read_catalog_files())
    assert {k: eager.components[k] for k in eager.components} == {k: specs[k] for k in specs}


def test_rabbitmq_concurrency_is_overwritten(catalog: Catalog) -> None:
    rabbit = catalog.lookup("pubsub.rabbitmq", "v1")
    assert rabbit is not None
    field = rabbit.field("concurrency")
    assert field is not None and field.overwritten and "concurrencyMode" in field.overwritten
    assert rabbit.field("prefetchCount") is not None
    assert rabbit.field("prefetchCount").overwritten is None  # type: ignore[union-attr]


@pytest.mark.skipif(
    not (git_dir(CONTRIB_VARIABLE) / "HEAD").exists(),
    reason=missing(CONTRIB_VARIABLE, "dapr/components-contrib"),
)
@pytest.mark.parametrize("tag", ["v1.16.13", "v1.17.8", "v1.18.4"])
def test_rabbitmq_overwrites_concurrency_in_every_pinned_release(tag: str) -> None:
    """The fact behind `overwritten`: createMetadata's last statement, on every path."""
    source = GitRef(git_dir(CONTRIB_VARIABLE), tag).read("pubsub/rabbitmq/metadata.go")
    body = source.split("func createMetadata(", 1)[1].split("\n}\n", 1)[0]
    assert "\tresult.Concurrency, err = pubsub.Concurrency(pubSubMetadata.Properties)\n" in body
    assert 'mapstructure:"concurrency"' in source
