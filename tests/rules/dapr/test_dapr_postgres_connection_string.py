"""dapr-postgres-connection-string: strings daprd cannot build or pgx refuses.

Each bad case was checked against components-contrib v1.18.3 `PostgresAuthMetadata`
(`InitWithMetadata`, then `GetPgxPoolConfig`) built with jackc/pgx v5.9.2: it fails there (or
panics, for the quote ending in a backslash); each good case passes there.
"""

from __future__ import annotations

import base64
import time

import pytest
from manifests import component
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.dapr.postgres_connection_string import RULE

PASSWORD = "s3cr3t-Pa55word"
TYPE = "state.postgresql"

PGX = "pgxpool.ParseConfig refuses it (GetPgxPoolConfig: 'failed to parse connection string'"
EXITS = ", so state.postgresql fails to initialise and the sidecar exits."
BUILD = "buildDSNConnectionString fails ('failed to build connection string')" + EXITS
URL_REFUSED = (
    "url.Parse refuses it (buildURLConnectionString: 'invalid URL connection string')" + EXITS
)


def run(text: str) -> list[Finding]:
    return check(RULE, text)


# Tables of their own: the daprd parity test loads these state stores against one database,
# where state.postgresql v2 cannot create its "state" table over v1's.
TABLES = ("{name: tableName, value: pgcs_state}", "{name: metadataTableName, value: pgcs_meta}")


def store(value: str, *extra: str, type_: str = TYPE, version: str = "v1") -> str:
    quoted = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    return component(
        f'{{name: connectionString, value: "{quoted}"}}',
        *extra,
        *(TABLES if type_ == TYPE and version == "v1" else ()),
        type_=type_,
        name="statestore",
        version=version,
    )


URL = f"postgres://app:{PASSWORD}@db.example.com:5432/todo"


@pytest.mark.parametrize(
    "value",
    [
        URL,
        URL + "?sslmode=verify-full",
        "postgresql://app@db/todo",
        "postgres://db1:5432,db2:5433/todo?target_session_attrs=read-write",
        "postgres://[::1]:5432/todo?sslmode=require",
        "postgres://app:p%40ss%20word@db/todo",  # %-escapes in the password
        "postgres://app:pw@db:00005432/todo",  # ParseUint reads leading zeros
        "postgres://app:pw@db/todo?x=%zz&sslmode=verify-full",  # a bad query pair is dropped
        "postgres://app:pw@db/todo?sslmode=bogus&sslrootcert=system",  # system forces verify-full
        f"host=db user=app password={PASSWORD} dbname=todo sslmode=verify-full",
        "host=db user=app password='quoted' dbname=todo",
        "host=db password='it\\'s' dbname=todo",  # \' inside quotes
        "host=db password=a\\ b dbname=todo",  # an escaped space, not a separator
        "host=db password=a\\\\b",  # an escaped backslash
        "host='db' user='app' sslmode='verify-full'",
        "host=db  user=app",  # the empty part between two spaces is dropped
        "host=db\tpassword=x",  # pgx splits on a tab, the builder does not: one part
        "host=db user= dbname=x",  # an empty user is skipped
        "a='x'y b=c",  # pgx skips one character after the closing quote
        "host=db sslmode=",  # empty: prefer
        "host=db sslmode=bogus sslrootcert=system",
        "host=db port=5432,x",  # one host: only the first port is read
        "host=db connect_timeout=-0",
        "host=db target_session_attrs=primary",
        *(f"host=db sslmode={mode}" for mode in ("disable", "allow", "prefer", "require")),
        *(f"host=db sslmode={mode}" for mode in ("verify-ca", "verify-full")),
    ],
)
def test_strings_pgx_accepts_pass(value: str) -> None:
    assert run(store(value)) == []


