"""A `v1` ConfigMap the API server refuses:

- a key of `data` or `binaryData` that is not a config key (1–253 characters of `a-z`, `A-Z`,
  `0-9`, `-`, `_`, `.`; not `.`, `..` or starting with `..`);
- a key present in both `data` and `binaryData`;
- a `binaryData` value that is not base64;
- `data` values (in UTF-8 bytes) and decoded `binaryData` values adding up to more than 1 MiB.

## Why

The schema only gives the types; keys, overlap and size are Go validation.

## What happens in the cluster

The apply fails, e.g. `data[k]: Invalid value: "k": duplicate of key present in binaryData` or
`Too long: must have at most 1048576 bytes`.

## How to fix

Rename keys, keep each key in one of the two maps, and keep the ConfigMap under 1 MiB (split
it, or ship large files another way).

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`, `ValidateConfigMap` (the limit is
`MaxSecretSize`); `IsConfigMapKey` in k8s.io/apimachinery v0.34
`pkg/util/validation/validation.go`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import config_map_key_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._data import MAX_SIZE, decode_base64


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.kind != "ConfigMap" or resource.api_version != "v1":
        return
    data = f.as_dict(resource.doc.get("data"))
    binary = f.as_dict(resource.doc.get("binaryData"))
    total = 0
    for key, value in data.items():
        for message in config_map_key_errors(str(key)):
            yield RULE.finding(
                resource, f.invalid(("data", f.Key(key)), key, message), ("data", key)
            )
        if key in binary:
            yield RULE.finding(
                resource,
                f.invalid(("data", f.Key(key)), key, "duplicate of key present in binaryData"),
                ("data", key),
            )
        if isinstance(value, str):
            total += len(value.encode("utf-8", "surrogatepass"))
    for key, value in binary.items():
        for message in config_map_key_errors(str(key)):
            where = ("binaryData", f.Key(key))
            yield RULE.finding(resource, f.invalid(where, key, message), where)
        if isinstance(value, str):
            decoded = decode_base64(value)
            if decoded is None:
                where = ("binaryData", f.Key(key))
                yield RULE.finding(
                    resource,
                    f.invalid(
                        where,
                        value,
                        "is not valid base64: the API server cannot decode "
                        "the ConfigMap (illegal base64 data)",
                    ),
                    where,
                )
            else:
                total += len(decoded)
    if total > MAX_SIZE:
        yield RULE.finding(resource, f.too_long((), MAX_SIZE))


RULE = Rule(
    id="kubernetes-configmap",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="ConfigMap: valid keys, no key in both data and binaryData, at most 1 MiB",
    check=check,
    kinds=frozenset({"ConfigMap"}),
)
