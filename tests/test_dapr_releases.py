"""--dapr-version: the same manifest judged against Dapr 1.16, 1.17 and 1.18.

The examples are real differences between the releases, read from the mirrors:
``state.ravendb`` is registered from dapr v1.17.0 on (cmd/daprd/components/state_ravendb.go),
``bindings.kitex`` only up to 1.16; pubsub.kafka reads ``dialTimeout`` and
``producerRequiredAcks`` from components-contrib v1.18 on (common/component/kafka/metadata.go);
the Configuration CRD declares ``spec.tracing.otel.timeout`` from 1.17 and
``spec.workflow.workflowConcurrencyLimits`` from 1.18 (charts/dapr/crds/configuration.yaml).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from chartutil import render
from forked_cli import run_tools
from release_findings import errors_on
from upstream_git import CONTRIB_VARIABLE, DAPR_VARIABLE, git_dir, missing

from tools.chart.profiles import Profile, profile_release
from tools.cli.import_commands import run_import_releases
from tools.core.context import RunContext
from tools.core.findings import Severity
from tools.dapr.model import GRPC_SINCE
from tools.dapr.releases import (
    Change,
    ReleaseError,
    load_release_data,
    parse_release,
    parse_release_data,
    releases_path,
)
from tools.dapr.supported import NEWEST, SUPPORTED
from tools.importers.release_diff import diff_releases
from tools.rules import Rule
from tools.validate import Source, validate

ROOT = Path(__file__).resolve().parents[1]
HELMS = (4, 3)
DAPR_GIT = git_dir(DAPR_VARIABLE)
CONTRIB_GIT = git_dir(CONTRIB_VARIABLE)

RAVENDB = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: orders
spec:
  type: state.ravendb
  version: v1
  metadata:
    - name: serverURL
      value: http://ravendb:8080
    - name: databaseName
      value: orders
scopes: [backend]
"""
KITEX = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: rpc
spec:
  type: bindings.kitex
  version: v1
  metadata: []
scopes: [backend]
"""
KAFKA = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
spec:
  type: pubsub.kafka
  version: v1
  initTimeout: 60s
  metadata:
    - name: brokers
      value: kafka:9092
    - name: authType
      value: none
    - name: consumerGroup
      value: "{appID}"
    - name: producerRequiredAcks
      value: all
scopes: [backend]
"""
CONFIGURATION = """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: tracing
spec:
  tracing:
    samplingRate: "1"
    otel:
      endpointAddress: otel-collector:4317
      isSecure: false
      protocol: grpc
      timeout: 10s
  workflow:
    maxConcurrentWorkflowInvocations: 10
    workflowConcurrencyLimits:
      - name: order
        maxConcurrent: 2
"""


def test_a_type_added_in_1_17_makes_daprd_1_16_exit() -> None:
    (message,) = errors_on(RAVENDB, "1.16", "dapr-unknown-type")
    assert "added in Dapr 1.17" in message
    assert "daprd 1.16 does not register it" in message
    assert "sidecar exits" in message
    assert errors_on(RAVENDB, "1.17", "dapr-unknown-type") == []
    assert errors_on(RAVENDB, "1.18", "dapr-unknown-type") == []


def test_a_type_removed_after_1_16_is_fine_only_on_1_16() -> None:
    assert errors_on(KITEX, "1.16", "dapr-unknown-type") == []
    for release in ("1.17", "1.18"):
        (message,) = errors_on(KITEX, release, "dapr-unknown-type")
        assert "removed after Dapr 1.16" in message


def test_versions_follow_the_release() -> None:
    sqlserver_v2 = RAVENDB.replace("state.ravendb", "state.sqlserver").replace(
        "version: v1", "version: v2"
    )
    (message,) = errors_on(sqlserver_v2, "1.16", "dapr-unknown-type")
    assert 'no version "v2"' in message
    assert errors_on(sqlserver_v2, "1.17", "dapr-unknown-type") == []


def test_a_metadata_name_added_in_1_18_is_ignored_by_older_daprd() -> None:
    for release in ("1.16", "1.17"):
        (message,) = errors_on(KAFKA, release, "dapr-unknown-metadata")
        assert '"producerRequiredAcks" was added in Dapr 1.18' in message
        assert f"daprd {release} ignores it" in message
    assert errors_on(KAFKA, "1.18", "dapr-unknown-metadata") == []


