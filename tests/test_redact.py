"""Secret values never reach the output: redaction itself, and every output format."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import replace

import pytest

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.core.resources import load_text
from tools.formatters import FORMAT_NAMES, format_report
from tools.redaction.masking import MASK, redact, redact_findings, redact_text
from tools.redaction.secret_index import SecretIndex, is_distinctive, secret_values
from tools.secrets.text import find_secrets_in_text, looks_like_token
from tools.validate import Report, check

PASSWORD = "Tr0ub4dor-and-3"
SECRET_DATA = "s3cr3t-from-a-Secret"
URL_PASSWORD = "pw-in-url-77"
DSN_PASSWORD = "dsn-pass-42"
TOKEN = "xK9mQ2vL7pR4tZ8wB3nH6jF1cY5dG0sA"
KEY_BODY = "MHcCAQEEIIrYSSNQFaA2Hwf1duRSxKtLYX5CB04fSeQ6tF1aY/PuoAoGCCqGSM49"
PEM = f"-----BEGIN PRIVATE KEY-----\\n{KEY_BODY}\\n-----END PRIVATE KEY-----"

STREAM = f"""\
# Source: todo-dapr/templates/components/pubsub.yaml
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: kafka-pubsub}}
spec:
  type: pubsub.kafka
  version: v1
  metadata:
    - {{name: brokers, value: "kafka:9092"}}
    - {{name: authType, value: password}}
    - {{name: saslUsername, value: todo}}
    - {{name: saslPassword, value: "{PASSWORD}"}}
    - {{name: saslMechanism, value: "{PASSWORD}"}}
    - {{name: schemaRegistryURL, value: "https://reg:{URL_PASSWORD}@registry:8081"}}
    - {{name: clientKey, value: "{PEM}"}}
    - {{name: oidcExtensions, value: "{TOKEN}"}}
---
apiVersion: v1
kind: Secret
metadata: {{name: kafka-secrets}}
data:
  password: {base64.b64encode(SECRET_DATA.encode()).decode()}
stringData:
  username: {SECRET_DATA}-plain
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: statestore}}
spec:
  type: state.postgresql
  version: v1
  metadata:
    - {{name: connectionString, value: "host=db user=app password={DSN_PASSWORD} dbname=todo"}}
