"""The importer of how components read their metadata (``import-metadata-reads``): a small Go
tree shaped like components-contrib, each pattern the importer follows or must not follow, and
the committed file against a fresh import of the real repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from upstream_git import CONTRIB_VARIABLE, git_dir, missing

from tools.cli.main import main
from tools.importers.metadata_reads import import_metadata_reads
from tools.importers.source import Checkout

CONTRIB_MIRROR = git_dir(CONTRIB_VARIABLE)
needs_mirror = pytest.mark.skipif(
    not (CONTRIB_MIRROR / "HEAD").exists(),
    reason=missing(CONTRIB_VARIABLE, "dapr/components-contrib"),
)

C = "github.com/dapr/components-contrib"

TREE = {
    "common/auth/keys.go": """package auth

var MetadataKeys = map[string][]string{
\t"AccountName": {"accountName", "storageAccount"},
}
""",
    "common/auth/settings.go": """package auth

import "errors"

type Base struct {
\tToken     string `mapstructure:"token"`
\tMountPath string `mapstructure:"tokenMountPath"`
}

func (b *Base) Validate() error {
\tif b.Token == "" && b.MountPath == "" {
\t\treturn errors.New("token mount path and token not set")
\t}
\treturn nil
}
""",
    "state/fake/fake.go": f"""package fake

import (
\t"errors"
\t"fmt"
\t"strings"

\tauth "{C}/common/auth"
\tkitmd "github.com/dapr/kit/metadata"
)

const hostKey = "host"

type fakeMetadata struct {{
\tauth.Base
\tURL         string `mapstructure:"url"`
\tTopic       string `mapstructure:"topic"`
\tConnString  string `mapstructure:"connectionString"`
\tNamespace   string `mapstructure:"namespaceName"`
\tContentType string `mapstructure:"contentType"`
\tMode        string `mapstructure:"mode"`
\tTable       string `mapstructure:"table"`
\tRootPath    string `json:"rootPath"`
}}

type Store struct {{
\tmeta    fakeMetadata
\ttoken   string
\theaders map[string]string
}}

func (s *Store) Init(ctx context.Context, metadata state.Metadata) error {{
\tm := fakeMetadata{{ContentType: "application/json", Table: ""}}
\terr := kitmd.DecodeMetadata(metadata.Properties, &m)
\tif err != nil {{
\t\treturn err
\t}}
\tif m.URL == "" || m.Topic == "" {{
\t\treturn errors.New("missing url or topic")
\t}}
\tif m.ContentType == "" {{
\t\treturn errors.New("contentType is required")
\t}}
\tif m.ConnString != "" {{
\t\ts.token = m.ConnString
\t}} else if m.Namespace == "" {{
\t\treturn errors.New("either connectionString or namespaceName")
\t}}
\tif m.Mode == "strict" {{
\t\tif m.Table == "" {{
\t\t\treturn errors.New("table needed in strict mode")
\t\t}}
\t}}
\tif err := m.Validate(); err != nil {{
\t\treturn err
\t}}
\tm.RootPath, err = checkRoot(m.RootPath)
\tif err != nil {{
\t\treturn err
\t}}
\tif val, ok := metadata.Properties[hostKey]; !ok || val == "" {{
\t\treturn fmt.Errorf("missing %s", hostKey)
\t}}
\taccount, _ := kitmd.GetMetadataProperty(metadata.Properties, auth.MetadataKeys["AccountName"]...)
\t_ = account
\t_ = metadata.Properties["maxRetries"]
\tfor k, v := range metadata.Properties {{
\t\tif strings.HasPrefix(k, "header:") {{
\t\t\ts.headers[k] = v
\t\t}}
\t\tif strings.HasPrefix(v, "https://") {{
\t\t\ts.headers[k] = v
\t\t}}
\t}}
\treturn s.later(metadata)
}}

func checkRoot(rootPath string) (string, error) {{
\tif rootPath == "" {{
\t\treturn "", errors.New("property rootPath must not be empty")
\t}}
\trootPath = strings.TrimSpace(rootPath)
\treturn rootPath, nil
}}

