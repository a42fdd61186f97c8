"""The regular expressions the generated schema parts are made of: credentials a literal value
must not carry, the value grammars of Dapr's Go decoding (numbers, durations, byte sizes, cron
schedules) and the small subset of CEL a condition may use.

Patterns are written for three regex engines at once (Go's RE2 in Helm, ECMAScript in editors,
Python's ``re`` in the tests): no look-around, no inline flags, no ``\\s``/``\\d``/``\\b``
(their meaning differs between the engines), only explicit ASCII classes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tools.dapr.component_spec import FieldSpec

# ASCII whitespace, the set Python's \s has under re.ASCII (RE2's \s lacks \v).
_SPACE = "[ \\t\\n\\r\\f\\v]"
_NOT_SPACE = " \\t\\n\\r\\f\\v"

# Literal values that carry a credential: the shapes ``security-secret-in-value`` reports
# (tools/secrets/text.py), written so that the schema refuses at least what the rule reports.
_URL_PASSWORD = f"[A-Za-z][A-Za-z0-9+.-]*://[^{_NOT_SPACE}:/@]*:[^{_NOT_SPACE}@/]+@"
_DSN_PASSWORD = f"^[^{_NOT_SPACE}:/@()]+:[^{_NOT_SPACE}@/]+@"
_PRIVATE_KEY = "-----BEGIN [A-Z0-9 ]*PRIVATE[A-Z0-9 ]*-----"
_SECRET_KEYS = (
    "password",
    "pwd",
    "passwd",
    "accountkey",
    "sharedaccesskey",
    "sharedaccesssignature",
    "secret",
    "token",
    "apikey",
    "api_key",
    "access_key",
    "secret_key",
)


def caseless(word: str) -> str:
    """``word`` matched in any letter case, without an inline (?i) flag."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


_KEY_VALUE_SECRET = (
    "(^|[^0-9A-Za-z_])("
    + "|".join(caseless(k) for k in _SECRET_KEYS)
    + f"){_SPACE}*={_SPACE}*[^{_NOT_SPACE};&,]"
)
# Tokens with a documented shape (tools/secrets/token_formats.py): the prefix and the shortest body
# the rule reports, without its boundary checks, so the schema refuses at least as much.
_B64URL = "[0-9A-Za-z_-]"
_KNOWN_TOKENS = (
    "(AKIA|ASIA)[0-9A-Z]{16}",
    "gh[pousr]_[0-9A-Za-z]{36}",
    "github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59}",
    "xox[abpr]-[0-9A-Za-z-]{10}",
    f"AIza{_B64URL}{{35}}",
    "sk_live_[0-9A-Za-z]{24}",
    f"eyJ{_B64URL}{{7,}}\\.{_B64URL}{{10,}}\\.{_B64URL}{{16}}",
)
CREDENTIAL_PATTERN = "|".join(
    f"({p})"
    for p in (_URL_PASSWORD, _DSN_PASSWORD, _PRIVATE_KEY, _KEY_VALUE_SECRET, *_KNOWN_TOKENS)
)

# -- value grammars, mirroring tools.dapr.metadata_values.type_problem / constraint_problem -------

