"""How daprd and the component code read a metadata value: templated values, the field types
(bool, number, duration, byte size) and the code-level constraints of ``FieldSpec.constraint``."""

from __future__ import annotations

import re

from tools.dapr.cron import cron_schedule_problem
from tools.dapr.durations import parse_go_duration, parse_metadata_duration

_TEMPLATE_MARKERS = ("{uuid}", "{podName}", "{namespace}", "{appID}", "{{")


def is_templated(text: str) -> bool:
    """A value that daprd or a deployment tool rewrites before use: never type-check it.

    ``{uuid}``/``{podName}``/``{namespace}``/``{appID}``, ``{{ … }}`` and ``${ … }``. Plain
    substring searches: a regular expression for ``${…}`` rescans from every ``${``.
    """
    if any(marker in text for marker in _TEMPLATE_MARKERS):
        return True
    start = text.find("${")
    return start != -1 and text.find("}", start + 2) != -1


TRUTHY = frozenset({"y", "yes", "true", "t", "on", "1"})
FALSY = frozenset({"", "n", "no", "false", "f", "off", "0"})

_NUMBER = re.compile(
    r"^[+-]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?0[xX][0-9a-fA-F]+$"
)
_BYTESIZE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[KMGTPE]i|[kMGTPE]|m)?$")


def type_problem(field_type: str, text: str) -> str | None:
    """Why ``text`` does not parse as ``field_type`` the way daprd decodes it, or None."""
    value = text.strip()
    if field_type == "bool":
        if value.lower() in TRUTHY or value.lower() in FALSY:
            return None
        return "is not a boolean; daprd reads anything but y/yes/true/t/on/1 as false"
    if field_type == "number":
        return None if not value or _NUMBER.match(value) else "is not a number"
    if field_type == "duration":
        if parse_metadata_duration(value) is not None:
            return None
        return "is not a duration; use a Go duration such as '30s' or '5m', or whole seconds"
    if field_type == "bytesize":
        if not value or _BYTESIZE.match(value):
            return None
        return "is not a byte size; use a number with an optional suffix such as '4Mi' or '1G'"
    return None


def constraint_problem(constraint: str, text: str) -> str | None:
    """Why ``text`` breaks a code-level constraint of its field, or None."""
    value = text.strip()
    kind, _, argument = constraint.partition(":")
    if kind == "min-duration":
        seconds = parse_metadata_duration(value)
        minimum = parse_go_duration(argument) or 0.0
        if seconds is not None and value and seconds < minimum:
            return f"must be at least {argument}; the component refuses to initialise"
        return None
    if kind == "key-prefix":
        if "||" in value:
            return "must not contain '||' (the separator between prefix and key)"
        return None
    if kind == "cron-schedule":
        problem = cron_schedule_problem(value)
        return None if problem is None else f"is not a cron schedule: {problem}"
    if kind == "binding-direction":
        # daprd splits on commas and matches each trimmed, lower-cased part; empty parts are
        # harmless, an unknown part is silently dropped, and no match loads neither direction.
        parts = [p for p in (p.strip().lower() for p in value.split(",")) if p]
        if parts and all(p in {"input", "output"} for p in parts):
            return None
        return "must be 'input', 'output' or 'input, output'"
    if kind == "topic-scopes":
        for part in value.replace(" ", "").split(";"):
            if part and "=" not in part:
                return f"entry {part!r} has no '='; write 'app1=topic1,topic2;app2=topic3'"
        return None
    raise ValueError(f"unknown constraint {constraint!r}")