func (s *Store) later(metadata state.Metadata) error {{
\tif s.token != "" {{
\t\treturn nil
\t}}
\tif metadata.Properties["late"] == "" {{
\t\treturn errors.New("late is required without a connection string")
\t}}
\treturn nil
}}

func (s *Store) Get(req *state.GetRequest) error {{
\t_ = req.Metadata["perRequest"]
\treturn nil
}}
""",
    "state/parsing/parsing.go": """package parsing

import (
	"errors"
	"strconv"
	"time"

	kitmd "github.com/dapr/kit/metadata"
)

var errBadWait = errors.New("wait is invalid")

type props struct {
	Wait    string `mapstructure:"wait"`
	Retries string `mapstructure:"retries"`
	Later   string `mapstructure:"later"`
	Quiet   string `mapstructure:"quiet"`
}

type Store struct{}

func (s *Store) Init(ctx context.Context, metadata state.Metadata) error {
	var p props
	if err := kitmd.DecodeMetadata(metadata.Properties, &p); err != nil {
		return err
	}
	wait, err := time.ParseDuration(p.Wait)
	if err != nil {
		return errBadWait
	}
	if p.Retries != "" {
		n, err := strconv.ParseInt(p.Retries, 10, 32)
		if err != nil {
			return fmt.Errorf("retries: %w", err)
		}
	}
	if p.Quiet != "" {
		q, err := strconv.Atoi(p.Quiet)
		if err != nil {
			q = 0
		}
	}
	if wait > 0 {
		return nil
	}
	l, err := strconv.Atoi(p.Later)
	if err != nil {
		return err
	}
	return nil
}
""",
    "state/paired/paired.go": """package paired

type props struct {
\tUser   string `mapstructure:"username"`
\tPass   string `mapstructure:"password"`
\tMode   string `mapstructure:"mode"`
\tTable  string `mapstructure:"table"`
}

type Store struct{ meta props }

func (s *Store) Init(ctx context.Context, metadata state.Metadata) error {
\treturn kitmd.DecodeMetadata(metadata.Properties, &s.meta)
}

func (s *Store) connect() {
\tfor _, r := range s.retries {
\t\tif s.meta.User != "" && s.meta.Pass != "" {
\t\t\tlogin(s.meta.User, s.meta.Pass)
\t\t}
\t}
\tif s.meta.Mode != "" && s.meta.Table != "" {
\t\tuse(s.meta.Mode, s.meta.Table)
\t}
\tlog(s.meta.Table)
}
""",
    "state/nocode/nocode.go": """package nocode

