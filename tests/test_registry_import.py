"""The daprd registry importer: a hand-written Go tree (always) and dapr/dapr (when mirrored)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from upstream_git import DAPR_VARIABLE, git_dir, missing

from tools.cli.main import main
from tools.dapr.registry import REGISTRY_PATH, load_registry, parse_registry
from tools.importers import gosource as go
from tools.importers.daprd_components import RegistryImportError, dumps, import_registry
from tools.importers.source import Checkout, GitRef, SourceError

DAPR_MIRROR = git_dir(DAPR_VARIABLE)
needs_mirror = pytest.mark.skipif(
    not (DAPR_MIRROR / "HEAD").exists(),
    reason=missing(DAPR_VARIABLE, "dapr/dapr"),
)

# A small tree shaped like dapr/dapr, written for these tests.
TREE = {
    "pkg/components/category.go": """package components
type Category string
const (
\tCategoryPubSub Category = "pubsub"
\tCategoryStateStore Category = "state"
\tCategoryNameResolution Category = "nameresolution"
\tCategoryMiddleware Category = "middleware"
)
""",
    "pkg/runtime/processor/processor.go": """package processor
func New() *Processor {
\treturn &Processor{
\t\tmanagers: map[components.Category]manager{
\t\t\tcomponents.CategoryPubSub: pubsub.New(pubsub.Options{A: "x"}),
\t\t\tcomponents.CategoryStateStore: state,
\t\t\tcomponents.CategoryMiddleware: mw,
\t\t},
\t}
}
""",
    "pkg/components/pubsub/registry.go": """package pubsub
func createFullName(name string) string {
\treturn strings.ToLower("pubsub." + name)
}
""",
    "pkg/components/state/registry.go": """package state
// createFullName builds "state." names.
func createFullName(name string) string { return strings.ToLower("state." + name) }
""",
    "pkg/components/middleware/http/registry.go": """package http
func createFullName(name string) string {
\treturn strings.ToLower("middleware.http." + name)
}
""",
    "cmd/daprd/components/pubsub_fake.go": """//go:build allcomponents || stablecomponents

package components

import (
\t"github.com/dapr/components-contrib/pubsub/fake/queue"
\tloader "github.com/dapr/dapr/pkg/components/pubsub"
)

func init() {
\t// loader.DefaultRegistry.RegisterComponent(queue.New, "commented.out")
\tloader.DefaultRegistry.RegisterComponent(queue.New, "Fake.Queue", "fakequeue", "fake/v2")
}
""",
    "cmd/daprd/components/state_fake.go": """//go:build allcomponents

package components

import (
\tv1 "github.com/dapr/components-contrib/state/fake"
\tv2 "github.com/dapr/components-contrib/state/fake/v2"
\t"github.com/dapr/dapr/pkg/components"
\tstateLoader "github.com/dapr/dapr/pkg/components/state"
)

func init() {
\tstateLoader.DefaultRegistry.RegisterComponentWithVersions("fake", components.Versioning{
\t\tPreferred: components.VersionConstructor{Version: "v2", Constructor: v2.New},
\t\tDeprecated: []components.VersionConstructor{
\t\t\t{Version: "v1", Constructor: v1.New},
\t\t},
\t\tDefault: "v1",
\t})
}
""",
    "cmd/daprd/components/middleware_shout.go": """//go:build allcomponents || stablecomponents

package components

import (
\tcontribmiddleware "github.com/dapr/components-contrib/middleware"
\thttpLoader "github.com/dapr/dapr/pkg/components/middleware/http"
)

func init() {
\thttpLoader.DefaultRegistry.RegisterComponent(func(l logger.Logger) httpLoader.FactoryMethod {
\t\treturn func(m contribmiddleware.Metadata) (middleware.HTTP, error) {
\t\t\tif m.Properties["x"] == ")" { return nil, nil }
\t\t\treturn shout, nil
\t\t}
\t}, `shout`)
}
""",
    "cmd/daprd/components/state_probe.go": """//go:build probe_only

package components

import stateLoader "github.com/dapr/dapr/pkg/components/state"

