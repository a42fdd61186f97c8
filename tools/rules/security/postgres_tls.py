"""A PostgreSQL connection string the validator can see asks for less than `sslmode=verify-full`,
so the sidecar does not check the database server's certificate (or its host name), or may not
use TLS at all.

## Why

The PostgreSQL components (`state.postgresql` v1 and v2, `bindings.postgresql`,
`configuration.postgresql`, and the types daprd registers on the same code: `state.postgres`,
`state.cockroachdb` v2, `state.yugabyte`...) pass their `connectionString` (alias `url`) to pgx,
`pgconn.ParseConfig` in jackc/pgx v5 `pgconn/config.go`, and `configTLS` there turns `sslmode`
into the TLS settings:

- no `sslmode` at all means `prefer`, as in libpq;
- `disable` never uses TLS; `allow` and `prefer` try one way then the other, so an attacker who
  refuses TLS gets the password in plaintext;
- `require` encrypts but sets `InsecureSkipVerify`: any certificate is accepted. With an
  `sslrootcert` it behaves as `verify-ca`;
- `verify-ca` checks the chain but not the host name: any certificate from the same CA (for a
  public CA, anyone's) is accepted;
- `verify-full` checks both. `sslrootcert=system` also forces `verify-full`, and
  `sslnegotiation=direct` turns the default `prefer` into `require`.

The rule reads a literal `connectionString`/`url` value, or the Kubernetes Secret the
`secretKeyRef` names when that Secret is in the same input (`stringData` first, then `data`,
decoded from base64), parsed as pgx does: a `postgres://` or `postgresql://` URL (its query
string), otherwise a `key=value` string (quoted values and backslash escapes). A string built
from `host`/`user`/`password` fields has no `sslmode` and so means `prefer`, unless
`sslRootCert` is `system`. A Unix-socket host (a path) never uses TLS and is not reported.
Strings the rule cannot see (a Secret created outside the input, `envRef`, another secret
store) are not judged.

## What happens at runtime

The component connects and works. Nothing checks that the server is the database: on the path
from the cluster to a managed database such as Neon, whoever can intercept the connection can
present any certificate, read the password and the data, and change the answers.

## How to fix

End the URL with `?sslmode=verify-full` (or add `sslmode=verify-full` to a key=value string).
With no `sslrootcert`, Go verifies against the system CA pool, which the daprd image
(`gcr.io/distroless/static`) ships, enough for a server with a certificate from a public CA
(Neon's are). For a private CA, mount its certificate into the `daprd` container
(`dapr.io/volume-mounts: "<volume>:<path>"`) and add `sslrootcert=<path>/ca.crt`, or the
component's `sslRootCert` metadata.

The message names the metadata field, the Secret and key, and the sslmode; never the
connection string, which holds the password.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote_plus

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule
from tools.rules._postgres import secret_value, uses_pgx

# components-contrib packages whose metadata embeds PostgresAuthMetadata
# (common/authentication/postgresql/metadata.go), so the string goes to pgx.
# A connection string is short; anything far longer is not judged (bounded work).
_MAX_LENGTH = 64 * 1024
_VALID_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_URL_PREFIXES = ("postgres://", "postgresql://")
_SPACE = " \t\n\r\v\f"

_WHAT = {
    "disable": "never uses TLS",
    "allow": "tries plaintext first and accepts any certificate when it does use TLS",
    "prefer": "falls back to plaintext and accepts any certificate",
    "require": "encrypts but accepts any certificate (pgx sets InsecureSkipVerify)",
    "verify-ca": "checks the CA chain but not the host name",
}


@dataclass(frozen=True)
class _Source:
    """Where the connection string came from, for the message (never its value)."""

    field: str
    index: int
    via: str  # "" for a literal value, else "Secret <name> key <key>"
    text: str | None  # None when the component builds the string from separate fields


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Component") or not uses_pgx(resource, bundle):
        return
    source = _connection_source(resource, bundle)
    if source is None:
        return
    root_cert = _literal(resource, "sslRootCert")
    if source.text is None:
        settings: dict[str, str] | None = {"host": _literal(resource, "host") or ""}
    elif len(source.text) > _MAX_LENGTH:
        return
    elif source.text.startswith(_URL_PREFIXES):
        settings = _url_settings(source.text)
    else:
        settings = _keyword_settings(source.text)
    if settings is None:  # pgx refuses the string; the component fails to start anyway
        return
    if root_cert is not None and root_cert != "":
        settings["sslrootcert"] = root_cert
    mode = _effective_mode(settings)
    if mode not in _WHAT or settings.get("host", "").startswith("/"):
        return
    written = "no sslmode (pgx's default is prefer)" if "sslmode" not in settings else ""
    if not written:
        written = f"sslmode={mode}"
        if mode != settings["sslmode"]:
            written = f"sslmode={settings['sslmode']} (pgx reads it as {mode})"
    where = f"metadata '{source.field}'"
    if source.via:
        where += f" ({source.via})"
    if source.text is None:
        where = f"the connection string built from metadata '{source.field}' and the other fields"
    path: tuple[str | int, ...] = ("spec", "metadata", source.index)
    path += ("secretKeyRef",) if source.via else ("value",) if source.text is not None else ()
    yield RULE.finding(
        resource,
        f"{where} has {written}: the sidecar {_WHAT[mode]}, so whoever can intercept the "
        "connection to the database can read the password and the data. Use "
        "sslmode=verify-full (the daprd image verifies public CAs such as Neon's against its "
        "system roots; for a private CA add sslrootcert=<mounted path>)",
        path,
    )


def _literal(resource: Resource, name: str) -> str | None:
    item = dapr_model.metadata_value(resource, name)
    if item is None or item.secret_ref is not None or not item.has_value:
        return None
    return item.text


def _connection_source(resource: Resource, bundle: Bundle) -> _Source | None:
    """The connectionString (or its alias url) the rule can read, or the field the component
    builds its string from; None when the string is out of sight."""
    for name in ("connectionString", "url"):
        item = dapr_model.metadata_value(resource, name)
        if item is None:
            continue
        if item.secret_ref is not None:
            return _from_secret(resource, bundle, item)
        if item.env_ref is not None or not item.has_value:
            return None
        text = item.text
        return _Source(item.name, item.index, "", text) if text else None
    host = dapr_model.metadata_value(resource, "host")
    if host is not None and (host.text or host.secret_ref is not None):
        return _Source(host.name, host.index, "", None)
    return None


def _from_secret(
    resource: Resource, bundle: Bundle, item: dapr_model.MetadataItem
) -> _Source | None:
    found = secret_value(resource, bundle, item.secret_ref or {}, _MAX_LENGTH)
    if found is None:
        return None
    text, secret, key = found
    return _Source(item.name, item.index, f"from Secret {secret} key {key}", text)


def _effective_mode(settings: dict[str, str]) -> str:
    """configTLS: the sslmode pgx ends up with."""
    mode = settings.get("sslmode", "") or "prefer"
    if settings.get("sslnegotiation") == "direct" and mode == "prefer":
        mode = "require"
    if settings.get("sslrootcert") == "system":
        mode = "verify-full"
    if mode == "require" and settings.get("sslrootcert"):
        mode = "verify-ca"  # the require case falls through to verify-ca with a root CA
    return mode if mode in _VALID_MODES else ""


def _url_settings(text: str) -> dict[str, str] | None:
    """The settings pgx reads from a URL's query (url.Values: the first value of each key; a
    pair with a ';' or a bad escape is dropped) and its host."""
    rest = text.split("#", 1)[0]
    _, _, after_scheme = rest.partition("://")
    authority, _, query = after_scheme.partition("?")
    authority = authority.split("/", 1)[0]
    hosts = authority.rpartition("@")[2]
    settings: dict[str, str] = {}
    for pair in query.split("&"):
        if not pair or ";" in pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        try:
            key = _unescape(raw_key)
            value = _unescape(raw_value)
        except ValueError:
            continue
        if key == "dbname":
            key = "database"
        settings.setdefault(key, value)
    if hosts and "host" not in settings:
        settings["host"] = hosts
    return settings


def _unescape(text: str) -> str:
    """Go's url.QueryUnescape: '+' is a space, and a '%' must start two hex digits."""
    position = text.find("%")
    while position != -1:
        digits = text[position + 1 : position + 3]
        if len(digits) != 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
            raise ValueError("bad escape")
        position = text.find("%", position + 3)
    return unquote_plus(text, errors="replace")


