"""Name and key formats the Kubernetes API server checks (k8s.io/apimachinery v0.34,
``pkg/util/validation/validation.go``).

Each ``*_errors`` function returns the problems with a value as messages in the API server's
wording; an empty sequence means the value is valid. Lengths are checked before anything else
and every check is a single pass over the characters (no regular expressions), so the cost
stays linear however long or hostile the value is.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

DNS1123_LABEL_MAX: Final = 63
DNS1123_SUBDOMAIN_MAX: Final = 253
DNS1035_LABEL_MAX: Final = 63
QUALIFIED_NAME_MAX: Final = 63
LABEL_VALUE_MAX: Final = 63
CONFIG_MAP_KEY_MAX: Final = 253

_LOWER: Final = frozenset("abcdefghijklmnopqrstuvwxyz")
_LOWER_ALNUM: Final = _LOWER | frozenset("0123456789")
_ALNUM: Final = _LOWER_ALNUM | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LABEL_CHARS: Final = _LOWER_ALNUM | {"-"}
_QUALIFIED_CHARS: Final = _ALNUM | {"-", "_", "."}
_CONFIG_KEY_CHARS: Final = _ALNUM | {"-", "_", "."}

_DNS1123_LABEL_FMT: Final = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT: Final = rf"{_DNS1123_LABEL_FMT}(\.{_DNS1123_LABEL_FMT})*"
_DNS1035_LABEL_FMT: Final = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_FMT: Final = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_CONFIG_KEY_FMT: Final = "[-._a-zA-Z0-9]+"

# Label keys and values, annotation keys and finalizers repeat across the resources of a
# stream: their checks are cached per string (up to a length any valid one stays under), and
# return tuples so that no caller can change what the next one gets.
_CACHED_STRINGS: Final = 4096
_CACHED_LENGTH: Final = 512


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """The API server's wording for a value that does not match a format."""
    shown = " or ".join(f"'{e}'" for e in examples)
    return f"{message} (e.g. {shown}, regex used for validation is '{fmt}')"


def _is_label(value: str) -> bool:
    """``[a-z0-9]([-a-z0-9]*[a-z0-9])?``, checked without a regex."""
    return (
        bool(value)
        and value[0] in _LOWER_ALNUM
        and value[-1] in _LOWER_ALNUM
        and _LABEL_CHARS.issuperset(value)
    )


def _is_subdomain(value: str) -> bool:
    return all(_is_label(part) for part in value.split("."))


def _is_qualified_part(value: str) -> bool:
    """``([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]``."""
    return (
        bool(value)
        and value[0] in _ALNUM
        and value[-1] in _ALNUM
        and _QUALIFIED_CHARS.issuperset(value)
    )


def dns1123_label_errors(value: str) -> list[str]:
    """``IsDNS1123Label``: at most 63 characters, lowercase alphanumerics and '-'."""
    errors = []
    if len(value) > DNS1123_LABEL_MAX:
        errors.append(max_len_error(DNS1123_LABEL_MAX))
    if not _is_label(value):
        if _is_subdomain(value):
            errors.append("must not contain dots")
        else:
            errors.append(
                regex_error(
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                    "characters or '-', and must start and end with an alphanumeric character",
                    _DNS1123_LABEL_FMT,
                    "my-name",
                    "123-abc",
                )
            )
    return errors


def dns1123_subdomain_errors(value: str) -> list[str]:
    """``IsDNS1123Subdomain``: at most 253 characters, dot-separated RFC 1123 labels."""
    errors = []
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        errors.append(max_len_error(DNS1123_SUBDOMAIN_MAX))
    if not _is_subdomain(value):
        errors.append(
            regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
                "characters, '-' or '.', and must start and end with an alphanumeric character",
                _DNS1123_SUBDOMAIN_FMT,
                "example.com",
            )
        )
    return errors


def qualified_name_errors(value: str) -> tuple[str, ...]:
    """``IsQualifiedName``: ``[prefix/]name``, a DNS subdomain prefix and a 63-character name."""
    if len(value) > _CACHED_LENGTH:
        return _qualified_name_errors(value)
    return _cached_qualified_name_errors(value)