# Faults in the host, port or password, judged on bindings.postgresql (the same code): the daprd
# parity test points a state store's host, port, user, password and database at its own server.
SERVER_FAULTS = frozenset(
    {
        f"host=db password='{PASSWORD}",
        "host=db port=abc",
        "host=a,b port=5432,x",
        "postgres://app:pw@db:x/todo",
        "postgres://app:pw@db:1:2/todo",
        "postgres://app:pw@db:0/todo",
    }
)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "%",
            "holds no key=value part (the builder drops every word without '=') and no host, "
            "user or other connection field is set: " + BUILD + " Write key=value pairs "
            "(host=db user=app dbname=todo sslmode=verify-full) or a postgres:// URL.",
        ),
        (
            "mongodb://db:27017/admin",
            "holds no key=value part (the builder drops every word without '=') and no host, "
            "user or other connection field is set: " + BUILD + " Write key=value pairs "
            "(host=db user=app dbname=todo sslmode=verify-full) or a postgres:// URL.",
        ),
        (
            f"host=db user=app password='{PASSWORD} x' dbname=todo",
            "is split by the builder on single spaces, which drops every word without '=' (a "
            "space inside a quoted value or around '='), leaving an unterminated quote after "
            f"password=: {PGX}){EXITS} Remove the spaces around '='; for a value with a space "
            "use the postgres:// URL form, where a space is written %20.",
        ),
        (
            "host = db",
            "is split by the builder on single spaces, which drops every word without '=' (a "
            "space inside a quoted value or around '='), leaving an '=' with no keyword before "
            f"it: {PGX}){EXITS} Remove the spaces around '='; for a value with a space use the "
            "postgres:// URL form, where a space is written %20.",
        ),
        (
            f"host=db password='{PASSWORD}",
            f"has an unterminated quote after password=: {PGX}){EXITS} Close the quote; write "
            "a quote inside a value as \\'.",
        ),
        (
            f"host=db password={PASSWORD}\\",
            f"has a backslash at the end of the value after password=: {PGX}){EXITS} Double a "
            "backslash meant literally (\\\\).",
        ),
        (
            "host=db =x",
            f"has an '=' with no keyword before it: {PGX}){EXITS} Write every setting as "
            "keyword=value.",
        ),
        (
            f"host=db\t{PASSWORD}",
            f"has a word without '=' after host=: {PGX}){EXITS} Quote values that hold white "
            "space ('...') or drop the stray word.",
        ),
        (
            "host=db sslmode=requre",
            "has sslmode 'requre', which is not one of disable, allow, prefer, require, "
            f"verify-ca, verify-full: {PGX}) (configTLS: 'sslmode is invalid'){EXITS} Use "
            "sslmode=verify-full.",
        ),
        (
            "host=db,/tmp sslmode=bogus",  # one TCP host is enough
            "has sslmode 'bogus', which is not one of disable, allow, prefer, require, "
            f"verify-ca, verify-full: {PGX}) (configTLS: 'sslmode is invalid'){EXITS} Use "
            "sslmode=verify-full.",
        ),
        (
            "host=db port=abc",
            f"has a port that is not a number from 1 to 65535: {PGX}) ('invalid port'){EXITS} "
            "Write port=5432 (one per host, separated by commas).",
        ),
        (
            "host=a,b port=5432,x",
            f"has a port that is not a number from 1 to 65535: {PGX}) ('invalid port'){EXITS} "
            "Write port=5432 (one per host, separated by commas).",
        ),
        (
            "host=db connect_timeout=abc",
            "has a connect_timeout that is not a whole number of seconds of 0 or more: "
            f"{PGX}) ('invalid connect_timeout'){EXITS} Write connect_timeout=10.",
        ),
        (
            "host=db target_session_attrs=master",
            "has target_session_attrs 'master', which is not one of any, read-write, "
            "read-only, primary, standby, prefer-standby: "
            f"{PGX}) ('unknown target_session_attrs value'){EXITS} Use one of those values.",
        ),
        (
            "postgres://app:p%zz@db/todo",
            "has a '%' not followed by two hex digits in the user name or password: "
            + URL_REFUSED
            + " Write a literal '%' as %25.",
        ),
        (
            f"postgres://app:{PASSWORD} x@db/todo",
            "has a character a URL does not allow in the user name or password (such as a "
            "space, '/', '?', '#', '[' or a non-ASCII letter): "
            + URL_REFUSED
            + " %-encode it (a space is %20, '/' is %2F).",
        ),
        (
            "postgres://app:pw@db:x/todo",
            "has a port that is not a number after the host: " + URL_REFUSED + " Write "
            "host:5432 (a password with ':' or '@' belongs before the last '@').",
        ),
        (
            "postgres://app:pw@d b/todo",
            "has a character a URL does not allow in the host (such as a space, '\\', '{' or "
            "'|'), or a %-escape of an ASCII character there: " + URL_REFUSED + " Fix the "
            "host name.",
        ),
        (
            "postgres://app:pw@[::1/todo",
            "has an IPv6 host without its closing ']': " + URL_REFUSED + " Write it as [::1]:5432.",
        ),
        (
            "postgres://app:pw@db/to%zdo",
            "has a '%' not followed by two hex digits in the path (database name): "
            + URL_REFUSED
            + " Write a literal '%' as %25.",
        ),
        (
            "postgres://a\tb@db/todo",
            "holds a control character (such as a line break): "
            + URL_REFUSED
            + " Remove it; %-encode it if it belongs to the password.",
        ),
        (
            "postgres://app:pw@db:1:2/todo",
            "has a host in its list with more than one ':': pgx's parseURLSettings refuses it "
            f"(net.SplitHostPort: too many colons){EXITS} Write each host as name:port, "
            "separated by commas.",
        ),
        (
            "postgres://app:pw@db:0/todo",
            f"has a port that is not a number from 1 to 65535: {PGX}) ('invalid port'){EXITS} "
            "Write port=5432 (one per host, separated by commas).",
        ),
        (
            "postgres://app:pw@db/todo?sslmode=bogus",
            "has sslmode 'bogus', which is not one of disable, allow, prefer, require, "
            f"verify-ca, verify-full: {PGX}) (configTLS: 'sslmode is invalid'){EXITS} Use "
            "sslmode=verify-full.",
        ),
        (
            "postgres://app:pw@db/todo?target_session_attrs=",
            "has target_session_attrs empty, which is not one of any, read-write, read-only, "
            f"primary, standby, prefer-standby: {PGX}) ('unknown target_session_attrs value')"
            f"{EXITS} Use one of those values.",
        ),
    ],
)
def test_strings_daprd_refuses_are_errors(value: str, message: str) -> None:
    type_ = TYPE
    if value in SERVER_FAULTS:
        type_ = "bindings.postgresql"
        message = message.replace(TYPE, type_)
    findings = run(store(value, type_=type_))
    assert [(f.rule, f.severity, f.path, f.message) for f in findings] == [
        (
            "dapr-postgres-connection-string",
            Severity.ERROR,
            "/spec/metadata/0/value",
            f"metadata 'connectionString' {message}",
        )
    ]
    assert PASSWORD not in findings[0].message


