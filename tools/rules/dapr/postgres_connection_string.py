"""A PostgreSQL connection string that daprd cannot build or that pgx refuses to parse, so the
component fails to initialise (or, for one malformed quote, daprd crashes).

## Why

The PostgreSQL components (`state.postgresql` v1 and v2, `bindings.postgresql`,
`configuration.postgresql`, and the types registered on the same code: `state.postgres`,
`state.cockroachdb` v2, `state.yugabyte`...) embed `PostgresAuthMetadata`
(components-contrib `common/authentication/postgresql/metadata.go`, the same in v1.16 to
v1.18). Their `Init` calls `InitWithMetadata`, then `GetPgxPoolConfig`, which builds the string
(`buildConnectionString`) and hands it to `pgxpool.ParseConfig` (jackc/pgx v5,
`pgconn/config.go` `ParseConfigWithOptions`):

- a string that starts with `postgres://` or `postgresql://` goes through Go's `url.Parse`
  (`buildURLConnectionString`, "invalid URL connection string"), then pgx's
  `parseURLSettings`. Refused: control characters, a `%` not followed by two hex digits
  outside the query, characters a URL does not allow in the user name or password (write them
  %-encoded) or in the host, a non-numeric port, a `[` without `]`, and a host of a
  comma-separated list with more than one `:` (as a `port` field makes of a URL that has a
  port: `buildURLConnectionString` appends it after another `:`);
- any other string goes through `buildDSNConnectionString`, which splits it on single spaces,
  **drops every part without `=`**, replaces the values of `user`, `host`, `hostaddr`, `port`,
  `database`, `password` and `sslrootcert` with the metadata fields of those names, and appends
  the fields whose keyword it lacks, unquoted. A string with no `key=value` part and no such
  field fails with "failed to build connection string". A quoted value holding a space
  (`password='a b'`), which pgx itself accepts, loses everything after the space and ends
  unterminated;
- pgx's `parseKeywordValueSettings` then refuses an unterminated quote, a backslash at the end
  of an unquoted value, an `=` without a keyword and a word without `=`. A quoted value whose
  backslash is the last character of the string (`password='abc\\`) makes it slice past the
  end: a panic (pgx v5.7.4 and v5.9.2, the versions Dapr 1.16 to 1.18 build with) that
  crashes daprd;
- `ParseConfigWithOptions` refuses a port that is not a number from 1 to 65535, a negative or
  non-numeric `connect_timeout`, an unknown `target_session_attrs`, and (`configTLS`, for a
  host that is not a Unix socket path) an `sslmode` other than `disable`, `allow`, `prefer`,
  `require`, `verify-ca`, `verify-full`, unless `sslrootcert=system`.

The rule reads a literal `connectionString` (alias `url`), or the Kubernetes Secret its
`secretKeyRef` names when that Secret is in the same input (`stringData` first, then `data`,
decoded from base64), as `security-postgres-tls` does.
Values with deployment placeholders (`${{...}}`, `{{...}}`) and strings longer than 64 KiB are
not judged; neither is what depends on files or the environment of the sidecar (certificate
files, `service`, the default host). A metadata field given by `secretKeyRef` counts as a plain
word. Fields the builder appends are written in Go's random map order: when more than one is
appended and one holds white space, a quote or a backslash, the result is not judged.

## What happens at runtime

`Init` fails with "failed to build connection string", "invalid URL connection string" or
"failed to parse connection string", and the sidecar exits; for the quote ending in a
backslash daprd panics ("slice bounds out of range").

## How to fix

Follow the message. A value with spaces or quotes is easiest in the URL form
(`postgres://user:pa%20ss@host:5432/db?sslmode=verify-full`, with `%`-escapes in the user
name, password and path). The message names the metadata field, the Secret and key, and the
part of the string at fault; never the string, which may hold the password.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.metadata_values import is_templated
from tools.rules import Bundle, Rule
from tools.rules._postgres import secret_value, uses_pgx
from tools.secrets.text import is_placeholder

_MAX_LENGTH = 64 * 1024
_URL_PREFIXES = ("postgres://", "postgresql://")
# Stands for a field given by secretKeyRef or envRef: its value is unknown, taken as one word.
_REFERENCED = "\x00ref"
_SPACE = " \t\n\r\v\f"
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
# getConnectionStringMetadata: metadata field -> the keyword it sets in the string.
_FIELDS = {
    "user": "user",
    "host": "host",
    "hostaddr": "hostaddr",
    "port": "port",
    "database": "database",
    "password": "password",
    "sslrootcert": "sslrootcert",
}
# Keywords a message may name (libpq's and pgx's); any other word may be a piece of a password.
_KEYWORDS = frozenset(
    {
        *_FIELDS.values(),
        "dbname",
        "passfile",
        "connect_timeout",
        "sslmode",
        "sslkey",
        "sslcert",
        "sslpassword",
        "sslsni",
        "sslnegotiation",
        "krbspn",
        "krbsrvname",
        "target_session_attrs",
        "service",
        "servicefile",
        "application_name",
        "options",
        "search_path",
        "timezone",
        "client_encoding",
        "min_protocol_version",
        "max_protocol_version",
        "channel_binding",
        "pool_max_conns",
        "pool_min_conns",
        "pool_min_idle_conns",
        "pool_max_conn_lifetime",
        "pool_max_conn_idle_time",
        "pool_health_check_period",
        "statement_cache_capacity",
        "description_cache_capacity",
        "default_query_exec_mode",
    }
)
_SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_SESSION_ATTRS = ("any", "read-write", "read-only", "primary", "standby", "prefer-standby")
# url.Parse (unescape in host mode): ASCII characters refused in a host name.
_BAD_HOST_CHARS = frozenset(" \\^`{|}")
_USERINFO_OK = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:~!$&'()*+,;=%@"
)

_BUILD = "buildDSNConnectionString fails ('failed to build connection string')"
_URL = "url.Parse refuses it (buildURLConnectionString: 'invalid URL connection string')"
_PGX = "pgxpool.ParseConfig refuses it (GetPgxPoolConfig: 'failed to parse connection string')"
_PANIC = (
    "pgx's parseKeywordValueSettings slices past the end of the string and panics, so daprd "
    "crashes ('slice bounds out of range') instead of starting"
)


@dataclass(frozen=True)
class _Problem:
    what: str  # the part at fault, never its text
    effect: str  # which Go function refuses it
    fix: str


def _kw(key: str) -> str:
    """A keyword as a message may show it."""
    return f"{key}=" if key in _KEYWORDS else "an unknown keyword"


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component") or not uses_pgx(resource, bundle):
        return
    for name in ("connectionString", "url"):
        item = dm.metadata_value(resource, name)
        if item is None:
            continue
        if item.secret_ref is not None:
            found = secret_value(resource, bundle, item.secret_ref, _MAX_LENGTH)
            if found is None:
                return
            text, secret, key = found
            via = f" (from Secret {secret} key {key})"
            path: tuple[str | int, ...] = ("spec", "metadata", item.index, "secretKeyRef")
        elif item.env_ref is not None or not item.has_value or isinstance(item.value, dict | list):
            return
        else:
            text, via = item.text, ""
            path = ("spec", "metadata", item.index, "value")
        if not text or len(text) > _MAX_LENGTH or is_templated(text) or is_placeholder(text):
            return
        problem = _problem(text, resource)
        if problem is not None:
            effect = problem.effect
            if effect != _PANIC:
                effect += (
                    f", so {dm.component_type(resource)} fails to initialise and the sidecar exits"
                )
            yield RULE.finding(
                resource,
                f"metadata '{item.name}'{via} {problem.what}: {effect}. {problem.fix}",
                path,
            )
        return


def _fields(resource: Resource) -> dict[str, str]:
    """The metadata fields buildConnectionString merges into the string (a reference counts
    as one plain word)."""
    fields: dict[str, str] = {}
    for name, key in _FIELDS.items():
        item = dm.metadata_value(resource, "sslRootCert" if key == "sslrootcert" else name)
        if item is None:
            continue
        if item.secret_ref is not None or item.env_ref is not None:
            fields[key] = _REFERENCED
        elif item.has_value and not isinstance(item.value, dict | list) and item.text:
            fields[key] = item.text[: _MAX_LENGTH + 1]
    return fields


def _special(value: str) -> bool:
    """A value that changes how the text after it is parsed when written unquoted."""
    return any(c in _SPACE or c in "'\\" for c in value)


def _problem(text: str, resource: Resource) -> _Problem | None:
    fields = _fields(resource)
    if text.startswith(_URL_PREFIXES):
        return _url_problem(text, fields)
    return _dsn_problem(text, fields)


# --- key=value -------------------------------------------------------------------------------


def _build(text: str, fields: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """buildDSNConnectionString's parts: each part of ``text`` split on single spaces that has
    a '=', with the value of a field of its keyword in its place; and the fields left over,
    which it appends."""
    built: list[str] = []
    remaining = dict(fields)
    for part in text.split(" "):
        key, equals, value = part.partition("=")
        if not equals:
            continue
        if key in remaining:
            value = remaining.pop(key)
        built.append(f"{key}={value}")
    return built, remaining


def _dsn_problem(text: str, fields: dict[str, str]) -> _Problem | None:
    """buildDSNConnectionString, then parseKeywordValueSettings and the settings checks."""
    built, remaining = _build(text, fields)
    if len(remaining) > 1 and any(_special(v) for v in remaining.values()):
        return None  # appended in Go's random map order: the result depends on it
    built += [f"{k}={v}" for k, v in remaining.items()]
    if not built:
        return _Problem(
            "holds no key=value part (the builder drops every word without '=') and no host, "
            "user or other connection field is set",
            _BUILD,
            "Write key=value pairs (host=db user=app dbname=todo sslmode=verify-full) or a "
            "postgres:// URL.",
        )
    settings, problem = _keyword_settings(" ".join(built))
    if problem is None:
        return _settings_problem(settings)
    if _keyword_settings(text)[1] is not None:
        return _Problem(problem[0], _PANIC if problem[2] else _PGX, problem[3])
    left = problem[0].removeprefix("has ")
    if _keyword_settings(" ".join(_build(text, {})[0]))[1] is not None:
        return _Problem(
            "is split by the builder on single spaces, which drops every word without '=' "
            f"(a space inside a quoted value or around '='), leaving {left}",
            _PGX,
            "Remove the spaces around '='; for a value with a space use the postgres:// URL "
            "form, where a space is written %20.",
        )
    return _Problem(
        "with the metadata fields user, host, hostaddr, port, database, password and "
        "sslRootCert, which the builder writes into it unquoted, gives a string that "
        + (left if left.startswith("ends") else f"has {left}"),
        _PANIC if problem[2] else _PGX,
        "Put a value with a space, a quote or a backslash into the connection string, quoted "
        "('...'), instead of its own metadata field.",
    )


def _keyword_settings(text: str) -> tuple[dict[str, str], tuple[str, str, bool, str] | None]:
    """pgconn parseKeywordValueSettings in one pass: the settings, or (what, keyword shown,
    panics, fix) for the first thing it refuses."""
    settings: dict[str, str] = {}
    size = len(text)
    i = 0
    previous = ""
    while i < size:
        equals = text.find("=", i)
        if equals < 0:
            after = f"after {_kw(previous)}" if previous else "at the start"
            return settings, (
                f"has a word without '=' {after}",
                "",
                False,
                "Quote values that hold white space ('...') or drop the stray word.",
            )
        key = text[i:equals].strip(_SPACE)
        i = equals + 1
        while i < size and text[i] in _SPACE:
            i += 1
        shown = _kw(key)
        if i < size and text[i] == "'":
            start = end = i + 1
            while end < size and text[end] != "'":
                if text[end] == "\\":
                    end += 1
                    if end == size:
                        return settings, (
                            f"ends inside a quoted value (after {shown}) with a backslash as "
                            "its last character",
                            shown,
                            True,
                            "Close the quote, and double a backslash meant literally (\\\\).",
                        )
                end += 1
            if end >= size:
                return settings, (
                    f"has an unterminated quote after {shown}",
                    shown,
                    False,
                    "Close the quote; write a quote inside a value as \\'.",
                )
        else:
            start = end = i
            while end < size and text[end] not in _SPACE:
                if text[end] == "\\":
                    end += 1
                    if end == size:
                        return settings, (
                            f"has a backslash at the end of the value after {shown}",
                            shown,
                            False,
                            "Double a backslash meant literally (\\\\).",
                        )
                end += 1
        value = text[start:end].replace("\\\\", "\\").replace("\\'", "'")
        i = end + 1
        if key == "dbname":
            key = "database"
        if not key:
            return settings, (
                "has an '=' with no keyword before it",
                "",
                False,
                "Write every setting as keyword=value.",
            )
        previous = key
        if key == "user" and not value:
            continue
        settings[key] = value
    return settings, None


# --- URL -------------------------------------------------------------------------------------


def _escape_problem(text: str, host: bool = False) -> bool:
    """url.unescape: a '%' must start two hex digits; in a host, only for non-ASCII bytes (or
    %25), and some ASCII characters are refused."""
    position = text.find("%")
    while position != -1:
        digits = text[position + 1 : position + 3]
        if len(digits) != 2 or digits[0] not in _HEX or digits[1] not in _HEX:
            return True
        if host and int(digits[0], 16) < 8 and digits != "25":
            return True
        position = text.find("%", position + 3)
    return host and any(c in _BAD_HOST_CHARS for c in text)


def _url_problem(text: str, fields: dict[str, str]) -> _Problem | None:
    """url.Parse, then (unless host or port fields replace the host) parseURLSettings and the
    settings checks."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return _Problem(
            "holds a control character (such as a line break)",
            _URL,
            "Remove it; %-encode it if it belongs to the password.",
        )
    rest, _, fragment = text.partition("#")
    if _escape_problem(fragment):
        return _bad_escape("the fragment after '#'")
    rest = rest.partition("?")[0]
    after = rest.partition("://")[2]
    authority, slash, path = after.partition("/")
    if _escape_problem(slash + path):
        return _bad_escape("the path (database name)")
    userinfo, at, host = authority.rpartition("@")
    if not at:
        host = authority
    problem = _host_problem(host)
    if problem is not None:
        return problem
    if at:
        if any(c not in _USERINFO_OK for c in userinfo):
            return _Problem(
                "has a character a URL does not allow in the user name or password (such as "
                "a space, '/', '?', '#', '[' or a non-ASCII letter)",
                _URL,
                "%-encode it (a space is %20, '/' is %2F).",
            )
        if _escape_problem(userinfo):
            return _bad_escape("the user name or password")
    replaced = [fields[k] for k in ("host", "hostaddr", "port") if k in fields]
    if any(v == _REFERENCED or _special(v) or "/" in v for v in replaced):
        return None  # the host becomes a value out of sight or escaped by URL.String
    # buildURLConnectionString: the host or hostaddr field replaces the host, then a port
    # field is appended after a ':' even when the host has a port already.
    host = fields.get("hostaddr") or fields.get("host") or host
    if "port" in fields:
        host = f"{host}:{fields['port']}"
    settings, hosts_problem = _url_settings(host, text)
    if "sslrootcert" in fields:
        settings["sslrootcert"] = fields["sslrootcert"]
    return hosts_problem or _settings_problem(settings)