"""
SECRETS = (PASSWORD, SECRET_DATA, URL_PASSWORD, DSN_PASSWORD, TOKEN, KEY_BODY)


def test_secret_values_collects_every_kind() -> None:
    resources = load_text(STREAM, "s.yaml").resources
    found = set().union(*(secret_values(r) for r in resources))
    for secret in SECRETS:
        assert any(secret in value for value in found), secret
    assert base64.b64encode(SECRET_DATA.encode()).decode() in found
    assert "kafka:9092" not in found and "todo" not in found


def test_redact_replaces_known_values_longest_first() -> None:
    text = f"value {PASSWORD!r} is not allowed (did you mean SHA-256?)"
    assert (
        redact(text, {PASSWORD, PASSWORD[:6]})
        == f"value '{MASK}' is not allowed (did you mean SHA-256?)"
    )


def test_short_secrets_are_removed_only_as_values() -> None:
    assert redact("abc is in abcdef", {"abc"}) == "abc is in abcdef"
    assert redact("value: abc is in abcdef", {"abc"}) == f"value: {MASK} is in abcdef"


def test_redact_text_without_known_values() -> None:
    text = (
        f"Error: postgres://app:{URL_PASSWORD}@db:5432/todo refused; "
        f"password={DSN_PASSWORD} sslmode=require; token {TOKEN}\n"
        f"-----BEGIN RSA PRIVATE KEY-----\n{KEY_BODY}\n-----END RSA PRIVATE KEY-----"
    )
    out = redact_text(text)
    for secret in (URL_PASSWORD, DSN_PASSWORD, TOKEN, KEY_BODY):
        assert secret not in out
    assert "postgres://app:[REDACTED]@db:5432/todo" in out
    assert "sslmode=require" in out


def test_plain_text_is_left_alone() -> None:
    text = (
        "Component/kafka-pubsub /spec/metadata/3/value: saslMechanism 'SCRAM-SHA-256' becomes "
        "SASL/PLAIN; TaskEventsNotificationServiceV2 at seed-abc123.cloud.redpanda.com:9092, "
        "digest 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, "
        "id 3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60, -----BEGIN CERTIFICATE-----"
    )
    assert redact_text(text) == text


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (TOKEN, True),
        ("ghp_4fGh7Kq2LmN9pQr3StUv8WxYz1AbCdEfGh", True),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0", True),
        ("oidcClientAssertionCert", False),
        ("subscriptionScopesForAll2", False),
        ("0123456789abcdef0123456789abcdef", False),
        ("short1Aa", False),
    ],
)
def test_token_heuristic(word: str, expected: bool) -> None:
    assert looks_like_token(word) is expected


def test_redact_findings_uses_the_resource_values() -> None:
    from tools.rules.security.inline_secret import RULE

    resources = load_text(STREAM, "s.yaml").resources
    finding = RULE.finding(resources[0], f"echoing {PASSWORD} by mistake", ("spec",))
    (clean,) = redact_findings([finding])
    assert clean.message == f"echoing {MASK} by mistake"


def _careless_findings(resources: list[Resource]) -> list[Finding]:
    """Findings that echo values, as a careless rule or helm's stderr would."""
    component, secret, store = resources
    b64 = base64.b64encode(SECRET_DATA.encode()).decode()
    echo = [
        (component, f"saslPassword {PASSWORD}, registry {URL_PASSWORD}, key {PEM}, {TOKEN}"),
        (secret, f"data {b64} decodes to {SECRET_DATA}"),
        (store, f"connectionString host=db user=app password={DSN_PASSWORD} dbname=todo"),
        (None, f"helm: Error: dial postgres://u:{URL_PASSWORD}@db failed, token {TOKEN}"),
    ]
    return [
        Finding(
            rule="security-inline-secret",
            category="security",
            severity=Severity.ERROR,
            message=message,
            file="rendered/oke.yaml",
            resource=res,
        )
        for res, message in echo
    ]


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_no_secret_in_any_output_format(fmt: str) -> None:
    loaded = load_text(STREAM, "rendered/oke.yaml", "oke")
    findings = check(loaded, extra=_careless_findings(loaded.resources))
    report = Report(findings=findings, files=1, resources=len(loaded.resources))
    rules = {f.rule for f in report.findings}
    assert {"security-inline-secret", "security-secret-data", "security-secret-in-value"} <= rules
    output = format_report(fmt, report)
    assert "saslPassword" in output
    for secret in (*SECRETS, base64.b64encode(SECRET_DATA.encode()).decode()):
        assert secret not in output, f"{fmt} output leaks a secret"


def test_a_token_after_a_pem_header_without_end_line_is_still_found() -> None:
    token = "aB3xK9pQ2mZ7vR4tL8nWq5Y1cD6eF0hJ"
    for header in ("-----BEGIN DATA-----\n", "-----BEGIN CERTIFICATE----- "):
        assert ("a high-entropy token", token) in list(find_secrets_in_text(header + token))


def test_a_complete_public_pem_block_is_not_a_token() -> None:
    body = "MIIBaB3xK9pQ2mZ7vR4tL8nWq5Y1cD6eF0hJ"
    block = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"
    assert list(find_secrets_in_text(block)) == []


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("example", False),
        ("todo", False),
        ("hunter2", False),
        ("subscription", False),  # long enough, but one kind of character
        ("kafka-secrets", False),
        ("Tr0ub4dor-and-3", True),
        ("Xk9#mQ2!", True),
        ("correct-horse-battery", True),  # long: cannot be taken for a word
        (TOKEN, True),
    ],
)
def test_distinctive_secrets(secret: str, expected: bool) -> None:
    assert is_distinctive(secret) is expected


