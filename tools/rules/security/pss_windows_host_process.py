"""A pod or container asks to run as a Windows HostProcess: its
`securityContext.windowsOptions.hostProcess` is `true`. Pod Security Standard **baseline**
control "HostProcess". The pod-level setting and those of init, regular and ephemeral
containers are all checked, and the pod gets one finding that names each of them.

## Why

PodSecurity's `windowsHostProcess` check (k8s.io/pod-security-admission,
policy/check_windowsHostProcess.go, `windowsHostProcess_1_0`) fails the pod when
`spec.securityContext.windowsOptions.hostProcess` or that of any container (`visitContainers` in
policy/visitor.go) is `true`. Unset, `null` and `false` pass. A HostProcess container is not
isolated at all: it runs as a process directly on the Windows node, in the node's network and
with its file system, under a node account.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod with
`violates PodSecurity "baseline:latest": hostProcess (pod and container "app" must not set
securityContext.windowsOptions.hostProcess=true)`. A Deployment, StatefulSet, DaemonSet, Job or
CronJob is admitted with a warning, and then its controller cannot create a single Pod. Where
the namespace only warns at that level, the pod runs on the node itself and `kubectl apply`
prints the warning.

## How to fix

Remove `hostProcess`, or set it to `false`, at the pod and in every container. Node agents that
really need it belong in a namespace labelled `pod-security.kubernetes.io/enforce: privileged`.

```yaml
securityContext:
  windowsOptions:
    hostProcess: false
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.rules.kubernetes._field import as_dict
from tools.rules.kubernetes._pods import Path
from tools.rules.security._pod_security import (
    BASELINE,
    PodView,
    Violation,
    containers_with_path,
    control_rule,
    quoted_names,
)

_FIELD = ("securityContext", "windowsOptions", "hostProcess")


def _host_process(body: dict[str, Any]) -> bool:
    options = as_dict(as_dict(body.get("securityContext")).get("windowsOptions"))
    return options.get("hostProcess") is True


def violations(view: PodView) -> Iterator[Violation]:
    setters: list[str] = []
    first: Path | None = None
    if _host_process(view.spec):
        setters.append("pod")
        first = (*view.pod.path, *_FIELD)
    names: list[str] = []
    for container, path, _ in containers_with_path(view):
        if _host_process(container):
            name = container.get("name")
            names.append(name if isinstance(name, str) else "")
            if first is None:
                first = (*path, *_FIELD)
    if names:
        noun = "container" if len(names) == 1 else "containers"
        setters.append(f"{noun} {quoted_names(names)}")
    if first is not None:
        yield Violation(
            "hostProcess",
            f"{' and '.join(setters)} must not set securityContext.windowsOptions.hostProcess=true",
            first,
        )


RULE = control_rule(
    rule_id="security-pss-windows-host-process",
    level=BASELINE,
    summary="pod or container sets windowsOptions.hostProcess=true (PSS baseline)",
    violations=violations,
)