def _bad_escape(where: str) -> _Problem:
    return _Problem(
        f"has a '%' not followed by two hex digits in {where}",
        _URL,
        "Write a literal '%' as %25.",
    )


def _host_problem(host: str) -> _Problem | None:
    """url.Parse's parseHost."""
    bracket = host.rfind("[")
    if bracket > 0:
        return _Problem("has a '[' inside the host", _URL, "Write an IPv6 host as [::1]:5432.")
    if bracket == 0:
        close = host.rfind("]")
        if close < 0:
            return _Problem(
                "has an IPv6 host without its closing ']'", _URL, "Write it as [::1]:5432."
            )
        port = host[close + 1 :]
        if port and (port[0] != ":" or any(c not in _DIGITS for c in port[1:])):
            return _port_after_host()
        return _bad_escape("the host") if _escape_problem(host[1:close]) else None
    colon = host.rfind(":")
    if colon != -1 and any(c not in _DIGITS for c in host[colon + 1 :]):
        return _port_after_host()
    if _escape_problem(host, host=True):
        return _Problem(
            "has a character a URL does not allow in the host (such as a space, '\\', '{' or "
            "'|'), or a %-escape of an ASCII character there",
            _URL,
            "Fix the host name.",
        )
    return None


def _port_after_host() -> _Problem:
    return _Problem(
        "has a port that is not a number after the host",
        _URL,
        "Write host:5432 (a password with ':' or '@' belongs before the last '@').",
    )


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return "%" not in host  # Go's net.ParseIP takes no zone


