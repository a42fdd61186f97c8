"""The catalog-derived definitions of values.schema.json agree with the rules that check the
rendered metadata: what the schema accepts, the rules accept; what the rules report as a
literal credential, the schema refuses. Checked without Helm (fast, many examples); the Helm
side is covered by the values fuzzing and the chart tests."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from chartutil import CHART, render
from fuzz_strategies import SCHEMA, forward_ranges, strategy_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from property_budget import examples

from tools.cli.main import main as cli_main
from tools.dapr.component_spec import FieldSpec
from tools.dapr.cron import cron_schedule_problem
from tools.dapr.durations import go_duration_ns, parse_metadata_duration
from tools.dapr.model import GRPC_APIS, MATCH_VARIABLES, is_sensitive_field
from tools.dapr.release_catalog import spec_for
from tools.dapr.resiliency import TRIP_VARIABLES
from tools.importers import chart_schema, value_patterns
from tools.kubernetes import cel
from tools.secrets.text import DSN_USERINFO, KEYVALUE_SECRET, URL_USERINFO, find_secrets_in_text
from tools.secrets.token_formats import FORMATS
from tools.validate import Source, validate

FAST = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CREDENTIAL = re.compile(value_patterns.CREDENTIAL_PATTERN)
CRON = re.compile(value_patterns.cron_pattern())
METADATA_RULES = {"dapr", "security"}


def test_committed_schema_is_up_to_date() -> None:
    current = (CHART / "values.schema.json").read_text(encoding="utf-8")
    assert chart_schema.dump(chart_schema.regenerate(json.loads(current))) == current


def test_check_reports_stale_definitions_and_rewrite_fixes_them(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    schema["$defs"]["daprCronSchedule"] = {"$comment": chart_schema.GENERATED, "type": "string"}
    del schema["$defs"]["daprKafkaExtraMetadata"]
    (chart / "values.schema.json").write_text(chart_schema.dump(schema), encoding="utf-8")
    assert cli_main(["schemas", "values", "--check", "--chart", str(chart)]) == 1
    assert cli_main(["schemas", "values", "--chart", str(chart)]) == 0
    assert cli_main(["schemas", "values", "--check", "--chart", str(chart)]) == 0
    fixed = json.loads((chart / "values.schema.json").read_text(encoding="utf-8"))
    assert fixed["$defs"]["daprCronSchedule"] == chart_schema.generated_defs()["daprCronSchedule"]
    assert fixed["$defs"]["daprKafkaExtraMetadata"]["$comment"] == chart_schema.GENERATED


def test_a_hand_written_definition_with_a_generated_name_is_refused() -> None:
    schema = {"$defs": {"daprCronSchedule": {"type": "string"}}}
    with pytest.raises(ValueError, match="daprCronSchedule"):
        chart_schema.regenerate(schema)


def test_an_unknown_constraint_is_a_decision_not_a_silent_gap() -> None:
    field = FieldSpec(name="x", constraint="topic-scopes")
    with pytest.raises(ValueError, match="topic-scopes"):
        value_patterns.value_grammar(field)


# -- extraMetadata: names and values ---------------------------------------------------------


def _item_names(definition: dict[str, Any]) -> tuple[set[str], set[str]]:
    literal, secret = definition["items"]["oneOf"]
    return set(literal["properties"]["name"]["enum"]), set(secret["properties"]["name"]["enum"])


@pytest.mark.parametrize("entry", chart_schema.EXTRA_METADATA, ids=lambda e: e.definition)
def test_extra_metadata_names_are_the_fields_the_component_reads(
    entry: chart_schema.ExtraMetadata,
) -> None:
    definition = SCHEMA["$defs"][entry.definition]
    spec = spec_for(entry.type, entry.version)
    assert spec is not None
    if "maxItems" in definition:
        assert definition["maxItems"] == 0
        assert {f.name.lower() for f in spec.canonical_fields()} <= {
            n.lower() for n in entry.chart_sets
        }
        return
    literal, secret = _item_names(definition)
    assert literal <= secret
    for name in secret:
        field = spec.field(name)
        assert field is not None and field.name == name, f"{name} is not a canonical field"
        assert not field.deprecated
        assert name.lower() not in {n.lower() for n in entry.chart_sets}
    for name in secret - literal:
        assert is_sensitive_field(entry.type, entry.version, name), f"{name}: refused as literal"
    for name in literal:
        assert not is_sensitive_field(entry.type, entry.version, name), f"{name}: a credential"


def _component(entry: chart_schema.ExtraMetadata, items: list[dict[str, Any]]) -> str:
    """A Component of the entry's type holding ``items`` (one per name, as the chart keeps
    them) and the fields the rules require, as YAML text."""
    unique = {item["name"].lower(): item for item in items}
    metadata: list[dict[str, Any]] = list(unique.values())
    if entry.type == "pubsub.kafka":
        metadata += [
            {"name": "brokers", "value": "kafka:9092"},
            {"name": "authType", "value": "none"},
        ]
    elif entry.type == "state.postgresql":
        metadata.append({"name": "connectionString", "secretKeyRef": {"name": "pg", "key": "dsn"}})
    doc = {
        "apiVersion": "dapr.io/v1alpha1",
        "kind": "Component",
        "metadata": {"name": "c", "namespace": "ns"},
        "spec": {"type": entry.type, "version": entry.version, "metadata": metadata},
        "scopes": ["app"],
        "auth": {"secretStore": "kubernetes"},
    }
    return json.dumps(doc)


def _metadata_errors(entry: chart_schema.ExtraMetadata, items: list[dict[str, Any]]) -> list[str]:
    report = validate([Source("c.yaml", _component(entry, items), "c.yaml")], chosen=METADATA_RULES)
    return [
        f"{f.rule} {f.path}: {f.message}"
        for f in report.findings
        if f.is_error
        and f.path.startswith("/spec/metadata")
        and not f.message.startswith("value holds a high-entropy token;")
    ]


@pytest.mark.parametrize(
    "entry",
    [e for e in chart_schema.EXTRA_METADATA if "items" in SCHEMA["$defs"][e.definition]],
    ids=lambda e: e.definition,
)
def test_every_item_the_schema_accepts_passes_the_metadata_rules(
    entry: chart_schema.ExtraMetadata,
) -> None:
    @FAST
    @given(strategy_for({"$ref": f"#/$defs/{entry.definition}"}))
    def prop(items: list[dict[str, Any]]) -> None:
        assert not _metadata_errors(entry, items)

    prop()


def test_every_typed_field_has_a_value_that_passes_and_one_the_schema_refuses() -> None:
    """Not only random draws: one good and one bad value per value format in use."""
    samples = {
        "bool": ("true", "yes please"),
        "number": ("42", "forty-two"),
        "duration": ("1m30s", "90 seconds"),
    }
    kafka = next(e for e in chart_schema.EXTRA_METADATA if e.type == "pubsub.kafka")
    validator = _validator(kafka.definition)
    spec = spec_for("pubsub.kafka", "v1")
    assert spec is not None
    literal, _ = _item_names(SCHEMA["$defs"][kafka.definition])
    for name in sorted(literal):
        field = spec.field(name)
        assert field is not None
        if field.allowed:
            good, bad = field.allowed[0], field.allowed[0] + "-not"
        elif field.type in samples:
            good, bad = samples[field.type]
        else:
            continue
        assert validator.is_valid([{"name": name, "value": good}]), name
        assert not _metadata_errors(kafka, [{"name": name, "value": good}]), name
        assert not validator.is_valid([{"name": name, "value": bad}]), name
        assert _metadata_errors(kafka, [{"name": name, "value": bad}]), name


def _validator(definition: str) -> Any:
    import jsonschema

    return jsonschema.Draft202012Validator(
        {"$ref": f"#/$defs/{definition}", "$defs": SCHEMA["$defs"]}
    )


def test_names_the_chart_sets_are_refused_by_the_chart_as_well() -> None:
    """chart_sets must match the template: each name is refused by the chart's own check when
    the schema is skipped (so a schema edit can never let a duplicate through)."""
    cases = (
        [("pubsub", e) for e in chart_schema.EXTRA_METADATA if e.type == "pubsub.kafka"]
        + [("stateStore", e) for e in chart_schema.EXTRA_METADATA if e.type == "state.postgresql"]
        + [("scheduler", e) for e in chart_schema.EXTRA_METADATA if e.type == "bindings.cron"]
    )
    for section, entry in cases:
        for name in entry.chart_sets:
            values: dict[str, Any] = {section: {"extraMetadata": [{"name": name, "value": "1"}]}}
            if entry.type == "state.postgresql":
                values[section]["version"] = entry.version
            rendered = render(4, values=values, args=("--skip-schema-validation",))
            assert rendered.returncode != 0, f"{section} {name}: rendered"
            assert "repeats metadata field" in rendered.stderr, rendered.stderr


# -- literal credentials -----------------------------------------------------------------------

# One of each documented token shape (made-up values, the issuers' formats).
KNOWN_TOKENS = (
    "AKIAIOSFODNN7EXAMPLE",
    "ASIAY34FZKBOKMUTVV7A",
    "ghp_" + "x1Y2z3" * 6,
    "github_pat_" + "A1b2" * 5 + "C3_" + "d4E5f6" * 9 + "g7h8i",
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "AIza" + "Sy" + "B-c_D" * 6 + "e3X",
    "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
)


def _credential_texts() -> st.SearchStrategy[str]:
    """Texts around the shapes the rule looks for, and random text."""
    shapes = [
        st.from_regex(p, fullmatch=False) for p in (URL_USERINFO, DSN_USERINFO, KEYVALUE_SECRET)
    ]
    pem = st.from_regex(r"-----BEGIN [A-Z ]{0,12}-----", fullmatch=True)
    tokens = [st.from_regex(f.body, fullmatch=True).map(lambda t: f" {t} ") for f in FORMATS]
    return st.one_of(*shapes, pem, *tokens, st.text(max_size=40))


@FAST
@given(_credential_texts())
def test_the_schema_refuses_every_literal_credential_the_rule_reports(text: str) -> None:
    kinds = {kind for kind, _ in find_secrets_in_text(text) if kind != "a high-entropy token"}
    if kinds:
        assert CREDENTIAL.search(text), f"{text!r} holds {kinds} but the schema accepts it"


@pytest.mark.parametrize(
    "text",
    [
        "postgres://app:hunter2@db:5432/todo",
        "app:hunter2@tcp(db:3306)/todo",
        "host=db user=app password=hunter2",
        "Endpoint=sb://x/;SharedAccessKey=abc",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nabc",
        *KNOWN_TOKENS,
    ],
)
def test_the_schema_refuses_literal_credentials(text: str) -> None:
    assert CREDENTIAL.search(text)
    kinds = {kind for kind, _ in find_secrets_in_text(text) if kind != "a high-entropy token"}
    assert kinds, f"{text!r}: the rule reports nothing"


@pytest.mark.parametrize(
    "text",
    [
        "postgres://app@db:5432/todo",
        "host=db user=app",
        "-----BEGIN CERTIFICATE-----",
        "tls",
        "notification-service-dead-letter-topic-handler",
        "sha256:" + "0f3a9c" * 10 + "beef",
        "todo-app.todo-ns.svc.cluster.local:9092",
        "my-asia-region-akia",
    ],
)
def test_the_schema_accepts_values_without_credentials(text: str) -> None:
    assert not CREDENTIAL.search(text)
    assert list(find_secrets_in_text(text)) == []


# -- the cron schedule and the state store timeout ---------------------------------------------


@FAST
@given(st.from_regex(CRON, fullmatch=True))
def test_every_schedule_the_schema_accepts_parses_unless_a_range_runs_backwards(text: str) -> None:
    problem = cron_schedule_problem(text)
    if problem is not None:
        assert forward_ranges(text) != text, f"{text!r}: {problem}"


@pytest.mark.parametrize(
    "schedule",
    [
        "*/5 * * * *",
        "0 30 9 * * MON-FRI",
        "@daily",
        "@every 1h30m",
        "0 0 1 JAN,jul ?",
        "15 2/3 * * 0",
    ],
)
def test_cron_schedules_dapr_accepts_are_accepted(schedule: str) -> None:
    assert CRON.fullmatch(schedule) and cron_schedule_problem(schedule) is None


@pytest.mark.parametrize(
    "schedule",
    [
        "a b c d e",
        "60 * * * *",
        "* * * * * * *",
        "*/0 * * * *",
        "@every 0s",
        "@sometimes",
        "* 24 * * *",
    ],
)
def test_schedules_dapr_refuses_are_refused(schedule: str) -> None:
    assert not CRON.fullmatch(schedule)
    assert cron_schedule_problem(schedule) is not None


def test_the_timeout_schema_accepts_only_a_second_or_more() -> None:
    validator = _validator("daprPostgresqlTimeout")
    for good in ("1s", "20s", "1m", "1m30s", "0.5s1s", "2h", "5"):
        assert validator.is_valid(good), good
        assert (parse_metadata_duration(good) or 0) >= 1, good
    for bad in ("0", "999ms", "0.5s", "6us", "1ms", "100ms", "-5s", "s"):
        assert not validator.is_valid(bad), bad


@FAST
@given(strategy_for({"$ref": "#/$defs/daprPostgresqlTimeout"}))
def test_every_timeout_the_schema_accepts_is_at_least_a_second(text: str) -> None:
    seconds = parse_metadata_duration(text)
    assert seconds is not None and seconds >= 1, text


def test_the_chart_readme_extra_metadata_example_renders_and_validates_clean() -> None:
    readme = (CHART / "README.md").read_text(encoding="utf-8")
    blocks = [
        b for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL) if "extraMetadata" in b
    ]
    assert blocks, "the chart README has no extraMetadata example"
    for block in blocks:
        rendered = render(4, values=yaml.safe_load(block))
        assert rendered.returncode == 0, rendered.stderr
        report = validate([Source("readme.yaml", rendered.stdout, "readme")])
        assert not [f for f in report.findings if f.is_error or f.rule.startswith("dapr-")]


@pytest.mark.parametrize(
    ("definition", "value"),
    [
        ("daprPostgresqlTimeout", "1" + "0" * 4300),
        ("daprPostgresqlTimeout", "1s\n"),
        ("daprCronSchedule", "*/1" + "0" * 4300 + " * * * *"),
        ("daprCronSchedule", "0 5 * * *\n"),
    ],
)
def test_values_python_and_go_could_read_differently_are_refused(
    definition: str, value: str
) -> None:
    """A digit run too long for a 64-bit integer (Python's int() refuses it outright), and a
    trailing newline (Python's $ matches before it, Go's does not)."""
    assert not _validator(definition).is_valid(value)


@pytest.mark.parametrize(
    "item",
    [{"name": "dialTimeout", "value": "1" * 4301}, {"name": "maxMessageBytes", "value": "5\n"}],
)
def test_extra_metadata_values_python_and_go_could_read_differently_are_refused(
    item: dict[str, str],
) -> None:
    assert not _validator("daprKafkaExtraMetadata").is_valid([item])


def test_the_rules_read_an_overlong_number_as_invalid_instead_of_failing() -> None:
    assert parse_metadata_duration("1" * 4301) is None
    assert cron_schedule_problem("*/1" + "0" * 4300 + " * * * *") is not None


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("99999h", True),
        ("999999999999999999ns" * 9, True),  # the largest total the pattern allows, < 2^63 ns
        ("999999999999999999ns" * 10, False),
        ("100000h", False),  # a single term that could reach the int64 limit
        ("2562048h", False),
        ("1" * 10, False),  # bare seconds beyond what fits in nanoseconds
    ],
)
def test_duration_values_that_overflow_int64_nanoseconds_are_refused(
    value: str, valid: bool
) -> None:
    kafka = next(e for e in chart_schema.EXTRA_METADATA if e.type == "pubsub.kafka")
    validator = _validator(kafka.definition)
    assert validator.is_valid([{"name": "dialTimeout", "value": value}]) is valid
    if valid:
        assert not _metadata_errors(kafka, [{"name": "dialTimeout", "value": value}])


def test_every_schedule_needs_a_duration_go_reads_as_positive() -> None:
    assert CRON.fullmatch("@every 0.001us") and CRON.fullmatch("@every 0s1m")
    assert not CRON.fullmatch("@every 0.1ns")
    assert not CRON.fullmatch("@every 0.0001us")
    assert not CRON.fullmatch("@every " + "99999h" * 10)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("0", True),
        ("1h30m", True),
        ("99999h", True),
        ("999999999999999999ns" * 9, True),
        ("99999999999h", False),  # time.ParseDuration overflows: daprd falls back or refuses
        ("100000h", False),
        ("2562048h", False),
        ("999999999999999999ns" * 10, False),
        ("20s\n", False),
        ("-1s", False),
        ("30", False),  # no unit: daprd's initTimeout would silently be 5s
    ],
)
def test_every_duration_value_has_the_bounded_go_grammar(value: str, valid: bool) -> None:
    """$defs/duration (initTimeout, resiliency, Kafka backOff) is generated from the same
    bounded grammar as the metadata durations, so no accepted value overflows in daprd."""
    assert SCHEMA["$defs"]["duration"]["$comment"] == chart_schema.GENERATED
    assert _validator("duration").is_valid(value) is valid
    if valid:
        assert go_duration_ns(value) is not None


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategy_for({"$ref": "#/$defs/duration"}))
def test_every_duration_the_schema_accepts_parses_in_go(text: str) -> None:
    assert go_duration_ns(text) is not None, text


def test_grpc_api_rules_are_the_ones_the_rule_knows() -> None:
    """Every gRPC {name, version} the schema accepts is in daprd's endpoint table, and back."""
    node = SCHEMA["$defs"]["daprGrpcApiEntry"]
    accepted = {
        f"{name}.{version}"
        for case in node["allOf"]
        for name in [case["if"]["properties"]["name"]["const"]]
        for version in case["then"]["properties"]["version"]["enum"]
    }
    assert accepted == GRPC_APIS
    validator = _validator("apiEntry")
    assert validator.is_valid({"name": "state", "version": "v1", "protocol": "grpc"})
    assert validator.is_valid({"name": "state", "version": "v1.0", "protocol": "http"})
    assert not validator.is_valid({"name": "state", "version": "v1.0", "protocol": "grpc"})
    assert not validator.is_valid({"name": "state", "version": "v1"})


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategy_for({"$ref": "#/$defs/daprRouteMatch"}))
def test_every_route_match_the_schema_accepts_compiles_like_daprd(text: str) -> None:
    compiled = cel.compile_like_daprd(text, MATCH_VARIABLES)
    assert compiled == cel.Compiled(error=None, result=compiled.result), (text, compiled)
    assert compiled.result in {"BOOL", "DYN"}, text


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategy_for({"$ref": "#/$defs/daprBreakerTrip"}))
def test_every_breaker_trip_the_schema_accepts_compiles_like_daprd(text: str) -> None:
    compiled = cel.compile_like_daprd(text, TRIP_VARIABLES)
    assert compiled == cel.Compiled(error=None, result=compiled.result), (text, compiled)
    assert compiled.result in {"BOOL", "DYN"}, text


