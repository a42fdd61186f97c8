"""The API server's name formats: RFC 1123 labels and subdomains, qualified names, label values.

These mirror the checks in k8s.io/apimachinery ``pkg/util/validation/validation.go``
(``IsDNS1123Label``, ``IsDNS1123Subdomain``, ``IsDNS1035Label``, ``IsQualifiedName``,
``IsValidLabelValue``) and ``pkg/api/validation/path`` (``IsValidPathSegmentName``). Each
function returns the problems it finds, phrased close to the API server's own messages; an empty
list means the value is valid.

No regular expression runs here: each format is checked character by character, so the cost is
linear in the length of the value whatever it holds.
"""

from __future__ import annotations

DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN_MAX = 253
DNS1035_LABEL_MAX = 63
QUALIFIED_NAME_MAX = 63
LABEL_VALUE_MAX = 63

_DIGITS = frozenset("0123456789")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")
_UPPER = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LOWER_ALNUM = _LOWER | _DIGITS
_LABEL_CHARS = _LOWER_ALNUM | {"-"}
_ALNUM = _LOWER | _UPPER | _DIGITS
_QUALIFIED_CHARS = _ALNUM | {"-", "_", "."}

LABEL_FORMAT = (
    "a lowercase RFC 1123 label: only lower-case letters, digits and '-', starting and ending "
    "with a letter or digit (e.g. 'my-name' or '123-abc')"
)
SUBDOMAIN_FORMAT = (
    "a lowercase RFC 1123 subdomain: only lower-case letters, digits, '-' and '.', starting and "
    "ending with a letter or digit (e.g. 'example.com')"
)
DNS1035_FORMAT = (
    "a DNS-1035 label: only lower-case letters, digits and '-', starting with a letter and "
    "ending with a letter or digit (e.g. 'my-name' or 'abc-123')"
)
QUALIFIED_FORMAT = (
    "only letters, digits, '-', '_' and '.', starting and ending with a letter or digit "
    "(e.g. 'MyName', 'my.name' or '123-abc')"
)


def _too_long(limit: int) -> str:
    return f"must be no more than {limit} characters"


def _is_label(value: str) -> bool:
    return (
        bool(value)
        and value[0] in _LOWER_ALNUM
        and value[-1] in _LOWER_ALNUM
        and all(c in _LABEL_CHARS for c in value)
    )


def _is_subdomain(value: str) -> bool:
    return all(_is_label(part) for part in value.split("."))


def _is_qualified_part(value: str) -> bool:
    return (
        bool(value)
        and value[0] in _ALNUM
        and value[-1] in _ALNUM
        and all(c in _QUALIFIED_CHARS for c in value)
    )


def dns1123_label_errors(value: str) -> list[str]:
    """``IsDNS1123Label``: at most 63 characters of [a-z0-9-], alphanumeric at both ends."""
    errors = []
    if len(value) > DNS1123_LABEL_MAX:
        errors.append(_too_long(DNS1123_LABEL_MAX))
    if not _is_label(value):
        if "." in value and _is_subdomain(value):
            errors.append("must not contain dots")
        else:
            errors.append(f"must be {LABEL_FORMAT}")
    return errors


def dns1123_subdomain_errors(value: str) -> list[str]:
    """``IsDNS1123Subdomain``: at most 253 characters; dot-separated RFC 1123 labels."""
    errors = []
    if len(value) > DNS1123_SUBDOMAIN_MAX:
        errors.append(_too_long(DNS1123_SUBDOMAIN_MAX))
    if not _is_subdomain(value):
        errors.append(f"must be {SUBDOMAIN_FORMAT}")
    return errors


def dns1035_label_errors(value: str) -> list[str]:
    """``IsDNS1035Label``: an RFC 1123 label that starts with a letter."""
    errors = []
    if len(value) > DNS1035_LABEL_MAX:
        errors.append(_too_long(DNS1035_LABEL_MAX))
    if not (_is_label(value) and value[0] in _LOWER):
        errors.append(f"must be {DNS1035_FORMAT}")
    return errors


def qualified_name_errors(value: str) -> list[str]:
    """``IsQualifiedName``: ``[prefix/]name``; prefix a DNS subdomain, name ≤ 63 characters."""
    parts = value.split("/")
    if len(parts) > 2:
        return [
            f"must be a qualified name: {QUALIFIED_FORMAT}, with an optional DNS subdomain "
            "prefix and '/' (e.g. 'example.com/MyName'); it has more than one '/'"
        ]
    errors = []
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend(f"prefix part {msg}" for msg in dns1123_subdomain_errors(prefix))
    if not name:
        errors.append("name part must be non-empty")
        return errors
    if len(name) > QUALIFIED_NAME_MAX:
        errors.append(f"name part {_too_long(QUALIFIED_NAME_MAX)}")
    if not _is_qualified_part(name):
        errors.append(f"name part must have {QUALIFIED_FORMAT}")
    return errors


def label_value_errors(value: str) -> list[str]:
    """``IsValidLabelValue``: empty, or at most 63 characters in the qualified-name format."""
    errors = []
    if len(value) > LABEL_VALUE_MAX:
        errors.append(_too_long(LABEL_VALUE_MAX))
    if value and not _is_qualified_part(value):
        errors.append(f"must be empty or have {QUALIFIED_FORMAT}")
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