@pytest.mark.parametrize(
    "text",
    [
        "must start and end with an alphanumeric character (e.g. 'example.com')",
        "see https://example.org/docs and user@example",
        "examples: example-1, example_2, the example.yaml file",
        "/metadata/labels/example~1key",
        "host: example.com, then example as a word",
        "an example key must be one of example-1 (example)",
    ],
)
def test_an_ordinary_word_equal_to_a_secret_survives(text: str) -> None:
    assert redact(text, {"example"}) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password:example", f"password:{MASK}"),
        ('Invalid value: "pass=example"', f'Invalid value: "pass={MASK}"'),
        ("data[token:example]", f"data[token:{MASK}]"),
        ("(2 keys: a, password:example)", f"(2 keys: a, password:{MASK})"),
        ("value 'example' is refused", f"value '{MASK}' is refused"),
        ('Invalid value: "password:\\"example\\""', f'Invalid value: "password:\\"{MASK}\\""'),
        ("/stringData/password:example", f"/stringData/password:{MASK}"),
        ("example", MASK),
    ],
)
def test_a_short_secret_is_masked_where_it_stands_as_a_value(text: str, expected: str) -> None:
    assert redact(text, {"example"}) == expected


def test_a_distinctive_secret_is_masked_inside_words() -> None:
    assert redact("xTr0ub4dor-and-3.example.com", {PASSWORD}) == f"x{MASK}.example.com"


def test_every_spelling_of_a_secret_is_masked() -> None:
    secret = 'a/b~c"d\\e\u00e9\x1bf-and-more'
    assert is_distinctive(secret)
    pointer = secret.replace("~", "~0").replace("/", "~1")
    for shown in (secret, json.dumps(secret), repr(secret), f"/data/{pointer}"):
        assert redact(f"value {shown}!", {secret}).count(MASK) == 1, shown
        assert "-and-more" not in redact(f"value {shown}!", {secret}), shown


def test_a_copy_cut_short_is_masked_from_its_first_16_characters() -> None:
    phrase = "the quick brown fox jumps over the lazy dog and keeps running"
    other = phrase[:20] + " ends another way, as a second secret does"
    for secret in (phrase, other):
        shown = f'data[x]: Invalid value: "key:{secret[:40]}..."'
        assert redact(shown, {phrase, other}) == f'data[x]: Invalid value: "key:{MASK}..."'
    # Fewer than 16 characters of it are ordinary words.
    assert redact("the quick brown", {phrase}) == "the quick brown"


SECRET_IN_KEYS = f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: keys
  annotations:
    "{TOKEN}": a token as a key
    "-----BEGIN PRIVATE KEY-----\\n{KEY_BODY}\\n-----END PRIVATE KEY-----": a key as a key
data: {{password:hunter2, apiKey = abc123, "token:${{TOKEN}}", brokers:kafka:9092}}
---
apiVersion: v1
kind: Secret
metadata:
  name: keys
data: {{pass=letmein: eA==, user name: eA==}}
stringData:
  "db password  s3cret-db": ""
"""


def test_secret_values_finds_values_carried_in_keys() -> None:
    config_map, secret = load_text(SECRET_IN_KEYS, "k.yaml").resources
    found = secret_values(config_map)
    assert {"hunter2", "abc123", TOKEN} <= found
    assert any(KEY_BODY in value for value in found)
    assert "${TOKEN}" not in found  # a placeholder, not a value
    # No key holds ':' legitimately: what follows it is a value run into the key.
    assert "kafka:9092" in found and not {"9092", "kafka"} & found
    assert {"letmein", "name", "password  s3cret-db"} <= secret_values(secret)


def test_redact_findings_scrubs_every_text_and_the_resource_identity() -> None:
    from tools.rules.kubernetes.secret_data import RULE

    text = f"""\
