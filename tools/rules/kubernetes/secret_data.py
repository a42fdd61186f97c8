"""A `v1` Secret whose data the API server refuses:

- a key of `data` or `stringData` that is not a config key: 1–253 characters of `a-z`, `A-Z`,
  `0-9`, `-`, `_`, `.`, and not `.`, `..` or starting with `..`;
- a `data` value that is not base64 (standard alphabet, with padding; line breaks are
  ignored, as Go's decoder ignores them);
- decoded values adding up to more than 1 MiB (1,048,576 bytes). `stringData` is merged into
  `data` before this check, a `stringData` value replacing the `data` value of the same key.

Values are never shown: messages say `<secret contents redacted>`, as the API server does.

## Why

The schema says `data` is a map of strings; key formats and the size limit are Go validation,
and the base64 check happens when the API server decodes the request.

## What happens in the cluster

The apply fails: `data[a/b]: Invalid value: "a/b": a valid config key must consist of …`,
`data: Too long: must have at most 1048576 bytes`, or, for bad base64, `Secret in version "v1"
cannot be handled as a Secret: illegal base64 data at input byte …`.

## How to fix

Rename keys to the allowed characters (file names such as `tls.crt` and `.env` are fine);
encode values with `base64 -w0` or put plain text under `stringData`; split data over 1 MiB
into several Secrets or mount it from elsewhere.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`, `ValidateSecret`; `IsConfigMapKey` in
k8s.io/apimachinery v0.34 `pkg/util/validation/validation.go`; `MaxSecretSize` in k8s.io/api
`core/v1/types.go`; the base64 decoding of `[]byte` fields is Go's `encoding/json` with
`base64.StdEncoding`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import config_map_key_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._data import MAX_SIZE, REDACTED, decode_base64, is_core


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
    kinds=frozenset({"Secret"}),
)
