"""A `v1` Secret of a built-in type without what that type requires (data and stringData taken
together):

| `type` | required |
|---|---|
| `kubernetes.io/service-account-token` | annotation `kubernetes.io/service-account.name`, set |
| `kubernetes.io/dockercfg` | key `.dockercfg` holding a JSON object |
| `kubernetes.io/dockerconfigjson` | key `.dockerconfigjson` holding a JSON object |
| `kubernetes.io/basic-auth` | key `username` or `password` (either may be empty) |
| `kubernetes.io/ssh-auth` | key `ssh-privatekey`, non-empty |
| `kubernetes.io/tls` | keys `tls.crt` and `tls.key` |

`Opaque`, an omitted type and any other type (`bootstrap.kubernetes.io/token`, custom types)
have no requirements in `ValidateSecret`.

## Why

The schema says `type` is a string; what each type needs is Go validation.

## What happens in the cluster

The apply fails, e.g. `data[tls.key]: Required value`, or for malformed registry credentials
`data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": …`.

## How to fix

Provide the keys in the table (for registry credentials, `kubectl create secret
docker-registry` writes a valid `.dockerconfigjson`), or use type `Opaque` for other data.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`, `ValidateSecret` (the `switch
secret.Type`); key and type names from `pkg/apis/core/types.go`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes._data import REDACTED, decode_base64, is_core

SERVICE_ACCOUNT_NAME = "kubernetes.io/service-account.name"
_JSON_KEYS = {
    "kubernetes.io/dockercfg": ".dockercfg",
    "kubernetes.io/dockerconfigjson": ".dockerconfigjson",
}


def merged_data(resource: Resource) -> dict[str, bytes]:
    """data (decoded) with stringData laid over it, as the API server validates it."""
    out: dict[str, bytes] = {}
    for key, value in f.as_dict(resource.doc.get("data")).items():
        if value is None:
            out[str(key)] = b""
        elif isinstance(value, str):
            decoded = decode_base64(value)
            out[str(key)] = decoded if decoded is not None else b""
    for key, value in f.as_dict(resource.doc.get("stringData")).items():
        if isinstance(value, str):
            out[str(key)] = value.encode("utf-8", "surrogatepass")
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


def _json_object_error(raw: bytes) -> str | None:
    """Why Go's json.Unmarshal into a map would fail, or None."""
    try:
        value = json.loads(raw.decode("utf-8", "replace"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        return "is not a JSON object (" + str(exc).split(":")[0] + ")"
    if not isinstance(value, dict):
        return "is not a JSON object"
    return None


def _location(resource: Resource, key: str) -> tuple[str, str]:
    return (
        ("stringData", key) if key in f.as_dict(resource.doc.get("stringData")) else ("data", key)
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not is_core(resource, "Secret"):
        return
    kind = resource.doc.get("type")
    if not isinstance(kind, str) or kind in ("", "Opaque"):
        return
    data = merged_data(resource)
    if kind == "kubernetes.io/service-account-token":
        name = f.as_dict(resource.metadata.get("annotations")).get(SERVICE_ACCOUNT_NAME)
        if not isinstance(name, str) or not name:
            path = ("metadata", "annotations", f.Key(SERVICE_ACCOUNT_NAME))
            yield RULE.finding(resource, f.required(path), ("metadata",))
    elif kind in _JSON_KEYS:
        key = _JSON_KEYS[kind]
        if key not in data:
            yield RULE.finding(resource, f.required(("data", f.Key(key))), ("type",))
        else:
            problem = _json_object_error(data[key])
            if problem:
                where = _location(resource, key)
                yield RULE.finding(
                    resource, f.invalid(("data", f.Key(key)), REDACTED, problem), where
                )
    elif kind == "kubernetes.io/basic-auth":
        if "username" not in data and "password" not in data:
            for key in ("username", "password"):
                yield RULE.finding(resource, f.required(("data", f.Key(key))), ("type",))
    elif kind == "kubernetes.io/ssh-auth":
        if not data.get("ssh-privatekey"):
            yield RULE.finding(resource, f.required(("data", f.Key("ssh-privatekey"))), ("type",))
    elif kind == "kubernetes.io/tls":
        for key in ("tls.crt", "tls.key"):
            if key not in data:
                yield RULE.finding(resource, f.required(("data", f.Key(key))), ("type",))


RULE = Rule(
    id="kubernetes-secret-type",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="built-in Secret types carry the keys their type requires",
    check=check,
    kinds=frozenset({"Secret"}),
)