func NewStore() any { return nil }
""",
}


@pytest.fixture(scope="module")
def facts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("contrib")
    for name, text in TREE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    data, report = import_metadata_reads(
        Checkout(root),
        ["state/fake", "state/nocode", "state/parsing", "state/paired", "state/missing"],
        "test",
    )
    assert report.missing == ["state/missing"]
    return dict(data["packages"])


def _required(facts: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    return {tuple(r["any_of"]): r for r in facts["state/fake"]["required"]}


def test_each_disjunct_of_an_or_is_a_requirement(facts: dict[str, Any]) -> None:
    required = _required(facts)
    assert required[("url",)]["error"] == "missing url or topic"
    assert ("topic",) in required
    assert required[("url",)]["where"].startswith("state/fake/fake.go:")
    assert required[("url",)]["where"].endswith("Store.Init")


def test_an_else_if_after_a_set_test_is_either_or(facts: dict[str, Any]) -> None:
    assert ("connectionString", "namespaceName") in _required(facts)


def test_an_and_of_empty_tests_in_a_promoted_method_is_either_or(facts: dict[str, Any]) -> None:
    required = _required(facts)
    assert required[("token", "tokenMountPath")]["where"].endswith("Base.Validate")


def test_a_parameter_is_traced_to_the_argument_of_the_call(facts: dict[str, Any]) -> None:
    required = _required(facts)
    assert required[("RootPath",)]["where"].endswith("checkRoot")


def test_a_map_index_with_ok_is_an_exact_requirement(facts: dict[str, Any]) -> None:
    assert _required(facts)[("host",)].get("exact") is True


def test_an_early_return_makes_later_checks_either_or(facts: dict[str, Any]) -> None:
    """``later`` returns early when ``s.token`` (set from connectionString) is set."""
    assert ("connectionString", "late") in _required(facts)


def test_defaults_and_conditional_checks_are_not_requirements(facts: dict[str, Any]) -> None:
    required = {name for names in _required(facts) for name in names}
    assert "contentType" not in required  # a composite literal gives it a value first
    assert "table" not in required  # checked only when mode is strict


def test_reads_alias_lists_exact_keys_and_key_prefixes(facts: dict[str, Any]) -> None:
    fake = facts["state/fake"]
    assert fake["reads"]["storageAccount"] == "any"
    assert fake["reads"]["accountName"] == "any"
    assert fake["reads"]["maxRetries"] == "exact"
    assert "AccountName" not in fake["reads"]  # the alias list's own key is not a read
    assert "perRequest" not in fake["reads"]  # a request's metadata, not the component's
    assert fake["prefixes"] == ["header:"]  # a prefix of a value is not a key prefix


def test_values_init_parses_and_refuses(facts: dict[str, Any]) -> None:
    parsing = facts["state/parsing"]
    parsed = parsing["parsed"]
    assert parsed["wait"]["decoder"] == "time:duration"
    assert parsed["wait"]["error"] == "wait is invalid"  # the error variable's message
    assert parsed["retries"]["decoder"] == "strconv:int32"  # parsed only when set
    assert "quiet" not in parsed  # a failed parse falls back to 0: not refused
    assert "later" not in parsed  # after an early return: conditional
    required = {tuple(r["any_of"]) for r in parsing["required"]}
    assert required == {("wait",)}  # parsed on every pass: empty fails too


def test_fields_used_only_together(facts: dict[str, Any]) -> None:
    """User and Pass are used only inside `if user != "" && pass != ""` (nested in a loop);
    Table is also used on its own, so Mode and Table are no pair."""
    pairs = facts["state/paired"]["pairs"]
    assert [p["all_of"] for p in pairs] == [["password", "username"]]
    assert pairs[0]["where"].endswith("Store.connect")


def test_a_package_without_init_says_its_code_was_not_read(facts: dict[str, Any]) -> None:
    assert "init" in facts["state/fake"]
    assert "init" not in facts["state/nocode"]


def test_older_releases_keep_only_what_they_read_differently(tmp_path: Path) -> None:
    trees = {}
    for release in ("new", "old"):
        root = tmp_path / release
        for name, text in TREE.items():
            written = text
            if release == "old" and name == "state/fake/fake.go":
                written = text.replace('m.URL == "" || m.Topic == ""', 'm.URL == ""')
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(written, encoding="utf-8")
        trees[release] = Checkout(root)
    older = {"1.16": (trees["old"], "v-old")}
    data, report = import_metadata_reads(trees["new"], ["state/fake", "state/nocode"], "v", older)
    assert data["releases"] == {"1.16": "v-old"}
    assert list(data["older"]["1.16"]) == ["state/fake"]  # state/nocode reads the same
    old_required = {tuple(r["any_of"]) for r in data["older"]["1.16"]["state/fake"]["required"]}
    assert ("topic",) not in old_required and ("url",) in old_required
    assert report.older == {"1.16": 1}


def test_check_without_a_source_checks_the_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "import-metadata-reads", "--check"]) == 0
    assert "shape valid" in capsys.readouterr().out


def test_check_fails_on_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "contrib"
    for name, text in TREE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    registry = tmp_path / "registry.json"
    registry.write_text(
        json.dumps({"components": [{"type": "state.fake", "versions": {"v1": "state/fake"}}]})
    )
    out = tmp_path / "reads.json"
    args = ["schemas", "import-metadata-reads", str(root), "--registry", str(registry)]
    assert main([*args, "--out", str(out)]) == 0
    assert main([*args, "--out", str(out), "--check"]) == 0
    out.write_text(out.read_text().replace('"url"', '"URL"'))
    assert main([*args, "--out", str(out), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err


@needs_mirror
def test_committed_file_matches_a_fresh_import_of_components_contrib() -> None:
    args = ["schemas", "import-metadata-reads", "--check", "--git-dir", str(CONTRIB_MIRROR)]
    assert main(args) == 0
