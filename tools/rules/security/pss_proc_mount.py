"""A container asks for a `/proc` without the default masks: its
`securityContext.procMount` is set to anything but `Default` (in practice `Unmasked`). Pod
Security Standard **baseline** control "/proc Mount Type".

## Why

PodSecurity's `procMount` check (k8s.io/pod-security-admission v0.34, policy/check_procMount.go,
`procMount_1_0`) looks at every init, regular and ephemeral container and allows
`procMount` only unset or `Default`. The default masks hide and make read-only the parts of
`/proc` and `/sys` that expose the host's kernel (`/proc/kcore`, `/proc/sysrq-trigger`,
`/proc/sys`, ...); `Unmasked` removes them.

The check skips a pod with `hostUsers: false` (its own user namespace) only when the API
server runs with the alpha feature gate `UserNamespacesPodSecurityStandards`, which is off by
default (policy/helpers.go, `relaxPolicyForUserNamespacePod`). This rule assumes the default,
so `hostUsers: false` does not silence it.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod:
`violates PodSecurity "baseline:latest": procMount (container "app" must not set
securityContext.procMount to "Unmasked")`. A Deployment, StatefulSet, DaemonSet, Job or
CronJob is admitted with a warning, but its controller cannot create a single Pod. Where the
namespace only warns at that level, the Pod is admitted with a warning.

## How to fix

Remove `procMount`, or set it to `Default`:

```yaml
containers:
  - name: app
    securityContext:
      procMount: Default
```

A pod that really needs an unmasked `/proc` (nested container builds) needs `hostUsers: false`
and a namespace labelled `pod-security.kubernetes.io/enforce: privileged`, or a cluster with the
`UserNamespacesPodSecurityStandards` gate on.
"""

from __future__ import annotations

from collections.abc import Iterator

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


def violations(view: PodView) -> Iterator[Violation]:
    names: list[str] = []
    types: set[str] = set()
    first: Path | None = None
    for body, path, _ in containers_with_path(view):
        value = as_dict(body.get("securityContext")).get("procMount")
        # Unset and Default pass; a non-string never decodes (the schema rules' business).
        if not isinstance(value, str) or value == "Default":
            continue
        name = body.get("name")
        names.append(brief(name) if isinstance(name, str) else "")
        types.add(brief(value))
        if first is None:
            first = (*path, "securityContext", "procMount")
    if first is not None:
        word = "container" if len(names) == 1 else "containers"
        yield Violation(
            "procMount",
            f"{word} {quoted_names(names)} must not set securityContext.procMount to "
            f"{quoted_names(sorted(types))}",
            first,
        )


RULE = control_rule(
    rule_id="security-pss-proc-mount",
    level=BASELINE,
    summary="container unmasks /proc with securityContext.procMount (PSS baseline)",
    violations=violations,
)
