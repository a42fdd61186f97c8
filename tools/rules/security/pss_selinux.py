"""A pod or container sets SELinux options that Pod Security Standard **baseline** forbids: a
`seLinuxOptions.type` other than the container types, or any `user` or `role`. Control
"SELinux".

## Why

PodSecurity's `seLinuxOptions` check (k8s.io/pod-security-admission v0.34,
policy/check_seLinuxOptions.go, `seLinuxOptions1_31`, the newest version and so the one
`latest` runs) reads `securityContext.seLinuxOptions` of the pod and of every init, regular
and ephemeral container. It allows `type` only empty or one of `container_t`,
`container_init_t`, `container_kvm_t` and `container_engine_t`, and `user` and `role` only
empty. `level` is not checked. Another type (`spc_t`, `unconfined_t`) or a custom user or
role lifts the SELinux confinement the runtime puts every container in.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod:
`violates PodSecurity "baseline:latest": seLinuxOptions (pod set forbidden
securityContext.seLinuxOptions: type "spc_t")`. A Deployment, StatefulSet, DaemonSet, Job or
CronJob is admitted with a warning, but its controller cannot create a single Pod. Where the
namespace only warns at that level, the Pod is admitted with a warning.

## How to fix

Remove `user`, `role` and any other `type`, leaving `seLinuxOptions` out entirely or setting
only `level` (for instance when pods must share a volume's label):

```yaml
securityContext:
  seLinuxOptions:
    level: "s0:c123,c456"
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

ALLOWED_TYPES = frozenset(
    {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)


class _Findings:
    """What seLinuxOptions' check gathers over the pod and its containers."""

    def __init__(self) -> None:
        self.types: set[str] = set()
        self.user = False
        self.role = False
        self.first: Path | None = None

    def bad(self, holder: Any, path: Path) -> bool:
        """Whether the securityContext ``holder`` sets forbidden options; remembers the first
        offending field. Values that are not strings never decode: they are skipped."""
        options = as_dict(holder).get("seLinuxOptions")
        if not isinstance(options, dict):
            return False
        path = (*path, "securityContext", "seLinuxOptions")
        offending: list[str] = []
        kind = options.get("type")
        if isinstance(kind, str) and kind not in ALLOWED_TYPES:
            self.types.add(brief(kind))
            offending.append("type")
        user, role = options.get("user"), options.get("role")
        if isinstance(user, str) and user:
            self.user = True
            offending.append("user")
        if isinstance(role, str) and role:
            self.role = True
            offending.append("role")
        if offending and self.first is None:
            self.first = (*path, offending[0])
        return bool(offending)


def violations(view: PodView) -> Iterator[Violation]:
    found = _Findings()
    setters: list[str] = []
    if found.bad(view.spec.get("securityContext"), view.pod.path):
        setters.append("pod")
    names: list[str] = []
    for body, path, _ in containers_with_path(view):
        if found.bad(body.get("securityContext"), path):
            name = body.get("name")
            names.append(brief(name) if isinstance(name, str) else "")
    if names:
        word = "container" if len(names) == 1 else "containers"
        setters.append(f"{word} {quoted_names(names)}")
    if found.first is None:
        return
    problems: list[str] = []
    if found.types:
        word = "type" if len(found.types) == 1 else "types"
        problems.append(f"{word} {quoted_names(sorted(found.types))}")
    if found.user:
        problems.append("user may not be set")
    if found.role:
        problems.append("role may not be set")
    yield Violation(
        "seLinuxOptions",
        f"{' and '.join(setters)} set forbidden securityContext.seLinuxOptions: "
        + "; ".join(problems),
        found.first,
    )


RULE = control_rule(
    rule_id="security-pss-selinux",
    level=BASELINE,
    summary="pod or container sets a forbidden SELinux type, user or role (PSS baseline)",
    violations=violations,
)