@pytest.mark.parametrize(
    ("definition", "text"),
    [
        ("daprRouteMatch", "\u00e9"),
        ("daprRouteMatch", 'event.type == "a" &&'),
        ("daprRouteMatch", 'type == "a"'),  # daprd binds only event
        ("daprRouteMatch", "event.in == 1"),  # a reserved word
        ("daprRouteMatch", "event.type"),  # not a boolean
        ("daprRouteMatch", 'f(event) == "a"'),  # an undefined function: an endless compile
        ("daprBreakerTrip", "consecutiveFailures >="),
        ("daprBreakerTrip", "failures > 5"),
        ("daprBreakerTrip", "consecutiveFailures > 99999999999"),
    ],
)
def test_cel_the_schema_refuses(definition: str, text: str) -> None:
    assert not _validator(definition).is_valid(text)


@pytest.mark.parametrize(
    ("value", "valid"),
    [("1ns", True), ("0.5s", True), ("0s1m", True), ("0", False), ("0s", False), ("0.1ns", False)],
)
def test_a_breaker_timeout_is_above_zero(value: str, valid: bool) -> None:
    """The breaker library replaces a timeout that is not above zero with 60s."""
    assert _validator("positiveDuration").is_valid(value) is valid


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategy_for({"$ref": "#/$defs/positiveDuration"}))
def test_every_positive_duration_the_schema_accepts_is_above_zero_in_go(text: str) -> None:
    assert (go_duration_ns(text) or 0) > 0, text
