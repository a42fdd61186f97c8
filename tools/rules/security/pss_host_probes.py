"""A probe or lifecycle handler names a `host`: `httpGet.host` or `tcpSocket.host` of a
container's `livenessProbe`, `readinessProbe` or `startupProbe`, or of its `lifecycle`
`postStart` or `preStop` handler, is set to anything but `""`. Pod Security Standard
**baseline** control "Probes / Lifecycle Hooks". Init, regular and ephemeral containers are all
checked, and the pod gets one finding that names every such container and host.

## Why

PodSecurity's `hostProbesAndHostLifecycle` check (k8s.io/pod-security-admission,
policy/check_hostProbesAndhostLifecycle.go, `hostProbesAndHostLifecycleV1Dot34`) is part of
baseline from Kubernetes 1.34, and so of `latest`. It visits every container
(`visitContainers` in policy/visitor.go) and fails the pod for any non-empty `host` under
`httpGet` or `tcpSocket` of the three probes and the two lifecycle handlers. A `tcpSocket`
lifecycle handler is checked too, although such a hook only fails when it runs: the API
keeps the field for compatibility alone. Its detail lists the containers and the distinct
hosts, each sorted. The kubelet sends these requests from the node, not from the pod, so a
host lets a workload point them at addresses its own network cannot reach, such as a service
listening on the node's loopback interface.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod with
`violates PodSecurity "baseline:latest": probe or lifecycle host (container "app" uses probe
or lifecycle host "10.0.0.1")`. A Deployment, StatefulSet, DaemonSet, Job or CronJob is
admitted with a warning, and then its controller cannot create a single Pod. Where the
namespace only warns at that level, the kubelet sends the requests to that host and
`kubectl apply` prints the warning. A cluster that emulates a version before 1.34 skips the
check.

## How to fix

Remove `host`: the kubelet then probes the pod's own IP, which is what a health check of the
container needs.

```yaml
livenessProbe:
  httpGet:
    path: /healthz
    port: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.rules.kubernetes._field import as_dict, brief
from tools.rules.kubernetes._pods import Path
from tools.rules.security._pod_security import (
    BASELINE,
    PodView,
    Violation,
    containers_with_path,
    control_rule,
    quoted_names,
)

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_HANDLERS = ("postStart", "preStop")
_ACTIONS = ("httpGet", "tcpSocket")


def _handlers(container: dict[str, Any], path: Path) -> Iterator[tuple[dict[str, Any], Path]]:
    """The container's probes, then its lifecycle handlers, in the order the check reads them."""
    for key in _PROBES:
        probe = container.get(key)
        if isinstance(probe, dict):
            yield probe, (*path, key)
    lifecycle = as_dict(container.get("lifecycle"))
    for key in _HANDLERS:
        handler = lifecycle.get(key)
        if isinstance(handler, dict):
            yield handler, (*path, "lifecycle", key)


def _hosts(container: dict[str, Any], path: Path) -> Iterator[tuple[str, Path]]:
    for handler, handler_path in _handlers(container, path):
        for action in _ACTIONS:
            host = as_dict(handler.get(action)).get("host")
            if isinstance(host, str) and host:
                yield host, (*handler_path, action, "host")


def violations(view: PodView) -> Iterator[Violation]:
    names: set[str] = set()
    hosts: set[str] = set()
    first: Path | None = None
    for container, path, _ in containers_with_path(view):
        for host, host_path in _hosts(container, path):
            name = container.get("name")
            names.add(name if isinstance(name, str) else "")
            hosts.add(host)
            if first is None:
                first = host_path
    if first is not None:
        many = len(names) != 1
        subject = "containers" if many else "container"
        verb = "use" if many else "uses"
        what = "probe or lifecycle hosts" if len(hosts) != 1 else "probe or lifecycle host"
        shown = quoted_names(brief(host) for host in sorted(hosts))
        detail = f"{subject} {quoted_names(sorted(names))} {verb} {what} {shown}"
        yield Violation("probe or lifecycle host", detail, first)


RULE = control_rule(
    rule_id="security-pss-host-probes",
    level=BASELINE,
    summary="probe or lifecycle handler sets a host (PSS baseline)",
    violations=violations,
)
