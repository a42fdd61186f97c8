"""A pod (or workload template) annotated for the Dapr sidecar makes daprd's API listen on an
address other pods can reach, through `dapr.io/sidecar-listen-addresses` (`0.0.0.0`, `[::]`,
an empty entry, a pod or node IP, a host name other than `localhost`), and:

- no API token: no `dapr.io/api-token-secret`, and no `DAPR_API_TOKEN` in `dapr.io/env` or
  `dapr.io/env-from-secret` (error);
- `dapr.io/enable-profiling` is on: the profiling server listens on the same addresses and never
  asks for a token (warning).

With the default listen addresses (`[::1],127.0.0.1`), or with `dapr.io/unix-domain-socket-path`
(the API then listens on a socket, not TCP), only the pod's own containers reach the API, so
nothing is reported.

## Why

The injector's `SidecarConfig` (`pkg/injector/patcher/sidecar.go`, dapr/dapr 1.16 to 1.18)
defaults `dapr.io/sidecar-listen-addresses` to `[::1],127.0.0.1` and `getSidecarContainer`
(`sidecar_container.go`) passes it to daprd as `--dapr-listen-addresses`. For
`dapr.io/api-token-secret` it adds the env var `DAPR_API_TOKEN` from key `token` of that
Secret. daprd splits the flag on commas (`toInternal` in `pkg/runtime/config.go`) and binds
the HTTP API (3500, `pkg/api/http/server.go`), the gRPC API (50001, `pkg/api/grpc/server.go`)
and, with profiling on, the pprof server (7777) to each `address:port`; an empty entry binds
every interface. Authentication exists only when `security.GetAPIToken` finds `DAPR_API_TOKEN`:
then `APITokenAuthMiddleware` (`pkg/api/http/middlewares.go`) and the gRPC interceptors refuse
calls without the `dapr-api-token` header, except `GET /v1.0/healthz`. The pprof server uses
Go's default mux, with no middleware at all.

From 1.17.3 on (and in every 1.18) the injector patches a pod only when `dapr.io/enabled`
equals `true` in any case (`podHasDaprEnabled` in `pkg/injector/service/handler.go`); 1.16 takes
any value dapr/kit's `IsTruthy` accepts (`yes`, `on`, `1`...). With `--dapr-version 1.17` the
rule judges the newest 1.17 patch.

## What happens at runtime

Without a token, any pod that can reach the pod's IP uses the app's sidecar as its own. It can
read every secret the app may read, get and write its state, publish to its topics, trigger
its output bindings, and invoke other apps. Those calls carry this app's identity, so their
access control policies admit them. The Secret behind `dapr.io/api-token-secret` closes the
API. A NetworkPolicy narrows who can connect, but is not enforced on every cluster (on OKE,
only with Calico). A reachable profiling port lets anyone fetch goroutine dumps and profiles
of daprd, and start CPU profiles that load it.

`dapr.io/app-token-secret` is not required here: it lets the app check that calls come from
daprd, and the app's own port is the app's business, not daprd's.

## How to fix

Keep the default listen addresses. The app reaches its sidecar on `localhost` anyway. If other
containers must call the API over the pod network, require a token and turn profiling off:

```yaml
metadata:
  annotations:
    dapr.io/enabled: "true"
    dapr.io/sidecar-listen-addresses: "0.0.0.0"
    dapr.io/api-token-secret: todo-dapr-api-token   # a Secret with the key `token`
```
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.releases import key
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._go import trim_space
from tools.rules.kubernetes._pods import KINDS
from tools.rules.security._dapr_sidecar import dapr_env_pairs
from tools.rules.security._pod_security import PodView, pod_view

ENABLED = "dapr.io/enabled"
LISTEN = "dapr.io/sidecar-listen-addresses"
API_TOKEN_SECRET = "dapr.io/api-token-secret"
ENV = "dapr.io/env"
ENV_FROM_SECRET = "dapr.io/env-from-secret"
SOCKET = "dapr.io/unix-domain-socket-path"
PROFILING = "dapr.io/enable-profiling"
TOKEN_ENV = "DAPR_API_TOKEN"
SIDECAR = "daprd"
# The minor whose injector requires dapr.io/enabled to equal "true" (podHasDaprEnabled, 1.17.3).
_STRICT_ENABLED_SINCE = "1.17"
_LOOPBACK_NAMES = frozenset({"localhost"})


def _truthy(value: str) -> bool:
    return value.strip().lower() in dm.TRUTHY


def _injected(view: PodView, release: str) -> bool:
    """Whether the injector patches a daprd container into this pod."""
    enabled = view.annotations.get(ENABLED)
    if not isinstance(enabled, str):
        return False
    strict = key(release) >= key(_STRICT_ENABLED_SINCE)
    if not (enabled.lower() == "true" if strict else _truthy(enabled)):
        return False
    for name in ("containers", "initContainers"):
        items = view.spec.get(name)
        for body in items if isinstance(items, list) else ():
            if isinstance(body, dict) and body.get("name") == SIDECAR:
                return False  # podContainsSidecarContainer: the injector leaves the pod alone
    return True


def _is_loopback(entry: str) -> bool:
    """Whether daprd binding ``entry + ":" + port`` listens on loopback only."""
    if entry.lower() in _LOOPBACK_NAMES:
        return True
    host = entry[1:-1] if entry.startswith("[") and entry.endswith("]") else entry
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bindable(entry: str) -> bool:
    """Whether ``entry + ":" + port`` is an address Go can listen on at all: daprd trims
    nothing, and an IPv6 address needs brackets. daprd logs an entry it cannot bind and goes on
    with the others (another rule's business)."""
    if entry != entry.strip():
        return False
    return ":" not in entry or (entry.startswith("[") and entry.endswith("]"))


def _exposed(addresses: str) -> list[str]:
    """The entries of ``--dapr-listen-addresses`` other pods can reach. daprd splits the flag
    on commas; an empty entry binds every interface."""
    return [e for e in addresses.split(",") if _bindable(e) and not _is_loopback(e)]


def _env_names(value: Any) -> set[str]:
    """Names given a non-empty value in a ``dapr.io/env`` style list, ``NAME=value,NAME2=v2``
    (``parseEnvVars`` in ``pkg/injector/patcher/sidecar_container.go``)."""
    if not isinstance(value, str):
        return set()
    return {name for name, rest in dapr_env_pairs(value) if trim_space(rest)}


def _has_token(annotations: dict[str, Any]) -> bool:
    secret = annotations.get(API_TOKEN_SECRET)
    if isinstance(secret, str) and secret:
        return True
    return TOKEN_ENV in _env_names(annotations.get(ENV)) | _env_names(
        annotations.get(ENV_FROM_SECRET)
    )


def _shown(entry: str) -> str:
    return '""' if entry == "" else entry[:64]


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    view = pod_view(resource)
    if view is None or not _injected(view, bundle.dapr.version):
        return
    annotations = view.annotations
    addresses = annotations.get(LISTEN)
    if not isinstance(addresses, str):
        return  # unset: loopback only; not a string: the schema rules report it
    exposed = _exposed(addresses)
    if not exposed:
        return
    where = ", ".join(_shown(e) for e in exposed[:5])
    path = (*view.metadata_path, "annotations", LISTEN)
    socket = annotations.get(SOCKET)
    if not (isinstance(socket, str) and socket) and not _has_token(annotations):
        yield RULE.finding(
            resource,
            f"{LISTEN} makes daprd's HTTP (3500) and gRPC (50001) API listen on {where}, "
            f"reachable from other pods, and the pod has no {API_TOKEN_SECRET}: daprd then "
            "accepts every call without authentication, so any pod that can reach this one "
            "can read the app's secrets and state, publish, trigger bindings and invoke other "
            f"apps as this app. Keep the default listen addresses ([::1],127.0.0.1), or set "
            f"{API_TOKEN_SECRET} to a Secret with the key `token`",
            path,
        )
    profiling = annotations.get(PROFILING)
    if isinstance(profiling, str) and _truthy(profiling):
        yield RULE.finding(
            resource,
            f"{PROFILING} is on and {LISTEN} includes {where}: daprd's profiling server (port "
            "7777) listens there too, and never asks for the API token, so any pod can fetch "
            "its profiles and goroutine dumps and load it with CPU profiles. Turn profiling "
            "off, or keep the default listen addresses",
            (*view.metadata_path, "annotations", PROFILING),
            severity=Severity.WARNING,
        )


RULE = Rule(
    id="security-dapr-api-token",
    category="security",
    severity=Severity.ERROR,
    summary="daprd's API listens beyond loopback without an API token",
    check=check,
    kinds=KINDS,
    severity_note=(
        "warning for the profiling server on the same addresses, which a token does not protect"
    ),
    modes="kubernetes",
)
