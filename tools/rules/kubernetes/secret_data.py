"""kubernetes-secret-data: Secret keys, base64 values and the 1 MiB total (ValidateSecret)."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.kubernetes.names import config_map_key_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._data import MAX_SIZE, decode_base64

REDACTED = "<secret contents redacted>"


def is_core(resource: Resource, kind: str) -> bool:
    return resource.kind == kind and resource.api_version == "v1"


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not is_core(resource, "Secret"):
        return
    data = f.as_dict(resource.doc.get("data"))
    strings = f.as_dict(resource.doc.get("stringData"))
    sizes: dict[str, int] = {}
    for key, value in data.items():
        if not isinstance(value, str):
            continue  # null is an empty value; other types are schema errors
        decoded = decode_base64(value)
        if decoded is None:
            yield RULE.finding(
                resource,
                f.invalid(
                    ("data", f.Key(key)),
                    REDACTED,
                    "is not valid base64: the API server cannot "
                    "decode the Secret (illegal base64 data)",
                ),
                ("data", key),
            )
            continue
        sizes[key] = len(decoded)
    # stringData is merged into data (overriding equal keys) before validation.
    for key, value in strings.items():
        if isinstance(value, str):
            sizes[key] = len(value.encode("utf-8", "surrogatepass"))
    for section, block in (("data", data), ("stringData", strings)):
        for key in block:
            if section == "data" and key in strings:
                continue
            for message in config_map_key_errors(str(key)):
                yield RULE.finding(
                    resource, f.invalid(("data", f.Key(key)), key, message), (section, key)
                )
    if sum(sizes.values()) > MAX_SIZE:
        yield RULE.finding(resource, f.too_long(("data",), MAX_SIZE), ("data",))


RULE = Rule(
    id="kubernetes-secret-data",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="Secret data: valid keys, valid base64, at most 1 MiB in total",
    check=check,
    explanation=(
        "Mirrors ValidateSecret: each key of data and stringData is a config key "
        "([-._a-zA-Z0-9]+, at most 253, not '.', '..' or '..'-prefixed), data values decode as "
        "base64, and the decoded values add up to at most 1 MiB."
    ),
    kinds=frozenset({"Secret"}),
)