# Source: todo-dapr/templates/{TOKEN}.yaml
apiVersion: v1
kind: Secret
metadata: {{name: "db {TOKEN}", namespace: "{TOKEN}"}}
stringData: {{password:{PASSWORD}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: clean}}
stringData: {{user: example}}
"""
    hostile, clean = load_text(text, "k.yaml").resources
    key = f"password:{PASSWORD}"
    finding = replace(
        RULE.finding(hostile, f"key {key} is refused", ("stringData", key)),
        suppressed=f"because {PASSWORD}",
    )
    ordinary = RULE.finding(clean, "e.g. 'example.com'", ("stringData", "user"))
    scrubbed, kept = redact_findings([finding, ordinary])
    assert scrubbed.message == f"key password:{MASK} is refused"
    assert scrubbed.path == f"/stringData/password:{MASK}"
    assert scrubbed.template == f"todo-dapr/templates/{MASK}.yaml"
    assert scrubbed.suppressed == f"because {MASK}"
    assert scrubbed.resource is not None and scrubbed.resource is not hostile
    assert scrubbed.resource.ref() == {
        "apiVersion": "v1",
        "kind": "Secret",
        "name": f"db {MASK}",
        "namespace": MASK,
    }
    assert scrubbed.resource.doc["stringData"] == hostile.doc["stringData"]  # rules' view
    assert hostile.name == f"db {TOKEN}"  # the loaded resource is left as it was
    assert kept is ordinary and kept.resource is clean


@pytest.mark.parametrize(
    ("secrets", "text"),
    [
        ({"a" * 40}, "a" * 256 * 1024),
        ({"a" * 16 + f"{i:06d}" for i in range(500)}, ("a" * 16 + "000001") * 12_000),
        ({chr(c) for c in range(33, 127)}, "x:a " * 64 * 1024),
        ({chr(c) * n for c in range(97, 107) for n in range(1, 60)}, "x:aaa x:bbb " * 6 * 1024),
        (
            {
                "".join(chr(97 + (i * 7 + j) % 26) for j in range(n))
                for n in range(1, 400)
                for i in range(9)
            },
            "x:abc, 'hij' x=opq " * 12 * 1024,
        ),
    ],
    ids=[
        "one long run",
        "shared beginnings",
        "one-character secrets",
        "many lengths",
        "many needles of many lengths",
    ],
)
def test_redaction_cost_is_linear(secrets: set[str], text: str) -> None:
    index = SecretIndex(secrets)
    start = time.perf_counter()
    out = redact(text, index)
    assert time.perf_counter() - start < 5.0
    assert MASK in out


def _finding(message: str, path: str = "", resource: Resource | None = None) -> Finding:
    return Finding(
        rule="yaml-duplicate-key",
        category="yaml",
        severity=Severity.ERROR,
        message=message,
        file="k.yaml",
        path=path,
        resource=resource,
    )


@pytest.mark.parametrize(
    ("url", "password"),
    [
        ("postgres://admin:hunter@2024@db/x?y=z@w", "hunter@2024"),
        ("smtp://me@example.com:pw-77@mail:587/", "pw-77"),
        ("redis://:s3cr:et@cache#frag@x", "s3cr:et"),
    ],
)
def test_a_url_userinfo_runs_to_the_last_at_of_the_authority(url: str, password: str) -> None:
    """As Go's net/url and Python's urllib.parse read it."""
    assert ("a password in a URL", password) in list(find_secrets_in_text(f"see {url} now"))
    shown = redact_text(f"see {url} now")
    tail = password.rsplit("@", maxsplit=1)[-1].rsplit(":", maxsplit=1)[-1]
    assert password not in shown and tail not in shown
    assert f":{MASK}@" in shown


def test_a_value_is_cut_for_display_only_after_redaction() -> None:
    from tools.rules.kubernetes._field import show

    url = "postgres://" + "a" * 61 + ":hunter2@db.example.com/x"
    assert "hunter" not in show(url)
    assert show(url).endswith(f':{MASK}..."')  # the cut does not split the mask
    assert show("x" * 100) == json.dumps("x" * 80 + "...")


def test_a_distinctive_secret_cut_short_is_masked_from_its_first_8_characters() -> None:
    secret = "Zq8xLm2kXv9rRt4sWp7y"
    shown = f'Invalid value: "{"a" * 70}{secret[:10]}..."'
    assert redact(shown, {secret}) == f'Invalid value: "{"a" * 70}{MASK}..."'
    # Not cut: fewer than 16 characters of its beginning are left alone.
    assert redact(f"x {secret[:10]} y", {secret}) == f"x {secret[:10]} y"


def test_values_run_into_names_and_keys_are_secrets() -> None:
    component = load_text(
        """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: c}
