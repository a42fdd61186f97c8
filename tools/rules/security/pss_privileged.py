"""A container runs privileged: its `securityContext.privileged` is `true`. Pod Security
Standard **baseline** control "Privileged Containers". Init, regular and ephemeral containers
are all checked, and the pod gets one finding that names every privileged container.

## Why

PodSecurity's `privileged` check (k8s.io/pod-security-admission, policy/check_privileged.go,
`privileged_1_0`) visits every container of the pod (`visitContainers` in policy/visitor.go)
and fails the pod when any of them has `securityContext.privileged: true`. Unset, `null` and
`false` pass. A privileged container sees every device of the node and runs without the
seccomp, AppArmor and capability limits a container normally gets. Breaking out to the node
from there is trivial.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod with
`violates PodSecurity "baseline:latest": privileged (container "app" must not set
securityContext.privileged=true)`. A Deployment, StatefulSet, DaemonSet, Job or CronJob is
admitted with a warning, and then its controller cannot create a single Pod. Where the
namespace only warns at that level, the Pod runs privileged and `kubectl apply` prints the
warning.

## How to fix

Remove `privileged`, or set it to `false`. If the container needs one specific power, add that
single capability instead (baseline allows only a short list; restricted allows
`NET_BIND_SERVICE`):

```yaml
securityContext:
  privileged: false
  capabilities:
    drop: [ALL]
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


def _name(container: dict[str, Any]) -> str:
    name = container.get("name")
    return name if isinstance(name, str) else ""


def violations(view: PodView) -> Iterator[Violation]:
    names: list[str] = []
    first: Path | None = None
    for container, path, _ in containers_with_path(view):
        if as_dict(container.get("securityContext")).get("privileged") is True:
            names.append(_name(container))
            if first is None:
                first = (*path, "securityContext", "privileged")
    if first is not None:
        noun = "container" if len(names) == 1 else "containers"
        yield Violation(
            "privileged",
            f"{noun} {quoted_names(names)} must not set securityContext.privileged=true",
            first,
        )


RULE = control_rule(
    rule_id="security-pss-privileged",
    level=BASELINE,
    summary="container sets securityContext.privileged=true (PSS baseline)",
    violations=violations,
)
