"""security-literal-credential: credentials in env values, annotations and ConfigMap keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from forked_cli import CliRunner
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security._dapr_sidecar import dapr_env_pairs
from tools.rules.security.literal_credential import RULE

PASSWORD = "Tr0ub4dor&3-xyz"  # no shape detector finds it: a credential by its name only
URL_PASSWORD = "s3cret-pw"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5" * 3 + "F6g7H8"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: backend, namespace: todo}}
spec:
  selector: {{matchLabels: {{app: backend}}}}
  template:
    metadata:
      labels: {{app: backend}}
{template_annotations}
    spec:
      containers:
        - name: app
          image: registry.example/backend:1.0
          env:
{env}
"""

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
{annotations}
spec:
  initContainers:
    - name: migrate
      image: registry.example/migrate:1.0
      env: [{{name: DB_PASSWORD, value: "{password}"}}]
  containers:
    - {{name: app, image: "registry.example/app:1.0"}}
  ephemeralContainers:
    - name: debug
      image: registry.example/debug:1.0
      env: [{{name: GITHUB_TOKEN, value: "{password}"}}]
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def env(*pairs: tuple[str, str]) -> str:
    return "\n".join(f"            - {{name: {n}, value: {json.dumps(v)}}}" for n, v in pairs)


def deployment(*pairs: tuple[str, str], annotations: str = "") -> str:
    block = f"      annotations:\n{annotations}" if annotations else ""
    return DEPLOYMENT.format(env=env(*pairs), template_annotations=block)


def summary(findings: list[Finding]) -> list[tuple[Severity, str]]:
    return [(f.severity, f.path) for f in findings]


ENV = "/spec/template/spec/containers/0/env"


def test_sensitive_names_with_literal_values_are_errors() -> None:
    names = ("DB_PASSWORD", "AWS_SECRET_ACCESS_KEY", "API_TOKEN", "JWT_SECRET", "api_key")
    findings = run(deployment(*[(n, PASSWORD) for n in names]))
    assert summary(findings) == [(Severity.ERROR, f"{ENV}/{i}/value") for i in range(5)]
    first = findings[0].message
    assert "env var 'DB_PASSWORD' of container 'app'" in first
    assert "is a secret by its name" in first
    assert f'"****" ({len(PASSWORD)} characters)' in first
    assert PASSWORD not in " ".join(f.message for f in findings)


def test_a_credential_shape_under_any_name() -> None:
    findings = run(
        deployment(
            ("DATABASE_URL", f"postgres://app:{URL_PASSWORD}@db:5432/todo"),
            ("SETTINGS", GITHUB_TOKEN),
            ("LOG_LEVEL", "debug"),
        )
    )
    assert summary(findings) == [
        (Severity.ERROR, f"{ENV}/0/value"),
        (Severity.ERROR, f"{ENV}/1/value"),
    ]
    assert "holds a password in a URL" in findings[0].message
    assert "holds a GitHub token" in findings[1].message
    assert URL_PASSWORD not in findings[0].message


def test_values_that_are_not_credentials() -> None:
    pairs = [
        ("DB_PASSWORD", ""),  # empty
        ("DB_PASSWORD", "$(POSTGRES_PASSWORD)"),  # Kubernetes expands another variable
        ("API_TOKEN", "${API_TOKEN}"),
        ("API_TOKEN", "<token>"),
        ("REQUIRE_TOKEN", "true"),  # a switch
        ("DISABLE_PASSWORD", "False"),
        ("DB_PASSWORD_FILE", "/run/secrets/db-password"),  # a path: the name ends in FILE
        ("PRIVATE_KEY", "keys/app.pem"),  # a key file name
        ("TOKEN_TTL", "3600"),
        ("DB_CONNECTION_STRING", "host=db port=5432 dbname=todo"),  # no password in it
        ("DATABASE_URL", "postgres://db:5432/todo"),
        ("DATABASE_URL", "postgres://app:$(DB_PASSWORD)@db:5432/todo"),  # expanded by kubelet
        # The key to look up in a secret store (dapr/samples twitter-sentiment-processor).
        ("ENDPOINT_SECRET_KEY", "azure-cognitiveservices-endpoint"),
        ("SUBSCRIPTION_KEY_SECRET_NAME", "cognitive.subscription-key"),
    ]
    assert run(deployment(*pairs)) == []


