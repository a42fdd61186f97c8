"""A container's `livenessProbe`, `readinessProbe`, `startupProbe` or `lifecycle` hook the API
server refuses:

- no handler, or more than one (`exec`, `httpGet`, `tcpSocket`, `grpc` for probes; `exec`,
  `httpGet`, `tcpSocket`, `sleep` for `postStart`/`preStop`);
- `exec` without a command; an `httpGet`, `tcpSocket` or `grpc` port outside 1–65535 or (for
  names) not an IANA service name (a quoted number is a name); an `httpGet.scheme` other than
  `HTTP`/`HTTPS`; an HTTP header name with characters other than letters, digits and `-`;
- a negative `initialDelaySeconds`, `timeoutSeconds`, `periodSeconds`, `successThreshold` or
  `failureThreshold`; a probe `terminationGracePeriodSeconds` of 0 or less;
- `successThreshold` other than 1 on a liveness or startup probe (0 is defaulted to 1);
- `terminationGracePeriodSeconds` on a readiness probe;
- any probe or hook on an init container that is not a sidecar (`restartPolicy: Always`).

The `sleep` hook's duration check needs the pod's grace period and is not made here.

## Why

The schema knows the shapes but not "exactly one handler", the port formats or the
per-probe-kind rules.

## What happens in the cluster

The apply fails, e.g. `spec.containers[0].livenessProbe.successThreshold: Invalid value: 2:
must be 1`.
For a **StatefulSet** the error comes back when the controller creates the pods instead (see
[kubernetes-pod-containers](kubernetes-pod-containers.md)).

## How to fix

Give each probe and hook exactly one handler, use unquoted port numbers or the container
port's name, keep `successThreshold: 1` on liveness and startup probes, and move probes off
plain init containers.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `validateProbe`,
`validateLivenessProbe`, `validateReadinessProbe`, `validateStartupProbe`, `validateHandler`,
`validateLifecycle`, `validateHTTPGetAction`, `ValidatePortNumOrName`, `validateExecAction`,
`validateInitContainers`; `IsHTTPHeaderName` in k8s.io/apimachinery v0.34.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.network import port_name_errors, port_number_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods

Path = tuple[str | int, ...]
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
HOOK_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")
SCHEMES = ("HTTP", "HTTPS")
_HEADER_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")
_NON_NEGATIVE = ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
                 "failureThreshold")  # fmt: skip


def _port(path: Path, port: Any) -> Iterator[tuple[str, Path]]:
    """ValidatePortNumOrName."""
    if f.is_int(port):
        for msg in port_number_errors(port):
            yield f.invalid(path, port, msg), path
    elif isinstance(port, str):
        for msg in port_name_errors(port):
            yield f.invalid(path, port, msg), path


def _handler(
    path: Path, body: dict[str, Any], kinds: tuple[str, ...]
) -> Iterator[tuple[str, Path]]:
    present = [k for k in kinds if body.get(k) is not None]
    if not present:
        yield f.required(path, "must specify a handler type"), path
    for extra in present[1:]:
        yield (
            f.forbidden((*path, extra), "may not specify more than 1 handler type"),
            (*path, extra),
        )
    if not present:
        return
    kind = present[0]
    action = body.get(kind)
    if not isinstance(action, dict):
        return  # the schema reports the type
    where = (*path, kind)
    if kind == "exec" and not f.as_list(action.get("command")):
        yield f.required((*where, "command")), where
    elif kind == "httpGet":
        yield from _port((*where, "port"), action.get("port"))
        scheme = action.get("scheme")
        if isinstance(scheme, str) and scheme and scheme not in SCHEMES:
            yield f.not_supported((*where, "scheme"), scheme, SCHEMES), (*where, "scheme")
        for header in f.as_list(action.get("httpHeaders")):
            name = f.as_dict(header).get("name")
            if isinstance(name, str) and (not name or not _HEADER_CHARS.issuperset(name)):
                msg = (
                    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. "
                    "'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"
                )
                yield f.invalid((*where, "httpHeaders"), name, msg), (*where, "httpHeaders")
    elif kind in ("tcpSocket", "grpc"):
        yield from _port((*where, "port"), action.get("port"))


def _probe(path: Path, kind: str, probe: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    yield from _handler(path, probe, PROBE_HANDLERS)
    for field in _NON_NEGATIVE:
        value = probe.get(field)
        if f.is_int(value) and value < 0:
            yield (
                f.invalid((*path, field), value, "must be greater than or equal to 0"),
                (*path, field),
            )
    grace = probe.get("terminationGracePeriodSeconds")
    if f.is_int(grace) and grace <= 0:
        yield (
            f.invalid((*path, "terminationGracePeriodSeconds"), grace, "must be greater than 0"),
            path,
        )
    success = probe.get("successThreshold")
    if kind != "readinessProbe" and f.is_int(success) and success not in (0, 1):
        yield (
            f.invalid((*path, "successThreshold"), success, "must be 1"),
            (*path, "successThreshold"),
        )
    if kind == "readinessProbe" and grace is not None:
        msg = "must not be set for readinessProbes"
        yield f.invalid((*path, "terminationGracePeriodSeconds"), grace, msg), path


def _container(container: _pods.Container) -> Iterator[tuple[str, Path]]:
    body, path = container.body, container.path
    restartable = body.get("restartPolicy") == "Always"
    if container.init and not restartable:
        for field in ("lifecycle", *PROBES):
            if body.get(field) is not None:
                msg = "may not be set for init containers without restartPolicy=Always"
                yield f.forbidden((*path, field), msg), (*path, field)
        return
    lifecycle = body.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                yield from _handler((*path, "lifecycle", hook), lifecycle[hook], HOOK_HANDLERS)
    for kind in PROBES:
        if isinstance(body.get(kind), dict):
            yield from _probe((*path, kind), kind, body[kind])


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    for message, where in _pods.each_container(resource, _container):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-probes",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="probes and lifecycle hooks: one handler, valid ports, liveness/startup success 1",
    check=check,
    kinds=_pods.KINDS,
)
