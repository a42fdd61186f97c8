"""A container of a Linux pod does not set `securityContext.allowPrivilegeEscalation: false`
(the field is missing, or `true`). Pod Security Standard **restricted** control "Privilege
Escalation".

## Why

PodSecurity's `allowPrivilegeEscalation` check (k8s.io/pod-security-admission,
policy/check_allowPrivilegeEscalation.go, `allowPrivilegeEscalation_1_25`, which calls
`allowPrivilegeEscalation_1_8`) accepts only an explicit `false` on every init, regular and
ephemeral container. There is no pod-level field, and unset counts as allowed, because the
runtime then lets a set-user-ID binary or a file capability raise the process's privileges. A
pod whose `spec.os.name` is `windows` passes.

The `daprd` sidecar the Dapr injector adds always sets `allowPrivilegeEscalation: false`
(dapr/dapr `pkg/injector/patcher/sidecar_container.go`, `getSidecarContainer`, in 1.16, 1.17 and
1.18), so only the pod's own containers can fail this control.

## What happens at runtime

Where the namespace enforces restricted, the API server refuses the Pod (`violates PodSecurity
"restricted:latest": allowPrivilegeEscalation != false (container "app" must set
securityContext.allowPrivilegeEscalation=false)`), and a workload's controller cannot create any
Pod. Where the namespace only warns at restricted (the default here), the Pod runs and the API
server answers with a warning.

## How to fix

In every container, init containers included:

```yaml
securityContext:
  allowPrivilegeEscalation: false
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.security._dapr_sidecar import (
    Visited,
    is_windows,
    plural,
    read_bool,
    visited_containers,
)
from tools.rules.security._pod_security import (
    RESTRICTED,
    PodView,
    Violation,
    control_rule,
    quoted_names,
)

FIELD = "allowPrivilegeEscalation"


def violations(view: PodView) -> Iterator[Violation]:
    if is_windows(view):
        return
    bad: list[Visited] = []
    for container in visited_containers(view):
        readable, value = read_bool(container.context, FIELD)
        if readable and value is not False:
            bad.append(container)
    if bad:
        yield Violation(
            "allowPrivilegeEscalation != false",
            f"{plural('container', 'containers', len(bad))} {quoted_names([c.name for c in bad])} "
            "must set securityContext.allowPrivilegeEscalation=false",
            bad[0].field_path(FIELD),
        )


RULE = control_rule(
    rule_id="security-pss-privilege-escalation",
    level=RESTRICTED,
    summary="container does not set allowPrivilegeEscalation: false (PSS restricted)",
    violations=violations,
)
