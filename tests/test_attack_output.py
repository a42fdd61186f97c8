"""Red team: hostile manifests against every output format, through the real CLI.

A manifest is input from whoever wrote it (a pull request, a chart dependency). Its names,
labels, keys and values must not be able to drive the reader's terminal (escape sequences,
bidi overrides), forge output lines (a fake summary, a GitHub workflow command), break the
JUnit XML, or get a secret printed, in any format; and redaction must not blank out ordinary
words that happen to equal a secret.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from forked_cli import CliRunner

from tools.formatters import FORMAT_NAMES

SECRET_VALUE = "Sup3rS3cretValue-xyz"
SECRET_KEYED = "correct-horse-battery-staple"  # no token detector finds it
WEAK_SECRET = "letmein"
LONG_SECRET = "Zq8" + "Lk2Vm7Wp4Xn9Yb3Hc6Jd1Rf5Tg0Sh" * 3
# Lower case words: no token detector finds it, and a field error shows only its first part.
PHRASE = "the quick brown fox jumps over the lazy dog and keeps running past every field error"
GITHUB_TOKEN = "ghp_4fGh7Kq2LmN9pQr3StUv8WxYz1AbCdEfGh"
RANDOM_TOKEN = "aB3xK9pQ2mZ7vR4tL8nWq5Y1cD6eF0hJ"
KEY_BODY = "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49"
SECRETS = (SECRET_VALUE, SECRET_KEYED, WEAK_SECRET, GITHUB_TOKEN, RANDOM_TOKEN, KEY_BODY)
# What a message may show of a long secret before it cuts it short ("..."): 16 characters.
LONG_PIECES = tuple(
    secret[i : i + 16] for secret in (LONG_SECRET, PHRASE) for i in range(len(secret) - 15)
)

HUMAN_FORMATS = ("text", "github", "junit")
FAKE_SUMMARY = "0 errors, 0 warnings in 0 resources from 0 files"
SUMMARY = re.compile(r"^\d+ errors?, \d+ warnings?")

# A name that clears the screen, sets the window title, rings the bell, forges a summary line
# and two workflow commands, reverses the text after it, and holds a token.
NAME = (
    f"ok\x1b[2J\x1b]0;pwned\x07\rX\n{FAKE_SUMMARY}\n::error::pwned"
    f"\u202eevil\u2028::add-mask::x\x85{RANDOM_TOKEN}"
)

# Escapes in YAML double-quoted scalars: the loaded strings hold the raw characters.
HOSTILE = rf"""apiVersion: v1
kind: Secret
metadata:
  name: {json.dumps(NAME)}
  namespace: "ns\e[31m\u2066"
  labels:
    "app\a": "v\r\nx"
  annotations:
    "{GITHUB_TOKEN}!": "x"
    "{RANDOM_TOKEN}!": "x"
    "-----BEGIN PRIVATE KEY-----\n{KEY_BODY}\n-----END PRIVATE KEY-----": "y"
    todo-dapr.io/ignore: "kubernetes-labels=reviewed ::add-mask:: \e[2J %0A \u202e"
type: Opaque
stringData: {{password:{SECRET_VALUE}, token:{WEAK_SECRET}, apiKey={LONG_SECRET},
  passphrase:{PHRASE}}}
data:
  pass={SECRET_KEYED}: eHl6eHl6
"""

# An ordinary word that equals a secret of the same resource: the hint must keep it.
ORDINARY = """apiVersion: v1
kind: Secret
metadata:
  name: Not_A_Valid_Name
stringData:
  username: example
  password: todo
"""

_FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _run(cli: CliRunner, fmt: str, path: Path, out: Path) -> tuple[str, bytes]:
    """stdout and stderr as text, and the report's exact bytes (``-o`` keeps CR as written)."""
    shown = cli("validate", "--format", fmt, str(path))
    assert shown.returncode == 1, shown.stderr
    written = cli("validate", "--format", fmt, "-o", str(out), str(path))
    assert written.returncode == 1, written.stderr
    return shown.stdout + shown.stderr + written.stdout + written.stderr, out.read_bytes()


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    # The file name is hostile too: it is printed as the head of a group and in locations.
    path = tmp_path / f"evil\x1b[2J\n{FAKE_SUMMARY}\u202e.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", HUMAN_FORMATS)