# Digit counts are bounded everywhere: Dapr reads these numbers into 64-bit integers, and an
# unbounded run of digits would only move the failure from the schema to the cluster.
# A whole Go duration that fits time.Duration (int64 nanoseconds): each term is kept under 1e18
# ns by its digit count (99999h, 9999999m, 999999999s, 12 digits of ms, 15 of us, 18 of ns) and
# at most nine terms are allowed, so no sum reaches 2^63 ns (about 9.22e18). Go refuses larger
# totals, and a schema that let them through would only move the failure to the cluster.
_UNIT_DIGITS = (("h", 5), ("m", 7), ("s", 9), ("ms", 12), ("us", 15), ("ns", 18))
_GO_DURATION_BOUNDED_TERM = "|".join(
    f"[0-9]{{1,{digits}}}(\\.[0-9]{{1,9}})?{unit}" for unit, digits in _UNIT_DIGITS
)
GO_DURATION_BOUNDED = f"({_GO_DURATION_BOUNDED_TERM}){{1,9}}"
# A term of at least one whole second (1s, 2m, 1.5h): its unit is s, m or h and its integer
# part is not zero; the [0-9]|$ after the unit keeps "ms" from reading as "m".
_WHOLE_SECOND_TERM = "(^|[^0-9.])0*[1-9][0-9]*(\\.[0-9]+)?(h|m|s)([0-9]|$)"
_NUMBER = (
    "^[+-]?([0-9][0-9_]{0,17}(\\.[0-9]{0,17})?|\\.[0-9]{1,17})([eE][+-]?[0-9]{1,3})?$"
    "|^[+-]?0[xX][0-9a-fA-F]{1,16}$"
)
_BYTESIZE = (
    "^[+-]?([0-9]{1,18}(\\.[0-9]{0,17})?|\\.[0-9]{1,17})"
    "([eE][+-]?[0-9]{1,3}|[KMGTPE]i|[kMGTPE]|m)?$"
)


def _positive_duration() -> str:
    """A Go duration above zero that fits int64 nanoseconds: optional zero terms, one positive
    term, then at most eight more terms, each bounded as in GO_DURATION_BOUNDED.

    Go keeps only whole nanoseconds of a fraction (0.1ns is zero), so a fraction-only term is
    positive when a non-zero digit reaches the nanosecond: within 9 places for s/m/h, 6 for
    ms, 3 for us, none for ns.
    """
    zero = "0{1,12}(\\.0{1,9})?(ns|us|ms|s|m|h)"
    whole = "|".join(
        f"0{{0,12}}[1-9][0-9]{{0,{digits - 1}}}(\\.[0-9]{{1,9}})?{unit}"
        for unit, digits in _UNIT_DIGITS
    )
    fraction = (
        "0{0,12}\\.([0-9]{0,8}[1-9][0-9]{0,8}(h|m|s)"
        "|[0-9]{0,5}[1-9][0-9]{0,8}ms|[0-9]{0,2}[1-9][0-9]{0,8}us)"
    )
    return f"({zero}){{0,8}}({whole}|{fraction})({_GO_DURATION_BOUNDED_TERM}){{0,8}}"


POSITIVE_DURATION = _positive_duration()

_DESCRIPTORS = ("yearly", "annually", "monthly", "weekly", "daily", "midnight", "hourly")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _names(words: Iterable[str]) -> list[str]:
    return [form for w in words for form in (w, w.upper(), w.title())]


def _cron_field(value: str) -> str:
    """One cron field: a list of *, ?, values or ranges, each with an optional /step."""
    part = f"(\\*|\\?|{value}(-{value})?)(/0{{0,3}}[1-9][0-9]{{0,3}})?"
    return f"{part}(,{part})*"


def cron_pattern() -> str:
    """``bindings.cron`` schedules: 5 or 6 fields (seconds first), ``@every``, descriptors.

    A ``CRON_TZ=<zone>`` prefix is left out: Dapr refuses a zone its image does not know, and a
    pattern cannot tell which zones those are, so schedules are written in the sidecar's zone.

    Field ranges are checked value by value (minute 0-59, month 1-12 or JAN-DEC...); that a
    range does not run backwards (``5-3``) is beyond a regular expression and is checked by the
    chart template.
    """
    second = "([0-5]?[0-9])"
    hour = "([01]?[0-9]|2[0-3])"
    day = "(0?[1-9]|[12][0-9]|3[01])"
    month = "(0?[1-9]|1[0-2]|" + "|".join(_names(MONTHS)) + ")"
    weekday = "(0?[0-6]|" + "|".join(_names(DAYS)) + ")"
    five = " ".join(_cron_field(v) for v in (second, hour, day, month, weekday))
    six = f"{_cron_field(second)} {five}"
    schedule = f"@({'|'.join(_DESCRIPTORS)})|@every {POSITIVE_DURATION}|{six}|{five}"
    return f"^({schedule})$"