def test_a_name_an_older_release_still_reads_is_not_unknown_there() -> None:
    # bindings.postgres decoded poolConfig until 1.16 (bindings/postgres/metadata.go).
    manifest = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: db}
spec:
  type: bindings.postgresql
  version: v1
  metadata:
    - {name: connectionString, secretKeyRef: {name: pg, key: dsn}}
    - {name: poolConfig, value: x}
scopes: [backend]
"""
    data = load_release_data()
    assert data.metadata_change("bindings/postgres", "poolConfig") is not None
    on_116 = validate([Source("m.yaml", manifest)], context=RunContext(dapr_release="1.16"))
    on_118 = validate([Source("m.yaml", manifest)], context=RunContext(dapr_release="1.18"))
    assert not [f for f in on_116.findings if f.rule == "dapr-unknown-metadata"]
    assert [f for f in on_118.findings if f.rule == "dapr-unknown-metadata"]


def test_a_crd_field_added_after_1_16_is_pruned_by_older_api_servers() -> None:
    on_116 = errors_on(CONFIGURATION, "1.16", "schema-dapr")
    assert len(on_116) == 2
    assert any("spec.tracing.otel.timeout: added in Dapr 1.17" in m for m in on_116)
    assert any("spec.workflow.workflowConcurrencyLimits: added in Dapr 1.18" in m for m in on_116)
    assert all("prunes it" in m for m in on_116)
    (on_117,) = errors_on(CONFIGURATION, "1.17", "schema-dapr")
    assert "workflowConcurrencyLimits: added in Dapr 1.18" in on_117
    assert errors_on(CONFIGURATION, "1.18", "schema-dapr") == []


def test_the_default_is_the_newest_release() -> None:
    report = validate([Source("m.yaml", RAVENDB + "---\n" + KAFKA + "---\n" + CONFIGURATION)])
    assert not [f for f in report.findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1.16", "1.16"), ("v1.17", "1.17"), ("1.18.3", "1.18"), (" 1.18 ", "1.18")],
)
def test_parse_release(text: str, expected: str) -> None:
    assert parse_release(text) == expected


@pytest.mark.parametrize("text", ["1.15", "2.0", "1.18.x", "", "latest", "1.1" + "0" * 9])
def test_unsupported_release_names_the_supported_ones(text: str) -> None:
    with pytest.raises(ReleaseError, match=r"supported releases: 1\.16, 1\.17, 1\.18"):
        parse_release(text)


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = run_tools(*args, cwd=cwd, env=env, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_cli_flag_and_config_key(tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text(RAVENDB, encoding="utf-8")
    assert _cli(tmp_path, "validate", "--no-config", "m.yaml").returncode == 0
    assert _cli(tmp_path, "validate", "--dapr-version", "1.16", "m.yaml").returncode == 1
    bad = _cli(tmp_path, "validate", "--dapr-version", "1.15", "m.yaml")
    assert bad.returncode == 2
    assert "1.16, 1.17, 1.18" in bad.stderr
    (tmp_path / ".todo-dapr.yaml").write_text('dapr-version: "1.16"\n', encoding="utf-8")
    assert _cli(tmp_path, "validate", "m.yaml").returncode == 1
    assert _cli(tmp_path, "validate", "--dapr-version", "1.17", "m.yaml").returncode == 0
    (tmp_path / ".todo-dapr.yaml").write_text("dapr-version: 1.16\n", encoding="utf-8")
    as_number = _cli(tmp_path, "validate", "m.yaml")
    assert as_number.returncode == 2
    assert "dapr-version: must be a string" in as_number.stderr
    (tmp_path / ".todo-dapr.yaml").write_text('dapr-version: "1.12"\n', encoding="utf-8")
    old = _cli(tmp_path, "validate", "m.yaml")
    assert old.returncode == 2
    assert ".todo-dapr.yaml: dapr-version:" in old.stderr


def test_list_rules_shows_releases(tmp_path: Path) -> None:
    listing = _cli(tmp_path, "validate", "--list-rules").stdout.splitlines()
    unknown_type = next(line for line in listing if line.startswith("dapr-unknown-type "))
    assert " all " in unknown_type


def test_rule_releases() -> None:
    def nothing(*_: Any) -> list[Any]:
        return []

    only = Rule("x-only", "dapr", Severity.ERROR, "s", nothing, releases=frozenset({"1.18"}))
    assert only.runs_on("1.18") and not only.runs_on("1.16")
    assert only.releases_label() == "1.18"
    every = Rule("x-all", "dapr", Severity.ERROR, "s", nothing)
    assert every.runs_on("1.16") and every.releases_label() == "all"
    with pytest.raises(ValueError, match="unsupported Dapr releases"):
        Rule("x-bad", "dapr", Severity.ERROR, "s", nothing, releases=frozenset({"1.9"}))


def test_profile_release(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text('appVersion: "1.17"\n', encoding="utf-8")
    assert profile_release(Profile("p", chart)) == "1.17"
    (chart / "values.yaml").write_text('daprVersion: "1.18"\n', encoding="utf-8")
    assert profile_release(Profile("p", chart)) == "1.18"
    own = tmp_path / "old-values.yaml"
    own.write_text('daprVersion: "1.16"\n', encoding="utf-8")
    assert profile_release(Profile("p", chart, (own,))) == "1.16"


def test_data_shape_and_change_spans() -> None:
    data = load_release_data()
    assert sorted(data.refs) == list(SUPPORTED)
    assert data.component("state.ravendb") == Change(since="1.17")
    assert Change(since="1.17").present_in("1.18")
    assert not Change(until="1.16").present_in("1.17")
    with pytest.raises(ValueError, match="needs since or until"):
        parse_release_data({"releases": {r: {} for r in SUPPORTED}, "components": {"state.x": {}}})


def test_diff_keeps_only_what_differs() -> None:
    def release(types: list[str], names: list[str], paths: list[str]) -> dict[str, Any]:
        return {
            "registry": {t: {"type": t, "versions": {"": "p"}} for t in types},
            "metadata": {"p": {n.lower(): n for n in names}},
            "crds": {"c-v1": set(paths)},
        }

    diff = diff_releases(
        {
            "1.16": release(["a.x", "a.old"], ["host"], ["spec", "spec.a"]),
            "1.17": release(["a.x", "a.mid"], ["host", "port"], ["spec", "spec.a", "spec.b"]),
            NEWEST: release(
                ["a.x", "a.mid"], ["host", "port", "dialTimeout"], ["spec", "spec.a", "spec.b"]
            ),
        }
    )
    assert diff["components"]["a.mid"] == {"since": "1.17"}
    assert diff["components"]["a.old"]["until"] == "1.16"
    assert "a.x" not in diff["components"]
    assert diff["metadata"]["p"] == {
        "dialtimeout": {"name": "dialTimeout", "since": "1.18"},
        "port": {"name": "port", "since": "1.17"},
    }
    assert diff["crd_fields"] == {"c-v1": {"spec.b": {"since": "1.17"}}}
    # A field added under an object an older CRD kept open was never pruned there.
    kept_open = {r: release(["a.x"], [], ["spec", "spec.a"]) for r in SUPPORTED}
    kept_open[NEWEST]["crds"]["c-v1"].add("spec.a.new")
    kept_open["1.16"]["open"] = {"c-v1": {"spec.a"}}
    assert diff_releases(kept_open)["crd_fields"] == {}
    kept_open["1.16"]["open"] = {}
    assert diff_releases(kept_open)["crd_fields"] == {"c-v1": {"spec.a.new": {"since": "1.18"}}}


def test_check_without_mirrors_checks_the_shape(capsys: pytest.CaptureFixture[str]) -> None:
    status = run_import_releases(
        dapr_git=None, contrib_git=None, out=None, check=True, latest=False
    )
    assert status == 0
    assert "content NOT compared" in capsys.readouterr().out


def test_check_refuses_a_malformed_file(tmp_path: Path) -> None:
    broken = tmp_path / "releases.json"
    broken.write_text(json.dumps({"releases": {"1.16": {}}}), encoding="utf-8")
    status = run_import_releases(
        dapr_git=None, contrib_git=None, out=str(broken), check=True, latest=False
    )
    assert status == 1


@pytest.mark.skipif(
    not (DAPR_GIT.is_dir() and CONTRIB_GIT.is_dir()),
    reason=missing(f"{DAPR_VARIABLE} and {CONTRIB_VARIABLE}", "dapr/dapr and components-contrib"),
)
def test_committed_data_matches_the_mirrors(tmp_path: Path) -> None:
    copy = tmp_path / "releases.json"
    copy.write_bytes(releases_path().read_bytes())
    status = run_import_releases(
        dapr_git=str(DAPR_GIT),
        contrib_git=str(CONTRIB_GIT),
        out=str(copy),
        check=True,
        latest=False,
    )
    assert status == 0


@pytest.mark.skipif(
    not (DAPR_GIT.is_dir() and CONTRIB_GIT.is_dir()),
    reason=missing(f"{DAPR_VARIABLE} and {CONTRIB_VARIABLE}", "dapr/dapr and components-contrib"),
)
def test_check_fails_on_stale_data_and_importers_read_git_refs(tmp_path: Path) -> None:
    stale = tmp_path / "releases.json"
    stale.write_text(
        releases_path().read_text(encoding="utf-8").replace('"since": "1.17"', '"since": "1.18"'),
        encoding="utf-8",
    )
    status = run_import_releases(
        dapr_git=str(DAPR_GIT),
        contrib_git=str(CONTRIB_GIT),
        out=str(stale),
        check=True,
        latest=False,
    )
    assert status == 1
    crds = _cli(
        tmp_path,
        "schemas",
        "import-crd",
        "--git-dir",
        str(DAPR_GIT),
        "--ref",
        "v1.16.19",
        "--out",
        "crds",
    )
    assert crds.returncode == 0, crds.stderr
    assert (tmp_path / "crds" / "configuration-v1alpha1.json").is_file()
    assert not (tmp_path / "crds" / "mcpserver-v1alpha1.json").exists()  # new in 1.18
    meta = _cli(
        tmp_path,
        "schemas",
        "import-metadata",
        "--git-dir",
        str(CONTRIB_GIT),
        "--ref",
        "v1.16.13",
        "--out",
        "meta",
    )
    assert meta.returncode == 0, meta.stderr
    catalog = json.loads((tmp_path / "meta" / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["source"] == "v1.16.13"
    assert "state.ravendb" not in {c["type"] for c in catalog["components"]}
    mixed = _cli(tmp_path, "schemas", "import-crd", "x.yaml", "--git-dir", str(DAPR_GIT))
    assert mixed.returncode == 2


@pytest.mark.slow(4)
def test_render_judges_each_profile_against_its_release(cli: Any, tmp_path: Path) -> None:
    """A metadata name only 1.18 reads: the chart refuses it on top of the dapr116 profile
    (its daprVersion), and the validator refuses it when --dapr-version says the cluster runs
    1.16 though the values say 1.18."""
    extra = tmp_path / "extra-values.yaml"
    extra.write_text(
        "pubsub:\n  extraMetadata:\n    - name: dialTimeout\n      value: 5s\n", encoding="utf-8"
    )
    on_116 = cli(
        *("render", "--no-config", "--profile", "dapr116", "-f", str(extra), "--format", "json"),
        *("--out", str(tmp_path / "a")),
    )
    assert on_116.returncode == 1, on_116.stderr
    (refused,) = json.loads(on_116.stdout)["findings"]
    assert refused["rule"] == "helm-render"
    assert (
        'pubsub.extraMetadata[0].name: "dialTimeout" was added in Dapr 1.18; daprd 1.16'
        in refused["message"]
    )
    base = (
        *("render", "--no-config", "--profile", "dapr118", "-f", str(extra), "--format", "json"),
        "--dapr-sidecar-drop-all",  # the helm test pod's daprd, as the README installs Dapr
    )
    assert cli(*base, "--out", str(tmp_path / "b")).returncode == 0
    judged = cli(*base, "--dapr-version", "1.16", "--out", str(tmp_path / "c"))
    assert judged.returncode == 1, judged.stderr
    (finding,) = json.loads(judged.stdout)["findings"]
    assert finding["rule"] == "dapr-unknown-metadata"
    assert "added in Dapr 1.18: daprd 1.16 ignores it" in finding["message"]
    # That each release's own profile renders clean, judged against its release, is checked
    # on the full render in tests/test_cli.py (test_render_every_profile).


def test_the_chart_gate_matches_the_release_data() -> None:
    """templates/_helpers.tpl todo-dapr.metadataSince lists exactly the names releases.json
    records as added after 1.16 for the components the chart renders."""
    helpers = (ROOT / "charts/todo-dapr/templates/_helpers.tpl").read_text(encoding="utf-8")
    body = helpers.split('{{- define "todo-dapr.metadataSince" -}}', 1)[1].split("{{- end", 1)[0]
    in_chart = yaml.safe_load(body)
    data = load_release_data()
    packages = {
        "pubsub.kafka": ("pubsub/kafka",),
        "state.postgresql": ("state/postgresql/v1", "state/postgresql/v2"),
    }
    expected: dict[str, dict[str, str]] = {}
    for type_, dirs in packages.items():
        for package in dirs:
            for lower, (_, change) in data.metadata.get(package, {}).items():
                if change.since is not None:
                    expected.setdefault(type_, {})[lower] = change.since
    assert in_chart == expected


def _grpc(name: str, version: str) -> dict[str, str]:
    return {"name": name, "version": version, "protocol": "grpc"}


@pytest.mark.parametrize("major", HELMS)
def test_the_chart_refuses_a_grpc_api_the_release_does_not_have(major: int) -> None:
    """jobs v1 and actors v1alpha1 joined daprd's gRPC endpoint table in 1.18
    (pkg/api/grpc/endpoints.go of v1.16.19 and v1.17.13 lack them): the values schema accepts
    them, so the chart refuses them against daprVersion, naming the values path."""
    shared = {"configuration": {"api": {"allowed": [_grpc("jobs", "v1")]}}}
    on_116 = render(major, profile="dapr116", values=shared)
    assert on_116.returncode != 0
    assert (
        'configuration.api.allowed[0]: gRPC API "jobs" version "v1" was added in Dapr 1.18; '
        "daprd 1.16 (daprVersion) has no such API"
    ) in on_116.stderr, on_116.stderr
    per_app = {"apps": {"backend": {"api": {"denied": [_grpc("actors", "v1alpha1")]}}}}
    on_117 = render(major, profile="dapr117", values=per_app)
    assert on_117.returncode != 0
    assert 'apps.backend.api.denied[0]: gRPC API "actors" version "v1alpha1"' in on_117.stderr
    assert "daprd 1.17 (daprVersion)" in on_117.stderr
    older = render(
        major,
        profile="dapr116",
        values={
            "apps": {
                "backend": {
                    "api": {
                        "allowed": [
                            _grpc("jobs", "v1alpha1"),
                            {**_grpc("jobs", "v1"), "protocol": "http"},
                        ]
                    }
                }
            }
        },
    )
    assert older.returncode == 0, older.stderr  # the 1.16 name, and an HTTP rule
    for values, which, wanted in ((shared, "allowed", "jobs.v1"), (per_app, "denied", None)):
        on_118 = render(major, profile="dapr118", values=values)
        assert on_118.returncode == 0, on_118.stderr
        backend = next(
            d.doc
            for d in on_118.documents
            if d.doc.get("kind") == "Configuration"
            and d.doc["metadata"]["name"].endswith("-backend")
        )
        names = {f"{r['name']}.{r['version']}" for r in backend["spec"]["api"][which]}
        assert (wanted or "actors.v1alpha1") in names


def test_the_chart_api_gate_matches_the_api_access_rule() -> None:
    """templates/_helpers.tpl todo-dapr.grpcApiSince lists exactly GRPC_SINCE."""
    helpers = (ROOT / "charts/todo-dapr/templates/_helpers.tpl").read_text(encoding="utf-8")
    body = helpers.split('{{- define "todo-dapr.grpcApiSince" -}}', 1)[1].split("{{- end", 1)[0]
    assert yaml.safe_load(body) == GRPC_SINCE