def test_no_control_character_reaches_the_output(
    cli: CliRunner, hostile: Path, tmp_path: Path, fmt: str
) -> None:
    text, raw = _run(cli, fmt, hostile, tmp_path / "report")
    decoded = raw.decode("utf-8")
    for output in (text, decoded):
        found = sorted({hex(ord(c)) for c in _FORBIDDEN.findall(output)})
        assert not found, f"{fmt}: raw control characters {found} in the output"
    assert b"\r" not in raw


@pytest.mark.parametrize("fmt", ["text", "junit"])
def test_a_value_never_starts_an_output_line(
    cli: CliRunner, hostile: Path, tmp_path: Path, fmt: str
) -> None:
    _text, raw = _run(cli, fmt, hostile, tmp_path / "report")
    lines = raw.decode("utf-8").split("\n")
    summaries = [line for line in lines if SUMMARY.match(line)]
    assert len(summaries) == (1 if fmt == "text" else 0), summaries
    assert not [s for s in summaries if s.startswith("0 errors")]
    assert not [line for line in lines if line.startswith(("::error::", "::add-mask::"))]


def test_github_commands_cannot_be_injected(cli: CliRunner, hostile: Path, tmp_path: Path) -> None:
    _text, raw = _run(cli, "github", hostile, tmp_path / "report")
    reported = json.loads(cli("validate", "--format", "json", str(hostile)).stdout)["findings"]
    lines = raw.decode("utf-8").split("\n")
    *commands, summary, end = lines
    assert end == "" and SUMMARY.match(summary) and not summary.startswith("0 errors")
    # One command per finding shown (suppressed ones are not annotated), nothing else.
    assert len(commands) == len([f for f in reported if f["suppressed"] is None])
    for line in commands:
        head, _, message = line.partition("::")[2].partition("::")
        assert re.fullmatch(r"(error|warning|notice) file=[^:]*", head), line
        assert message.startswith("Secret/ok\\x1b[2J\\x1b]0;pwned\\x07\\rX\\n0 errors, ")
    # The forged commands are shown, inside the message of the finding they came with.
    assert all("\\n::error::pwned\\u202eevil\\u2028::add-mask::x" in c for c in commands)


def test_junit_is_well_formed_xml(cli: CliRunner, hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.xml"
    _text, raw = _run(cli, "junit", hostile, out)
    root = ET.fromstring(raw)
    assert root.tag == "testsuites" and int(root.get("failures") or 0) > 0
    names = " ".join(case.get("name") or "" for case in root.iter("testcase"))
    assert "\\x1b[2J" in names and "\\u202e" in names
    xmllint = shutil.which("xmllint")
    if xmllint is not None:
        checked = subprocess.run(
            [xmllint, "--noout", str(out)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_carry_the_original_text(
    cli: CliRunner, hostile: Path, tmp_path: Path, fmt: str
) -> None:
    _text, raw = _run(cli, fmt, hostile, tmp_path / "report")
    data = json.loads(raw)
    if fmt == "json":
        names = {f["resource"]["name"] for f in data["findings"] if f["resource"]}
        files = {f["file"] for f in data["findings"]}
    else:
        results = data["runs"][0]["results"]
        names = {
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].split("/")[1]
            for r in results
            if r["locations"][0].get("logicalLocations")
        }
        files = {r["properties"]["file"] for r in results}
    # The original characters, JSON-escaped by the format, and the token in the name redacted.
    assert NAME.replace(RANDOM_TOKEN, "[REDACTED]") in names
    assert files == {str(hostile)}


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_no_secret_is_printed(cli: CliRunner, hostile: Path, tmp_path: Path, fmt: str) -> None:
    text, raw = _run(cli, fmt, hostile, tmp_path / "report")
    for output in (text, raw.decode("utf-8")):
        for secret in SECRETS:
            assert secret not in output, f"{fmt} prints {secret!r}"
        leaked = [piece for piece in LONG_PIECES if piece in output]
        assert not leaked, f"{fmt} prints part of a long secret: {leaked[:1]}"
    assert "[REDACTED]" in text


def test_secrets_in_keys_are_masked_where_the_key_is_shown(
    cli: CliRunner, hostile: Path, tmp_path: Path
) -> None:
    _text, raw = _run(cli, "json", hostile, tmp_path / "report")
    findings = json.loads(raw)["findings"]
    paths = {f["path"] for f in findings}
    assert "/stringData/password:[REDACTED]" in paths
    assert "/data/pass=[REDACTED]" in paths
    assert "/stringData/token:[REDACTED]" in paths
    summary = next(f["message"] for f in findings if f["path"] == "/stringData")
    assert "password:[REDACTED]" in summary and "token:[REDACTED]" in summary


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_ordinary_words_equal_to_a_secret_survive(cli: CliRunner, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "ordinary.yaml"
    path.write_text(ORDINARY, encoding="utf-8")
    text, _raw = _run(cli, fmt, path, tmp_path / "report")
    assert "e.g. 'example.com'" in text
    assert "[REDACTED].com" not in text


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["validate", "{bad}"], id="missing-file-name"),
        pytest.param(["validate", "--select", "{bad}", "{dir}"], id="unknown-selector"),
        pytest.param(["validate", "--format", "{bad}", "{dir}"], id="argparse-choice"),
        pytest.param(["render", "--profile", "{bad}"], id="unknown-profile"),
        pytest.param(["render", "-f", "{bad}"], id="missing-values-file"),
    ],
)
def test_the_cli_own_errors_escape_what_they_quote(
    cli: CliRunner, tmp_path: Path, args: list[str]
) -> None:
    """An argument is input too: an error that quotes it must not clear the screen or print a
    second line that reads like a verdict."""
    bad = str(tmp_path / f"x\x1b[2J\x07\rY\n{FAKE_SUMMARY}\u202e.yaml")
    filled = [a.replace("{bad}", bad).replace("{dir}", str(tmp_path)) for a in args]
    run = cli(*filled, "--no-config")
    assert run.returncode == 2, run.stderr
    for stream in (run.stdout, run.stderr):
        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\u202e]", stream), stream
        assert not any(SUMMARY.match(line) for line in stream.splitlines()), stream
    assert "\\x1b[2J" in run.stderr or "x1b" in run.stderr