def _url_settings(host: str, text: str) -> tuple[dict[str, str], _Problem | None]:
    """pgx parseURLSettings: the hosts and ports of the authority, then the query (contrib
    re-encodes it with url.Values first: pairs with ';' or a bad escape are dropped)."""
    hosts: list[str] = []
    ports: list[str] = []
    for part in host.split(","):
        if not part:
            continue
        if _is_ip(part.strip("[]")) or ":" not in part:
            hosts.append(part.strip("[]"))
            continue
        if part.startswith("["):
            name, _, port = part[1:].partition("]")
            port = port.removeprefix(":")
        elif part.count(":") > 1:
            return {}, _Problem(
                "has a host in its list with more than one ':'",
                "pgx's parseURLSettings refuses it (net.SplitHostPort: too many colons)",
                "Write each host as name:port, separated by commas.",
            )
        else:
            name, _, port = part.partition(":")
        if name:
            hosts.append(name)
        if port:
            ports.append(port)
    settings: dict[str, str] = {}
    if hosts:
        settings["host"] = ",".join(hosts)
    if ports:
        settings["port"] = ",".join(ports)
    query = text.partition("#")[0].partition("?")[2]
    seen: set[str] = set()
    for pair in query.split("&"):
        if not pair or ";" in pair:
            continue
        raw_key, _, raw_value = pair.partition("=")
        if _escape_problem(raw_key) or _escape_problem(raw_value):
            continue
        key = _unquote(raw_key)
        if key in seen:
            continue
        seen.add(key)
        settings["database" if key == "dbname" else key] = _unquote(raw_value)
    return settings, None