# Decimal digits that always fit a Go integer of each size (a subset of what it parses).
_INT_DIGITS = {"8": 2, "16": 4, "32": 9, "64": 18, "": 18}
# A duration that cannot overflow time.Duration, or a bare number of seconds (or milliseconds)
# that cannot overflow it when multiplied into nanoseconds.
_SAFE_DURATION = f"^({GO_DURATION_BOUNDED}|[0-9]{{1,9}})$"


def _decode_grammar(decode: str) -> dict[str, Any]:
    """A pattern accepting only values the Go decoding (tools.dapr.godecode) reads as written."""
    how, _, go_type = decode.partition(":")
    if go_type == "bool":
        return {"enum": ["true", "false"]}
    if go_type == "duration" or how == "millis":
        return {"pattern": _SAFE_DURATION}
    if how == "config" and go_type.startswith("int"):
        return {"pattern": "^[+-]?[0-9]{1,18}$"}
    if go_type.startswith("float"):
        return {"pattern": "^[+-]?[0-9]{1,15}(\\.[0-9]{1,15})?$"}
    unsigned = go_type.startswith("uint")
    digits = _INT_DIGITS[go_type.removeprefix("u").removeprefix("int")]
    sign = "" if unsigned else "[+-]?"
    # No leading zero: with base 0, Go reads "010" as octal and refuses "08".
    return {"pattern": f"^{sign}(0|[1-9][0-9]{{0,{digits - 1}}})$"}


def value_grammar(field: FieldSpec) -> dict[str, Any] | None:
    """What a literal value of ``field`` must look like; None when any string goes.

    Raises ValueError for a code-level constraint no regular expression here can express, so
    that a new constraint in the catalog is a decision, not a silent gap.
    """
    parts: list[dict[str, Any]] = []
    if field.allowed is not None:
        parts.append({"enum": list(dict.fromkeys(field.allowed))})
    elif field.decode is not None:
        parts.append(_decode_grammar(field.decode))
    elif field.type == "bool":
        parts.append({"enum": ["true", "false"]})
    elif field.type == "number":
        parts.append({"pattern": _NUMBER})
    elif field.type == "bytesize":
        parts.append({"pattern": _BYTESIZE})
    elif field.type == "duration":
        parts.append({"pattern": _SAFE_DURATION})
    if field.constraint:
        parts.append(_constraint(field.constraint))
    if not parts:
        return None
    if any("pattern" in part for part in parts):
        # Python's $ also matches before a final newline, Go's and JavaScript's do not: refusing
        # newlines keeps "20s\n" out of the schema in all three.
        parts.append({"not": {"pattern": "\n"}})
    if len(parts) == 1:
        return parts[0]
    return {"allOf": parts}


def _constraint(constraint: str) -> dict[str, Any]:
    kind, _, argument = constraint.partition(":")
    if kind == "min-duration" and argument == "1s":
        return {"pattern": f"{_WHOLE_SECOND_TERM}|^0*[1-9][0-9]*$"}
    if kind == "key-prefix":
        return {"not": {"pattern": "\\|\\|"}}
    if kind == "cron-schedule":
        return {"pattern": cron_pattern()}
    raise ValueError(f"no schema pattern for the constraint {constraint!r}")


# CEL words that cannot follow a "." as a field name (cel-spec's reserved identifiers).
CEL_RESERVED = (
    "as",
    "break",
    "const",
    "continue",
    "else",
    "false",
    "for",
    "function",
    "if",
    "import",
    "in",
    "let",
    "loop",
    "namespace",
    "null",
    "package",
    "return",
    "true",
    "var",
    "void",
    "while",
)
_CEL_COMPARISON = "(==|!=|<=|>=|<|>)"
_CEL_JOIN = "( {0,2}(&&|[|][|]) {0,2})"


def cel_conditions(operand: str, literal: str) -> str:
    """One to four ``<operand> <comparison> <literal>`` joined by && or ||: a regular subset
    of CEL that always compiles to a boolean, whatever the operand's (dynamic) value is."""
    comparison = f"{operand} {{0,2}}{_CEL_COMPARISON} {{0,2}}{literal}"
    return f"^{comparison}({_CEL_JOIN}{comparison}){{0,3}}$"