spec:
  type: state.redis
  version: v1
  metadata:
  - {name: redisPassword:hunter3}
  - {name: DB_PASSWORD, value:hunter4}
  - {name: redisHost, value: "localhost:6379"}
  - {name: stringData, value: "x"}
""",
        "c.yaml",
    ).resources[0]
    found = secret_values(component)
    assert {"hunter3", "hunter4"} <= found
    assert not {"localhost:6379", "6379", "x"} & found


def test_a_finding_without_a_resource_is_scrubbed_of_what_its_path_carries() -> None:
    finding = _finding(
        'key "password:hunter2" is written twice; \'pass="hunter5"\'',
        '/0/password:hunter2/pass="hunter5"',
    )
    (clean,) = redact_findings([finding])
    assert clean.path == f"/0/password:{MASK}/pass={MASK}"
    assert clean.message == f"key \"password:{MASK}\" is written twice; 'pass={MASK}'"


def test_words_equal_to_a_secret_are_kept_where_they_are_not_values() -> None:
    (resource,) = load_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
        'stringData: {a: must, b: Secret, c: stringData, "bad key!": "data"}\n',
        "s.yaml",
    ).resources
    messages = (
        "Secret carries stringData (4 keys: a, b, bad key!, c)",
        "a valid config key must consist of alphanumeric characters",
    )
    found = [
        _finding(messages[0], "/stringData", resource),
        _finding(messages[1], "/stringData/bad key!", resource),
        _finding("value 'must' is not 'Secret', nor: data", "/stringData/c", resource),
    ]
    first, second, values = redact_findings(found)
    assert (first.message, second.message) == messages
    assert first.path == "/stringData" and second.path == "/stringData/bad key!"
    assert values.message == f"value '{MASK}' is not '{MASK}', nor: {MASK}"
    assert first.resource is not None and first.resource.kind == "Secret"


def test_a_long_message_is_cut_before_redaction() -> None:
    secret = "Zq8xLm2kXv9rRt4sWp7y"
    (resource,) = load_text(
        f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData: {{pw: {secret}}}\n",
        "s.yaml",
    ).resources
    # The secret straddles the bound: the cut falls after its first 8 characters.
    message = "x " * 996 + "key:" + secret + " and more" * 10_000
    loaded = load_text("", "s.yaml")
    loaded.resources.append(resource)
    found = check(loaded, extra=[_finding(message, "/a" * 5000, resource)], chosen={"yaml"})
    (cut,) = [f for f in found if f.rule == "yaml-duplicate-key"]
    assert cut.message.endswith(f"x key … ({len(message) - 1995} more characters)")
    assert secret[:4] not in cut.message and len(cut.message) < 2100
    assert len(cut.path) < 2100 and cut.path.endswith("more characters)")


def test_redaction_of_many_findings_is_linear_in_their_number() -> None:
    """Many secrets of many lengths (9 of each: more than str.find handles one by one) and a
    finding per key: the time grows with the number of findings, not times the lengths."""

    def timed(keys: int) -> float:
        lines = [f"  k{i}: {chr(97 + i % 26) * (1 + i // 9)}" for i in range(keys)]
        text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n"
        (resource,) = load_text(text + "\n".join(lines) + "\n", "s.yaml").resources
        found = [
            _finding(f'data[k{i}]: Invalid value: "k{i}:{"ab " * 100}": key {i}', "", resource)
            for i in range(keys)
        ]
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            redact_findings(found)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = timed(400), timed(1600)
    assert large < 8 * max(small, 0.005), (small, large)


def test_a_quoted_user_password_host_value_is_masked_in_free_text() -> None:
    """helm's values-schema errors quote the value they refuse, with no scheme before it."""
    text = "- at '/pubsub/kafka/consumerGroup': 'user:hunter4pass@x' does not match pattern"
    assert "hunter4pass" not in redact_text(text)
    assert "'user:[REDACTED]@x'" in redact_text(text)


def test_an_image_pinned_by_digest_is_not_a_password() -> None:
    text = "image 'nginx:1.25@sha256:0123abcd' is pinned"
    assert redact_text(text) == text
    assert not list(find_secrets_in_text("nginx:1.25@sha256:0123abcd"))