def test_a_secret_key_that_is_not_a_key_name_is_still_a_credential() -> None:
    pairs = [
        ("DJANGO_SECRET_KEY", "k3y-with-digits-9x"),  # digits: a value, not a key name
        ("AWS_SECRET_KEY", "wJalrXUtnFEMI-K7MDENG"),  # upper case
        ("SECRET_KEY", "plain-dashed-words"),  # no <THING> before SECRET_KEY
        ("ENDPOINT_SECRET_KEY", "nodashes"),
    ]
    assert len(run(deployment(*pairs))) == len(pairs)


def test_valuefrom_and_hostile_shapes_pass() -> None:
    text = DEPLOYMENT.format(
        template_annotations="",
        env="""\
            - name: DB_PASSWORD
              valueFrom: {secretKeyRef: {name: pg, key: password}}
            - {name: API_TOKEN, value: 12345}
            - [not, a, var]
            - {name: [x], value: "Tr0ub4dor&3-xyz"}""",
    )
    assert run(text) == []
    assert run("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: []\n") == []
    broken = DEPLOYMENT.format(template_annotations="", env="            - 7").replace(
        "containers:", "containers: 7\n      x:"
    )
    assert run(broken) == []


def test_init_and_ephemeral_containers_of_a_pod() -> None:
    findings = run(POD.format(password=PASSWORD, annotations="    team: todo"))
    assert summary(findings) == [
        (Severity.ERROR, "/spec/initContainers/0/env/0/value"),
        (Severity.ERROR, "/spec/ephemeralContainers/0/env/0/value"),
    ]
    assert "of initContainer 'migrate'" in findings[0].message
    assert "of ephemeralContainer 'debug'" in findings[1].message


def test_every_workload_kind_is_checked() -> None:
    cronjob = f"""\
apiVersion: batch/v1
kind: CronJob
metadata: {{name: c}}
spec:
  schedule: "@hourly"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: job
              image: registry.example/job:1.0
              env: [{{name: SMTP_PASSWORD, value: "{PASSWORD}"}}]
"""
    assert summary(run(cronjob)) == [
        (Severity.ERROR, "/spec/jobTemplate/spec/template/spec/containers/0/env/0/value")
    ]


def test_annotations_of_any_resource_by_shape() -> None:
    text = f"""\
apiVersion: v1
kind: Service
metadata:
  name: s
  annotations:
    example.com/backend: "amqp://guest:{URL_PASSWORD}@rabbit:5672"
    example.com/owner: "team-todo"
    kubectl.kubernetes.io/last-applied-configuration: '{{"url": "amqp://u:{URL_PASSWORD}@r"}}'
spec: {{ports: [{{port: 80}}]}}
"""
    [finding] = run(text)
    assert (finding.severity, finding.path) == (
        Severity.ERROR,
        "/metadata/annotations/example.com~1backend",
    )
    assert "annotation 'example.com/backend' holds a password in a URL" in finding.message
    assert URL_PASSWORD not in finding.message


def test_an_annotation_named_password_holds_one() -> None:
    text = """\
apiVersion: v1
kind: Service
metadata:
  name: s
  annotations:
    backend.example.com/db-password: "fake-Passw0rd-for-tests-only"
    vault.hashicorp.com/agent-inject-secret-db-password: "database/creds/app"
    dapr.io/api-token-secret: "dapr-api-token"
    example.com/require-password: "true"
    example.com/admin-password: "${ADMIN_PASSWORD}"
spec: {ports: [{port: 80}]}
"""
    [finding] = run(text)
    assert finding.path == "/metadata/annotations/backend.example.com~1db-password"
    assert "holds a password, by its key" in finding.message
    assert "fake-Passw0rd" not in finding.message


