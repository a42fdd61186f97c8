"""The components-contrib code-facts importer and the Go decoders it feeds."""

from __future__ import annotations

from pathlib import Path

import pytest
from upstream_git import CONTRIB_VARIABLE, git_dir, missing

from tools.cli.main import main
from tools.dapr.catalog import load_catalog
from tools.dapr.godecode import DECODERS, decode_problem
from tools.importers.code_fields import import_code_fields, tag_value
from tools.importers.source import Checkout

CONTRIB_MIRROR = git_dir(CONTRIB_VARIABLE)
needs_mirror = pytest.mark.skipif(
    not (CONTRIB_MIRROR / "HEAD").exists(),
    reason=missing(CONTRIB_VARIABLE, "dapr/components-contrib"),
)

# A small tree shaped like components-contrib, written for these tests.
TREE = {
    "pubsub/fake/fake.go": """package fake

import (
\t"github.com/dapr/components-contrib/common/fakeauth"
\tkitmd "github.com/dapr/kit/metadata"
)

type fakeMetadata struct {
\tfakeauth.Auth `mapstructure:",squash"`
\tfakeauth.DeprecatedAuth `mapstructure:",squash"`
\tQueueSize   uint16         `mapstructure:"queueSize"`
\tWait        *time.Duration `mapstructure:"wait" mapstructurealiases:"waitInSeconds"`
\tOldWait     time.Duration  `mapstructure:"oldWait"` // Deprecated alias for "wait"
\tMode        string         `mapstructure:"mode"`
\tinternal    int            `mapstructure:"-"`
\tRatio       float64        `json:"ratio" mapstructure:"ratio"`
}

func (f *fake) Init(m map[string]string) error {
\tif err := retry.DecodeConfigWithPrefix(
\t\t&f.retry, m, "retry",
\t); err != nil {
\t\treturn err
\t}
\treturn kitmd.DecodeMetadata(m, &f.md)
}
""",
    "common/fakeauth/auth.go": """package fakeauth

type Auth struct {
\tToken string `mapstructure:"token"`
}

type DeprecatedAuth struct {
\tKey string `mapstructure:"apiKey"`
}

type Unused struct {
\tNever string `mapstructure:"never"`
}
""",
    "state/nodecode/store.go": """package nodecode

type meta struct {
\tSize int `mapstructure:"size"`
}
""",
}


def write_tree(root: Path) -> Path:
    for name, text in TREE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_struct_fields_types_aliases_and_deprecations(tmp_path: Path) -> None:
    data, report = import_code_fields(
        Checkout(write_tree(tmp_path)), ["pubsub/fake", "state/nodecode", "gone/x"], "test"
    )
    assert report.missing == ["gone/x"]
    fake = data["packages"]["pubsub/fake"]
    assert fake["queuesize"] == {"name": "queueSize", "decode": "mapstructure:uint16"}
    assert fake["wait"]["aliases"] == ["waitInSeconds"]
    assert fake["wait"]["decode"] == "mapstructure:duration"
    assert fake["oldwait"]["deprecated"] and fake["oldwait"]["replaced_by"] == "wait"
    assert fake["apikey"]["deprecated"]  # from the squashed Deprecated… struct
    assert "deprecated" not in fake["token"]
    assert fake["ratio"]["decode"] == "mapstructure:float64"
    assert "mode" in fake and "decode" not in fake["mode"]
    assert "internal" not in fake
    # Imported common packages count in full (the implementation lives there) ...
    assert "never" in fake
    # kit retry config under the prefix the code passes to DecodeConfigWithPrefix.
    assert fake["retrymaxretries"]["decode"] == "config:int64"
    assert fake["retrypolicy"]["exact_prefix"] == "retry"
    # ... and without DecodeMetadata there is no decoder: the type says nothing.
    assert "decode" not in data["packages"]["state/nodecode"]["size"]


def test_tag_parser() -> None:
    tag = 'json:"a,omitempty" mapstructure:"b" mapstructurealiases:"c,d"'
    assert tag_value(tag, "mapstructure") == "b"
    assert tag_value(tag, "mapstructurealiases") == "c,d"
    assert tag_value(tag, "yaml") is None
    assert tag_value('broken:"x', "broken") is None


def test_cli_check_shape_and_content(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "import-code-fields", "--check"]) == 0
    assert "NOT compared" in capsys.readouterr().out
    root = write_tree(tmp_path / "contrib")
    registry = tmp_path / "registry.json"
    registry.write_text(
        '{"components": [{"type": "pubsub.fake", "versions": {"": "pubsub/fake"}}]}',
        encoding="utf-8",
    )
    out = tmp_path / "code_fields.json"
    args = ["schemas", "import-code-fields", str(root), "--registry", str(registry)]
    assert main([*args, "--out", str(out)]) == 0
    assert main([*args, "--out", str(out), "--check"]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("uint16", "uint8"), encoding="utf-8")
    assert main([*args, "--out", str(out), "--check"]) == 1


def test_every_decoder_in_the_catalog_is_known() -> None:
    catalog = load_catalog()
    used = {f.decode for s in catalog.components.values() for f in s.fields.values() if f.decode}
    assert used and used <= DECODERS


@pytest.mark.parametrize(
    ("decoder", "value", "ok"),
    [
        ("mapstructure:int", "", True),  # mapstructure: empty is 0
        ("mapstructure:int", "0x1F", True),
        ("mapstructure:int", "0o17", True),
        ("mapstructure:int", "017", True),  # legacy octal
        ("mapstructure:int", "019", False),
        ("mapstructure:int", "1__0", False),
        ("mapstructure:int8", "-128", True),
        ("mapstructure:int8", "128", False),
        ("mapstructure:uint64", "18446744073709551615", True),
        ("mapstructure:uint64", "18446744073709551616", False),
        ("mapstructure:uint", "+1", False),
        ("strconv:int", "0x10", False),  # base 10
        ("strconv:int", "+7", True),
        ("strconv:bool", "TRUE", True),
        ("strconv:bool", "on", False),
        ("mapstructure:bool", "on", True),
        ("mapstructure:bool", "enabled", False),
        ("mapstructure:duration", "90", True),
        ("mapstructure:duration", "1h30m", True),
        ("mapstructure:duration", "1.5", False),
        ("mapstructure:duration", "9223372037", False),
        ("mapstructure:float32", "3.5e38", False),
        ("mapstructure:float64", "1e308", True),
        ("millis:uint32", "4294967295", True),
        ("millis:uint32", "250ms", True),
        ("config:duration", "1500", True),  # milliseconds
        ("config:duration", "", False),
        ("config:int64", "0x10", False),
        ("config:bool", "yes", False),
    ],
)
def test_go_decoders(decoder: str, value: str, ok: bool) -> None:
    assert (decode_problem(decoder, value) is None) is ok


@needs_mirror
def test_committed_code_fields_match_contrib_v1_18_4() -> None:
    args = ["schemas", "import-code-fields", "--git-dir", str(CONTRIB_MIRROR), "--check"]
    assert main(args) == 0