def _unquote(text: str) -> str:
    """url.QueryUnescape of a string whose escapes are well formed."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8", errors="replace")
    while i < len(raw):
        byte = raw[i]
        if byte == ord("%"):
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
            continue
        out.append(ord(" ") if byte == ord("+") else byte)
        i += 1
    return out.decode("utf-8", errors="replace")


# --- ParseConfigWithOptions ------------------------------------------------------------------


def _settings_problem(settings: dict[str, str]) -> _Problem | None:
    hosts = settings["host"].split(",") if "host" in settings else [""]
    if "port" in settings:
        ports = settings["port"].split(",")
        used = {0} | set(range(min(len(hosts), len(ports))))
        for index in sorted(used):
            if not _valid_port(ports[index]):
                return _Problem(
                    "has a port that is not a number from 1 to 65535",
                    _PGX + " ('invalid port')",
                    "Write port=5432 (one per host, separated by commas).",
                )
    if "connect_timeout" in settings and not _valid_timeout(settings["connect_timeout"]):
        return _Problem(
            "has a connect_timeout that is not a whole number of seconds of 0 or more",
            _PGX + " ('invalid connect_timeout')",
            "Write connect_timeout=10.",
        )
    attrs = settings.get("target_session_attrs", "any")
    if attrs not in _SESSION_ATTRS:
        return _Problem(
            f"has target_session_attrs {_shown(attrs)}, which is not one of "
            + ", ".join(_SESSION_ATTRS),
            _PGX + " ('unknown target_session_attrs value')",
            "Use one of those values.",
        )
    mode = settings.get("sslmode", "")
    tcp = "host" in settings and any(not _is_socket_path(h) for h in hosts)
    if mode and mode not in _SSL_MODES and tcp and settings.get("sslrootcert") != "system":
        return _Problem(
            f"has sslmode {_shown(mode)}, which is not one of " + ", ".join(_SSL_MODES),
            _PGX + " (configTLS: 'sslmode is invalid')",
            "Use sslmode=verify-full.",
        )
    return None


def _shown(value: str) -> str:
    """A setting's value when it looks like a keyword, else only its length."""
    if 0 < len(value) <= 20 and all(c.isascii() and (c.isalnum() or c == "-") for c in value):
        return f"'{value}'"
    return "empty" if not value else f"of {len(value)} characters"