def test_pod_template_annotations_and_dapr_env() -> None:
    annotations = (
        '        dapr.io/enabled: "true"\n'
        f'        dapr.io/env: "GOMEMLIMIT=512MiB, DAPR_API_TOKEN={PASSWORD},LOG=a,b"\n'
        f'        example.com/key: "AKIAIOSFODNN7EXAMPLE"\n'
    )
    findings = run(deployment(("LOG_LEVEL", "info"), annotations=annotations))
    assert summary(findings) == [
        (Severity.ERROR, "/spec/template/metadata/annotations/dapr.io~1env"),
        (Severity.ERROR, "/spec/template/metadata/annotations/example.com~1key"),
    ]
    assert "gives daprd DAPR_API_TOKEN as literal values" in findings[0].message
    assert "dapr.io/env-from-secret" in findings[0].message
    assert "an AWS access key ID" in findings[1].message
    assert PASSWORD not in findings[0].message


def test_dapr_env_on_a_non_pod_is_only_checked_by_shape() -> None:
    text = f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  annotations: {{dapr.io/env: "DAPR_API_TOKEN={PASSWORD}"}}
"""
    assert run(text) == []


def test_dapr_env_is_split_as_the_injector_splits_it() -> None:
    assert dapr_env_pairs("A=1, B=x,y,C=3") == [("A", "1"), ("B", "x,y"), ("C", "3")]
    assert dapr_env_pairs("novalue, D=4") == [("D", "4")]
    assert dapr_env_pairs("") == []
    # A comma not followed by an identifier and '=' does not split: ",=,1a=2" is one part.
    assert dapr_env_pairs(",=,1a=2, _b=c=d") == [(",", ",1a=2"), ("_b", "c=d")]


def test_configmap_keys_by_name_and_not_twice() -> None:
    text = f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings}}
data:
  DB_PASSWORD: "{PASSWORD}"
  db.password: "{PASSWORD}"
  DB_PASSWORD_FILE: /run/secrets/db
  api_key: ""
  LOG_LEVEL: debug
  DATABASE_URL: "postgres://app:{URL_PASSWORD}@db/todo"
binaryData:
  api_key: aGVsbG8=
"""
    findings = run(text)
    # The URL password is security-secret-in-value's finding, not this rule's.
    assert summary(findings) == [
        (Severity.ERROR, "/data/DB_PASSWORD"),
        (Severity.ERROR, "/data/db.password"),
    ]
    assert "ConfigMap key 'DB_PASSWORD' is a secret by its name" in findings[0].message


def test_dapr_resources_are_left_to_the_dapr_rules() -> None:
    text = f"""\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: db}}
spec:
  type: state.postgresql
  version: v1
  metadata:
    - {{name: password, value: "{PASSWORD}"}}
"""
    assert run(text) == []


VALIDATE_INPUT = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: todo
  annotations: {{example.com/db: "postgres://app:{URL_PASSWORD}@db/todo"}}
spec:
  selector: {{matchLabels: {{app: backend}}}}
  template:
    metadata:
      labels: {{app: backend}}
      annotations: {{dapr.io/enabled: "true", dapr.io/env: "DAPR_API_TOKEN={PASSWORD}"}}
    spec:
      containers:
        - name: app
          image: registry.example/backend:1.0
          env:
            - {{name: DB_PASSWORD, value: "{PASSWORD}"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings, namespace: todo}}
data: {{SMTP_PASSWORD: "{PASSWORD}"}}
"""


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_the_cli_never_prints_the_credentials(cli: CliRunner, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(VALIDATE_INPUT, encoding="utf-8")
    shown = cli("validate", "--format", fmt, "--select", "security-literal-credential", str(path))
    assert shown.returncode == 1, shown.stderr
    output = shown.stdout + shown.stderr
    assert output.count("security-literal-credential") >= 4
    for secret in (PASSWORD, URL_PASSWORD, "Tr0ub4dor"):
        assert secret not in output
    if fmt == "json":
        paths = sorted(f["path"] for f in json.loads(shown.stdout)["findings"])
        assert paths == [
            "/data/SMTP_PASSWORD",
            "/metadata/annotations/example.com~1db",
            "/spec/template/metadata/annotations/dapr.io~1env",
            "/spec/template/spec/containers/0/env/0/value",
        ]