func init() { stateLoader.DefaultRegistry.RegisterComponent(newProbe, "probe") }
""",
    "cmd/daprd/components/state_old.go_disabled": "package components\n",
    "cmd/daprd/components/notag.go": "//go:build !allcomponents\n\npackage components\n",
}


def write_tree(root: Path, files: dict[str, str] = TREE) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def imported(root: Path) -> dict[str, dict[str, object]]:
    data, _ = import_registry(Checkout(root), "test")
    parse_registry(data)  # the shape the validator loads
    return {c["type"]: c for c in data["components"]}


def test_names_aliases_and_packages(tmp_path: Path) -> None:
    got = imported(write_tree(tmp_path))
    # Names are lower-cased behind the loader's prefix; a name/vN is a versioned key.
    assert got["pubsub.fake.queue"]["versions"] == {"": "pubsub/fake/queue"}
    assert got["pubsub.fake.queue"]["same_call"] == ["pubsub.fake", "pubsub.fakequeue"]
    assert got["pubsub.fake"]["versions"] == {"v2": "pubsub/fake/queue"}
    assert "pubsub.commented.out" not in got
    # A factory written in daprd itself has no components-contrib package.
    assert got["middleware.http.shout"]["versions"] == {"": None}


def test_versioned_registration(tmp_path: Path) -> None:
    fake = imported(write_tree(tmp_path))["state.fake"]
    assert fake["versions"] == {"v1": "state/fake", "v2": "state/fake/v2"}
    assert (fake["default"], fake["preferred"], fake["deprecated"]) == ("v1", "v2", ["v1"])


def test_build_tags_and_flavors(tmp_path: Path) -> None:
    data, report = import_registry(Checkout(write_tree(tmp_path)), "test")
    got = {c["type"]: c for c in data["components"]}
    assert got["state.fake"]["flavors"] == ["allcomponents"]
    assert got["pubsub.fake"]["flavors"] == ["allcomponents", "stablecomponents"]
    assert got["state.probe"]["flavors"] == []
    skipped = dict(report.skipped)
    assert "never compiled" in skipped["state_old.go_disabled"]
    assert "registers no component" in skipped["notag.go"]
    assert data["categories"] == ["middleware", "pubsub", "state"]


def test_resolution_follows_the_go_registries(tmp_path: Path) -> None:
    data, _ = import_registry(Checkout(write_tree(tmp_path)), "test")
    registry = parse_registry(data)
    fake = registry.get("State.Fake")
    assert fake is not None
    assert fake.resolve("") == "v1" and fake.resolve("V2") == "v2" and fake.resolve("v0") is None
    queue = registry.get("pubsub.fake.queue")
    assert queue is not None
    assert [queue.resolve(v) for v in ("", "v0", "v1", "v2")] == ["", "", "", None]
    assert registry.category_of("PubSub.fake") is None  # processor prefix is case-sensitive
    assert registry.category_of("nameresolution.x") is None  # no manager


def test_malformed_go_is_a_clear_error(tmp_path: Path) -> None:
    bad = dict(TREE)
    bad["cmd/daprd/components/pubsub_bad.go"] = (
        'package components\nimport loader "github.com/dapr/dapr/pkg/components/pubsub"\n'
        "func init() { loader.DefaultRegistry.RegisterComponent(f, name) }\n"
    )
    with pytest.raises(RegistryImportError, match="not a string literal"):
        import_registry(Checkout(write_tree(tmp_path, bad)), "test")
    bad["cmd/daprd/components/pubsub_bad.go"] = 'package components\nvar s = "open\n'
    with pytest.raises(RegistryImportError, match="newline in a quoted literal"):
        import_registry(Checkout(write_tree(tmp_path, bad)), "test")


def test_build_constraint_parser() -> None:
    assert go.constraint_holds("!(linux && arm) && allcomponents", {"allcomponents", "linux"})
    assert not go.constraint_holds(
        "!(linux && arm) && allcomponents", {"allcomponents", "linux", "arm"}
    )
    assert go.constraint_holds(None, set())
    with pytest.raises(go.GoSourceError):
        go.constraint_holds("a && (b", {"a"})
    with pytest.raises(go.GoSourceError):
        go.constraint_holds("(" * 200 + "a" + ")" * 200, {"a"})
    assert go.filename_constraint("x_linux_arm64.go") == "linux && arm64"
    assert go.filename_constraint("state_in-memory.go") is None


def test_git_ref_source(tmp_path: Path) -> None:
    repo = write_tree(tmp_path / "repo")
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "PATH": "/usr/bin:/bin",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "x"], ["tag", "v9.9.9"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    data, _ = import_registry(GitRef(repo / ".git", "v9.9.9"), "v9.9.9")
    assert data["source"] == "dapr/dapr v9.9.9"
    assert dumps(data) == dumps(import_registry(Checkout(repo), "v9.9.9")[0])
    with pytest.raises(SourceError):
        GitRef(repo / ".git", "--upload-pack=x").read("a")
    with pytest.raises(SourceError):
        Checkout(repo).read("../etc/passwd")


def test_cli_check_without_a_source_checks_only_the_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schemas", "import-registry", "--check"]) == 0
    assert "NOT compared" in capsys.readouterr().out
    broken = tmp_path / "registry.json"
    broken.write_text(json.dumps({"components": []}), encoding="utf-8")
    assert main(["schemas", "import-registry", "--check", "--out", str(broken)]) == 1


def test_cli_writes_and_checks_a_checkout(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "dapr")
    out = tmp_path / "registry.json"
    assert main(["schemas", "import-registry", str(root), "--out", str(out)]) == 0
    assert main(["schemas", "import-registry", str(root), "--out", str(out), "--check"]) == 0
    out.write_text(
        out.read_text(encoding="utf-8").replace("http.shout", "http.whisper"), encoding="utf-8"
    )
    assert main(["schemas", "import-registry", str(root), "--out", str(out), "--check"]) == 1
    assert main(["schemas", "import-registry"]) == 2


@needs_mirror
def test_committed_registry_matches_dapr_v1_18_3() -> None:
    assert main(["schemas", "import-registry", "--git-dir", str(DAPR_MIRROR), "--check"]) == 0


@needs_mirror
def test_real_registry_facts() -> None:
    registry = load_registry(REGISTRY_PATH)
    assert registry.source == "dapr/dapr v1.18.3"
    topics = registry.get("pubsub.azure.servicebus")
    assert topics is not None and "pubsub.azure.servicebus.topics" in topics.same_call
    assert registry.get("middleware.http.uppercase") is not None
    postgres = registry.get("state.postgresql")
    assert postgres is not None and postgres.default == "v1" and postgres.preferred == "v2"
    assert registry.get("state.spiffeprobe") is not None
    assert "allcomponents" not in registry.registrations["state.spiffeprobe"].flavors
    cron = registry.get("bindings.cron")
    assert cron is not None and cron.directions == ("input",)
    assert registry.categories == frozenset(
        {"bindings", "configuration", "conversation", "crypto", "lock", "middleware"}
        | {"pubsub", "secretstores", "state"}
    )