def test_a_quote_ending_in_a_backslash_crashes_daprd() -> None:
    # pgconn parseKeywordValueSettings (pgx v5.7.4 and v5.9.2): the backslash skips past the
    # end, and s[:end] panics with "slice bounds out of range".
    for value, after in [
        ("a='\\", "an unknown keyword"),
        (f"host=db password='{PASSWORD}\\", "password="),
    ]:
        (finding,) = run(store(value))
        assert finding.message == (
            f"metadata 'connectionString' ends inside a quoted value (after {after}) with a "
            "backslash as its last character: pgx's parseKeywordValueSettings slices past the "
            "end of the string and panics, so daprd crashes ('slice bounds out of range') "
            "instead of starting. Close the quote, and double a backslash meant literally (\\\\)."
        )
        assert PASSWORD not in finding.message


def test_an_unknown_keyword_is_not_named() -> None:
    # "password=a b=c" gives pgx the keyword "b": a piece of the password, never printed.
    (finding,) = run(store(f"host=db password=x {PASSWORD}='c"))
    assert "an unterminated quote after an unknown keyword" in finding.message
    assert PASSWORD not in finding.message


@pytest.mark.parametrize(
    "value",
    [
        "postgres://app:pw@/todo?sslmode=bogus",  # no host: the default may be a socket
        "host=/var/run/postgresql sslmode=bogus",  # a Unix socket: TLS settings ignored
        "host=/tmp,/run/pg sslmode=bogus",
        "sslmode=bogus",  # no host: the default may be a socket
    ],
)
def test_sslmode_is_not_read_for_a_socket_or_the_default_host(value: str) -> None:
    # configTLS runs only for a host that is not an absolute path (NetworkAddress). On the
    # binding: the daprd parity test gives a state store its own TCP server.
    assert run(store(value, type_="bindings.postgresql")) == []


def test_metadata_fields_are_merged_as_the_builder_does() -> None:
    # On the binding: the daprd parity test rewrites a state store's connection string.
    def bound(value: str, *extra: str) -> list[Finding]:
        return run(store(value, *extra, type_="bindings.postgresql"))

    # no key=value part, but a field: the builder has something to build from
    assert bound("nothing here", "{name: host, value: db}") == []
    (finding,) = bound("host=db user=app", "{name: port, value: x}")
    assert "has a port that is not a number from 1 to 65535" in finding.message
    # a field replaces the value of its keyword in place, so its quote problem goes away
    assert bound("host=db password='a", '{name: password, value: "b\'"}') == []
    # buildURLConnectionString appends the port field after the URL's own port
    (finding,) = bound("postgres://app:pw@db:5432/todo", "{name: port, value: '5432'}")
    assert "more than one ':'" in finding.message
    assert bound("postgres://app:pw@db/todo", "{name: port, value: '5432'}") == []
    # sslRootCert=system forces verify-full before sslmode is checked
    root = "{name: sslRootCert, value: system}"
    assert bound("host=db sslmode=bogus", root) == []
    assert bound("postgres://app:pw@db/todo?sslmode=bogus", root) == []
    # a referenced field is one plain word
    ref = "name: password\n      secretKeyRef: {name: pg, key: password}"
    assert bound("host=db user=app", ref) == []
    assert [f.rule for f in bound("host=db sslmode=bogus", ref)] == [RULE.id]
    # an appended field is written unquoted: its space splits it
    (finding,) = bound("host=db user=app", f'{{name: password, value: "{PASSWORD} b"}}')
    assert finding.message == (
        "metadata 'connectionString' with the metadata fields user, host, hostaddr, port, "
        "database, password and sslRootCert, which the builder writes into it unquoted, gives "
        f"a string that has a word without '=' after password=: {PGX})"
        + EXITS.replace(TYPE, "bindings.postgresql")
        + " Put a value with a space, a quote or a backslash into the connection string, "
        "quoted ('...'), instead of its own metadata field."
    )
    assert PASSWORD not in finding.message
    # two appended fields, one with a space: Go's map order decides, not judged
    spaced = '{name: password, value: "a b"}'
    assert bound("host=db sslmode=bogus", spaced, "{name: user, value: u}") == []