# Values run into their keys or names (a flow-mapping typo), URL passwords holding '@', values
# cut short for display, a document that is not an object: each secret below must stay hidden.
DISTINCT = "Zq8xLm2kXv9rRt4sWp7y"
LEAKY = f"""apiVersion: v1
kind: Secret
metadata: {{name: s, namespace: x}}
stringData: {{password:"qsecret21"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: m, namespace: x}}
data: {{api_key:"qsecret22", db_password:'qsecret32'}}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: c, namespace: x}}
spec:
  type: state.redis
  version: v1
  metadata:
  - {{name: enableTLS, value: "redis://admin:qs26@tail27@db:6379"}}
  - {{name: redisPassword:qsecret23}}
scopes: [a]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: d, namespace: x}}
spec:
  selector: {{matchLabels: {{app: other}}}}
  template:
    metadata:
      annotations: {{"password:{DISTINCT}": x}}
      labels:
        app: d
        db: "postgres://{"a" * 61}:qsecret28@db.example.com/x"
        cut: "{"a" * 70}{DISTINCT}"
        url: "postgres://{"a" * 22}:qsecret29@db.example.com/x"
    spec:
      containers:
      - name: c
        image: nginx
        env:
        - {{name: DB_PASSWORD, value:qsecret24}}
---
- {{password:qsecret25, password:qsecret25}}
"""
# Every value above starts with "qsecret" (a field error cuts one to "qsecret..."); the
# distinctive one is shown cut short after its first 10 characters.
LEAKY_SECRETS = ("qsecret", "qs26", "tail27", DISTINCT[:8])


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_values_run_into_keys_names_and_cuts_are_not_printed(
    cli: CliRunner, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "leaky.yaml"
    path.write_text(LEAKY, encoding="utf-8")
    text, raw = _run(cli, fmt, path, tmp_path / "report")
    for output in (text, raw.decode("utf-8")):
        leaked = [secret for secret in LEAKY_SECRETS if secret in output]
        assert not leaked, f"{fmt} prints {leaked}"
    # The findings that carried them are still reported, masked.
    for shown in ("api_key:", "redisPassword:", "value:", "password:", "postgres://"):
        assert shown in text, f"{fmt} lost the finding that shows {shown!r}"


# Values that are ordinary words, in a Secret whose kind is "Secret" and whose key list reads
# like a sentence: none of the words may be masked, in any format.
WORDS = """apiVersion: v1
kind: Secret
metadata: {name: s, namespace: x}
stringData:
  "bad key!": must
  a: must
  b: Secret
  c: data
"""


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_values_that_are_ordinary_words_do_not_mask_the_message(
    cli: CliRunner, tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "words.yaml"
    path.write_text(WORDS, encoding="utf-8")
    text, raw = _run(cli, fmt, path, tmp_path / "report")
    for output in (text, raw.decode("utf-8")):
        assert "[REDACTED]" not in output, f"{fmt} masks an ordinary word"
        assert "a valid config key must consist" in output
        assert "Secret carries stringData" in output
        assert "bad key!" in output


def test_a_message_listing_every_key_is_cut_at_a_bound(cli: CliRunner, tmp_path: Path) -> None:
    keys = "\n".join(f"  key{i:05d}: v" for i in range(2000))
    path = tmp_path / "many.yaml"
    path.write_text(
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n{keys}\n",
        encoding="utf-8",
    )
    run = cli("validate", "--format", "json", str(path))
    assert run.returncode == 1, run.stderr
    (summary,) = [f for f in json.loads(run.stdout)["findings"] if f["path"] == "/stringData"]
    message = summary["message"]
    assert len(message) < 2100
    assert re.search(r"key\d{5} … \(\d+ more characters\)$", message), message[-80:]


def test_a_values_schema_error_does_not_print_the_refused_credential(
    cli: CliRunner, tmp_path: Path
) -> None:
    """helm quotes the value its values schema refuses; a user:password@host value there is
    a credential written where the chart does not take one."""
    values = tmp_path / "values.yaml"
    values.write_text('pubsub:\n  kafka:\n    consumerGroup: "user:hunter4pass@x"\n')
    for fmt in ("text", "json"):
        run = cli("render", "--no-config", "-f", str(values), "--out", str(tmp_path / fmt),
                  "--format", fmt)  # fmt: skip
        assert run.returncode == 1, run.stderr
        assert "consumerGroup" in run.stdout + run.stderr
        assert "hunter4pass" not in run.stdout + run.stderr


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_a_value_run_into_its_key_after_a_space_is_not_printed(
    cli: CliRunner, tmp_path: Path, fmt: str
) -> None:
    """`password hunter2` (a missing colon) is one key: shown in the path, the message and
    the key list, it must be masked there like `password:hunter2`."""
    manifest = tmp_path / "typo.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\n"
        "stringData: {user: admin, password hunter2x: '', \"token\\thunter3x\": ''}\n"
    )
    run = cli("validate", "--no-config", "--format", fmt, str(manifest))
    assert run.returncode == 1, run.stderr
    for secret in ("hunter2x", "hunter3x"):
        assert secret not in run.stdout + run.stderr


@pytest.mark.parametrize("fmt", ("text", "json", "sarif"))
def test_a_name_equal_to_a_value_of_the_secret_stays_a_name(
    cli: CliRunner, tmp_path: Path, fmt: str
) -> None:
    """A Secret named postgres in namespace postgres that holds the user postgres: the
    user must see which Secret the finding is about."""
    manifest = tmp_path / "pg.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: postgres, namespace: postgres}\n"
        "stringData: {username: postgres, database: todo}\n"
    )
    run = cli("validate", "--no-config", "--format", fmt, str(manifest))
    assert run.returncode == 1, run.stderr
    assert "[REDACTED]" not in run.stdout
    assert "postgres" in run.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["validate", "https://alice:S3cretPW99@x/y.yaml"], id="validate-path"),
        pytest.param(["lint", "--chart", "https://alice:S3cretPW99@x"], id="lint-chart"),
        pytest.param(["render", "-f", "https://alice:S3cretPW99@x/v.yaml"], id="render-values"),
    ],
)
def test_the_cli_own_errors_do_not_print_a_credential_typed_as_a_path(
    cli: CliRunner, args: list[str]
) -> None:
    run = cli(*args, "--no-config") if args[0] != "lint" else cli(*args)
    assert run.returncode == 2, run.stderr
    assert "S3cretPW99" not in run.stdout + run.stderr
    assert "alice:[REDACTED]@" in run.stderr