def _keyword_settings(text: str) -> dict[str, str] | None:
    """pgconn parseKeywordValueSettings, in one pass over ``text``: ``key=value`` pairs
    separated by white space, values optionally single-quoted, backslash escapes; the last
    value of a key wins. None when pgx refuses the string."""
    settings: dict[str, str] = {}
    size = len(text)
    i = 0
    while i < size:
        equals = text.find("=", i)
        if equals < 0:
            return None
        key = text[i:equals].strip(_SPACE)
        i = equals + 1
        while i < size and text[i] in _SPACE:
            i += 1
        quoted = i < size and text[i] == "'"
        start = i + 1 if quoted else i
        end = start
        while end < size:
            char = text[end]
            if (char == "'") if quoted else (char in _SPACE):
                break
            if char == "\\":
                end += 1
                if end == size and not quoted:
                    return None
            end += 1
        if quoted and end >= size:
            return None  # unterminated quoted string
        value = text[start:end].replace("\\\\", "\\").replace("\\'", "'")
        i = end + 1
        if key == "dbname":
            key = "database"
        if not key:
            return None
        if key == "user" and not value:
            continue
        settings[key] = value
    return settings


RULE = Rule(
    id="security-postgres-tls",
    category="security",
    severity=Severity.WARNING,
    summary="a PostgreSQL connection string asks for less than sslmode=verify-full",
    check=check,
    kinds=frozenset({"Component"}),
)