def _qualified_name_errors(value: str) -> tuple[str, ...]:
    parts = value.split("/", 2)
    if len(parts) > 2:
        return (
            "a qualified name "
            + regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                "end with an alphanumeric character",
                _QUALIFIED_FMT,
                "MyName",
                "my.name",
                "123-abc",
            )
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        )
    errors = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + m for m in dns1123_subdomain_errors(prefix))
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > QUALIFIED_NAME_MAX:
        errors.append("name part " + max_len_error(QUALIFIED_NAME_MAX))
    if not _is_qualified_part(name):
        errors.append(
            "name part "
            + regex_error(
                "must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                "end with an alphanumeric character",
                _QUALIFIED_FMT,
                "MyName",
                "my.name",
                "123-abc",
            )
        )
    return tuple(errors)


_cached_qualified_name_errors = lru_cache(maxsize=_CACHED_STRINGS)(_qualified_name_errors)


def label_value_errors(value: str) -> tuple[str, ...]:
    """``IsValidLabelValue``: empty, or at most 63 characters shaped like a qualified name."""
    if len(value) > _CACHED_LENGTH:
        return _label_value_errors(value)
    return _cached_label_value_errors(value)


def _label_value_errors(value: str) -> tuple[str, ...]:
    errors = []
    if len(value) > LABEL_VALUE_MAX:
        errors.append(max_len_error(LABEL_VALUE_MAX))
    if value and not _is_qualified_part(value):
        errors.append(
            regex_error(
                "a valid label must be an empty string or consist of alphanumeric characters, "
                "'-', '_' or '.', and must start and end with an alphanumeric character",
                f"({_QUALIFIED_FMT})?",
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return tuple(errors)


_cached_label_value_errors = lru_cache(maxsize=_CACHED_STRINGS)(_label_value_errors)


def _chdir_prefix_errors(value: str) -> list[str]:
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


def config_map_key_errors(value: str) -> list[str]:
    """``IsConfigMapKey``: Secret and ConfigMap keys (at most 253 of ``[-._a-zA-Z0-9]``)."""
    errors = []
    if len(value) > CONFIG_MAP_KEY_MAX:
        errors.append(max_len_error(CONFIG_MAP_KEY_MAX))
    if not value or not _CONFIG_KEY_CHARS.issuperset(value):
        errors.append(
            regex_error(
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                _CONFIG_KEY_FMT,
                "key.name",
                "KEY_NAME",
                "key-name",
            )
        )
    errors.extend(_chdir_prefix_errors(value))
    return errors


def name_is_dns_subdomain_errors(value: str, prefix: bool = False) -> list[str]:
    """``NameIsDNSSubdomain``: an object name; with ``prefix`` a trailing '-' is allowed
    (the name is a generateName-style prefix). Like Go's ``maskTrailingDash``, the last two
    characters are replaced by one 'a' before the check."""
    if prefix and len(value) > 1 and value.endswith("-"):
        value = value[:-2] + "a"
    return dns1123_subdomain_errors(value)


def relaxed_env_var_name_errors(value: str) -> list[str]:
    """``IsRelaxedEnvVarName`` (Kubernetes 1.34 default): printable ASCII other than '='."""
    errors = []
    if not value:
        errors.append("environment variable name must be non-empty")
    if any(not (" " <= c <= "~") or c == "=" for c in value):
        errors.append(
            "a valid environment variable name must consist only of printable ASCII "
            "characters other than '='"
        )
    return errors


def dns1035_label_errors(value: str) -> list[str]:
    """``IsDNS1035Label``: an RFC 1123 label that starts with a letter (Service names)."""
    errors = []
    if len(value) > DNS1035_LABEL_MAX:
        errors.append(max_len_error(DNS1035_LABEL_MAX))
    if not (_is_label(value) and value[0] in _LOWER):
        errors.append(
            regex_error(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                "start with an alphabetic character, and end with an alphanumeric character",
                _DNS1035_LABEL_FMT,
                "my-name",
                "abc-123",
            )
        )
    return errors


def path_segment_name_errors(value: str) -> list[str]:
    """``IsValidPathSegmentName``: not '.' or '..', and no '/' or '%' (RBAC names)."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


def mask_trailing_dash(value: str) -> str:
    """``maskTrailingDash``: a generateName may end in '-' (a suffix is appended to it).

    Like the Go code, the last two characters are replaced by one letter, so the masked value
    is one character shorter.
    """
    if len(value) > 1 and value.endswith("-"):
        return value[:-2] + "a"
    return value


def shown(value: str, limit: int = 80) -> str:
    """A value quoted for a message, or only its length when it is too long to show."""
    if len(value) > limit:
        return f"({len(value)} characters)"
    return repr(value) if not value.isprintable() else f'"{value}"'