def test_url_alias_and_every_pgx_component_type() -> None:
    text = component('{name: url, value: "host=db sslmode=bogus"}', type_=TYPE, name="statestore")
    (finding,) = run(text)
    assert finding.message.startswith("metadata 'url' has sslmode 'bogus'")
    for type_, version in [
        ("state.postgresql", "v2"),
        ("state.postgres", "v1"),
        ("bindings.postgresql", "v1"),
        ("configuration.postgresql", "v1"),
        ("state.cockroachdb", "v2"),
    ]:
        (finding,) = run(store("%", type_=type_, version=version))
        assert f"so {type_} fails to initialise" in finding.message, type_
    assert run(store("%", type_="state.cockroachdb", version="v1")) == []
    assert run(store("%", type_="state.redis")) == []


SECRET_REF = "name: connectionString\n      secretKeyRef: {name: app-secrets, key: database-url}"
# Referenced values on the binding: standalone daprd resolves a secretKeyRef without
# auth.secretStore, or an unset envRef, to an empty string, which a state store refuses.
BINDING = "bindings.postgresql"


def with_secret(body: str, type_: str = BINDING) -> str:
    comp = component(SECRET_REF, type_=type_, name="statestore", scopes="backend")
    return comp + "---\napiVersion: v1\nkind: Secret\nmetadata: {name: app-secrets}\n" + body


def test_a_referenced_secret_in_the_input_is_read() -> None:
    (finding,) = run(with_secret(f'stringData:\n  database-url: "host=db password=\'{PASSWORD}"\n'))
    assert finding.path == "/spec/metadata/0/secretKeyRef"
    assert finding.message.startswith(
        "metadata 'connectionString' (from Secret app-secrets key database-url) has an "
        "unterminated quote after password="
    )
    assert PASSWORD not in finding.message
    assert run(with_secret(f'stringData:\n  database-url: "{URL}"\n')) == []
    encoded = base64.b64encode(b"host=db sslmode=bogus").decode()
    (finding,) = run(with_secret(f"data:\n  database-url: {encoded}\n"))
    assert "has sslmode 'bogus'" in finding.message


def test_values_out_of_sight_are_not_judged() -> None:
    assert run(with_secret("data:\n  other-key: eA==\n")) == []
    assert run(component(SECRET_REF, type_=BINDING, name="db")) == []
    vault = with_secret('stringData:\n  database-url: "%"\n').replace(
        "scopes: [backend]", "auth: {secretStore: vault}\nscopes: [backend]"
    )
    assert run(vault) == []
    env = component("{name: connectionString, envRef: PG_URL}", type_=BINDING, name="db")
    assert run(env) == []
    for placeholder in ["${{AzureDBPostgresConnectionString}}", "{{ .Values.pg }}", "${PG}"]:
        assert run(store(placeholder, type_=BINDING)) == []
    assert run(store("", type_=BINDING)) == []


def test_hostile_values_never_crash_and_stay_linear() -> None:
    # On the binding: standalone daprd reads a list, a map or null as its JSON text.
    for value in ["[a, b]", "{a: 1}", "null", "'\\x00'", '"\\u00e9="']:
        text = component(f"{{name: connectionString, value: {value}}}", type_=BINDING, name="s")
        run(text)
    started = time.perf_counter()
    (finding,) = run(store("a=b " * 15_000 + "sslmode=bogus host=db"))
    assert "sslmode 'bogus'" in finding.message
    run(store("a='" + "\\x" * 30_000))
    run(store("postgres://" + "%" * 60_000))
    run(store("host=" + "a," * 30_000 + " port=1"))
    assert time.perf_counter() - started < 5
    assert run(store("host=db sslmode=bogus " + "x" * 70_000)) == []  # over 64 KiB: not judged