def _valid_port(text: str) -> bool:
    """pgx parsePort: strconv.ParseUint(s, 10, 16), then 1 to 65535."""
    digits = text.lstrip("0") or ("0" if text else "")
    if not digits or len(digits) > 5 or any(c not in _DIGITS for c in digits):
        return False
    return 1 <= int(digits) <= 65535


def _valid_timeout(text: str) -> bool:
    """parseConnectTimeoutSetting: strconv.ParseInt(s, 10, 64), not negative."""
    signless = text[1:] if text[:1] in ("+", "-") else text
    digits = signless.lstrip("0") or ("0" if signless else "")
    if not digits or len(digits) > 19 or any(c not in _DIGITS for c in digits):
        return False
    value = int(digits)
    return value <= 2**63 - 1 and (text[:1] != "-" or value == 0)


def _is_socket_path(host: str) -> bool:
    """pgconn isAbsolutePath: a Unix socket directory, where TLS settings are ignored."""
    windows = len(host) >= 3 and "A" <= host[0] <= "Z" and host[1:3] == ":\\"
    return host.startswith("/") or windows


RULE = Rule(
    id="dapr-postgres-connection-string",
    category="dapr",
    severity=Severity.ERROR,
    summary="PostgreSQL connection string that daprd cannot build or pgx refuses",
    check=check,
    kinds=frozenset({"Component"}),
)
