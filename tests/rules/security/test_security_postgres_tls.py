"""security-postgres-tls: PostgreSQL connection strings that do not verify the server."""

from __future__ import annotations

import base64
import time

import pytest
from manifests import component
from rule_check import check

from tools.core.findings import Finding
from tools.rules.security.postgres_tls import RULE

PASSWORD = "s3cr3t-Pa55word"


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def store(value: str, type_: str = "state.postgresql", version: str = "v1") -> str:
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return component(
        f'{{name: connectionString, value: "{quoted}"}}',
        type_=type_,
        name="statestore",
        version=version,
        scopes="backend",
    )


URL = f"postgres://app:{PASSWORD}@ep-x.eu-central-1.aws.neon.tech/todo"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (URL, "no sslmode (pgx's default is prefer)"),
        (URL + "?sslmode=require", "sslmode=require"),
        (URL + "?sslmode=disable", "sslmode=disable"),
        (URL + "?sslmode=allow", "sslmode=allow"),
        (URL + "?sslmode=prefer", "sslmode=prefer"),
        (URL + "?sslmode=verify-ca&sslrootcert=/etc/pg/ca.crt", "sslmode=verify-ca"),
        # url.Values keeps the first value of a key
        (URL + "?sslmode=require&sslmode=verify-full", "sslmode=require"),
        (URL + "?sslnegotiation=direct", "no sslmode"),
        (f"host=db.example.com user=app password={PASSWORD} dbname=todo", "no sslmode"),
        (f"host=db user=app password='{PASSWORD} x' sslmode=require", "sslmode=require"),
        # key=value: the last value of a key wins
        ("host=db sslmode=verify-full sslmode=require", "sslmode=require"),
    ],
)
def test_less_than_verify_full_warns_without_printing_the_string(value: str, said: str) -> None:
    (finding,) = run(store(value))
    assert finding.rule == "security-postgres-tls"
    assert finding.severity.value == "warning"
    assert finding.path == "/spec/metadata/0/value"
    assert said in finding.message
    assert "connectionString" in finding.message
    assert PASSWORD not in finding.message and "neon.tech" not in finding.message


@pytest.mark.parametrize(
    "value",
    [
        URL + "?sslmode=verify-full",
        URL + "?sslmode=verify-full&sslrootcert=/etc/pg-ca/ca.crt",
        URL + "?sslrootcert=system",  # forces verify-full
        URL + "?sslmode=require&sslrootcert=system",
        "host=db user=app sslmode=verify-full",
        "host=db user=app sslmode='verify-full'",
        "host=/var/run/postgresql user=app",  # Unix socket: no TLS at all
        URL + "?sslmode=bogus",  # pgx refuses it: the component fails, another matter
        "host=db sslmode=require unterminated='x",  # pgx refuses the string
    ],
)
def test_verify_full_and_strings_pgx_refuses_pass(value: str) -> None:
    assert run(store(value)) == []


def test_every_pgx_component_type_and_version_is_judged() -> None:
    value = URL + "?sslmode=require"
    for type_, version in [
        ("state.postgresql", "v2"),
        ("state.postgres", "v1"),
        ("bindings.postgresql", "v1"),
        ("configuration.postgresql", "v1"),
        ("state.cockroachdb", "v2"),
    ]:
        assert [f.rule for f in run(store(value, type_, version))] == [RULE.id], type_
    # cockroachdb v1 is its own code, and other types have no sslmode
    assert run(store(value, "state.cockroachdb", "v1")) == []
    assert run(store(value, "state.redis", "v1")) == []


def test_require_with_a_root_cert_is_judged_as_verify_ca() -> None:
    # configTLS: the require case falls through to verify-ca when sslrootcert is set
    (finding,) = run(store("postgres://u:p@h/db?sslmode=require&sslrootcert=/etc/ca.crt"))
    assert "sslmode=require (pgx reads it as verify-ca)" in finding.message
    assert "checks the CA chain but not the host name" in finding.message
    assert "accepts any certificate" not in finding.message
    assert "u:p@" not in finding.message


def test_url_alias_and_ssl_root_cert_metadata() -> None:
    text = component(
        f'{{name: url, value: "{URL}?sslmode=require"}}',
        type_="state.postgresql",
        name="statestore",
    )
    (finding,) = run(text)
    assert "metadata 'url'" in finding.message
    system = component(
        f'{{name: connectionString, value: "{URL}?sslmode=require"}}',
        "{name: sslRootCert, value: system}",
        type_="state.postgresql",
        name="statestore",
    )
    assert run(system) == []
    mounted = system.replace("value: system", "value: /etc/pg-ca/ca.crt")
    (finding,) = run(mounted)
    assert "sslmode=require (pgx reads it as verify-ca)" in finding.message


def test_a_string_built_from_fields_has_no_sslmode() -> None:
    text = component(
        "{name: host, value: db.example.com}",
        "{name: user, value: app}",
        "name: password\n      secretKeyRef: {name: pg, key: password}",
        type_="bindings.postgresql",
        name="db",
    )
    (finding,) = run(text)
    assert "built from metadata 'host'" in finding.message
    assert "no sslmode" in finding.message
    assert run(text.replace("{name: user, value: app}", "{name: sslRootCert, value: system}")) == []


SECRET_REF = "name: connectionString\n      secretKeyRef: {name: app-secrets, key: database-url}"


def with_secret(body: str, ref: str = SECRET_REF) -> str:
    comp = component(ref, type_="state.postgresql", name="statestore", scopes="backend")
    return comp + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: app-secrets}\n" + body


def test_a_referenced_secret_in_the_input_is_read_string_data_first() -> None:
    (finding,) = run(with_secret(f'stringData:\n  database-url: "{URL}?sslmode=require"\n'))
    assert finding.path == "/spec/metadata/0/secretKeyRef"
    assert "Secret app-secrets key database-url" in finding.message
    assert PASSWORD not in finding.message
    encoded = base64.b64encode(f"{URL}?sslmode=disable".encode()).decode()
    (finding,) = run(with_secret(f"data:\n  database-url: {encoded}\n"))
    assert "sslmode=disable" in finding.message
    good = base64.b64encode(f"{URL}?sslmode=verify-full".encode()).decode()
    both = (
        f"data:\n  database-url: {encoded}\n"
        f'stringData:\n  database-url: "{URL}?sslmode=verify-full"\n'
    )
    assert run(with_secret(both)) == []
    assert run(with_secret(f"data:\n  database-url: {good}\n")) == []


def test_secrets_out_of_sight_are_not_judged() -> None:
    assert run(with_secret("data:\n  other-key: eA==\n")) == []
    assert run(with_secret("data:\n  database-url: '!!not base64!!'\n")) == []
    assert run(component(SECRET_REF, type_="state.postgresql", name="statestore")) == []
    vault = with_secret(f'stringData:\n  database-url: "{URL}"\n').replace(
        "scopes: [backend]", "auth: {secretStore: vault}\nscopes: [backend]"
    )
    assert run(vault) == []
    env = component(
        "{name: connectionString, envRef: PG_URL}", type_="state.postgresql", name="statestore"
    )
    assert run(env) == []


def test_hostile_strings_never_crash_and_stay_linear() -> None:
    for value in ["%", "postgres://%zz@h/?%=%&;&sslmode=%", "=", "a=\\", "'", "a='\\"]:
        run(store(value))
    big = "a=b " * 15_000 + "sslmode=require"
    started = time.perf_counter()
    (finding,) = run(store(big))
    assert time.perf_counter() - started < 5
    assert "sslmode=require" in finding.message
    huge = "host=db " + "x" * 70_000
    assert run(store(huge)) == []
