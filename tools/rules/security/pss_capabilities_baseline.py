"""A container adds a Linux capability beyond the runtime's default set in
`securityContext.capabilities.add`: anything but `AUDIT_WRITE`, `CHOWN`, `DAC_OVERRIDE`,
`FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_BIND_SERVICE`, `SETFCAP`, `SETGID`, `SETPCAP`,
`SETUID` and `SYS_CHROOT` (so `NET_RAW`, `SYS_ADMIN`, `NET_ADMIN`, `ALL`...). Pod Security
Standard **baseline** control "Capabilities".

## Why

PodSecurity's `capabilities_baseline` check (k8s.io/pod-security-admission,
policy/check_capabilities_baseline.go, `capabilitiesBaseline_1_0`) compares every entry of
`capabilities.add` of every init, regular and ephemeral container with that list, exactly and
case-sensitively (`net_admin` is not on it either). Capabilities such as `SYS_ADMIN` or
`NET_ADMIN` hand a container most of root's power over the node's kernel. The `daprd` sidecar
the Dapr injector adds never adds capabilities (dapr/dapr
`pkg/injector/patcher/sidecar_container.go`, `getSidecarContainer`), so only the pod's own
containers are in question.

Where a namespace is evaluated at `restricted`, PodSecurity replaces this check with
`capabilities_restricted` (its `OverrideCheckIDs`): this rule then stays silent and
`security-pss-capabilities-restricted` reports the added capability, with a shorter allowed
list.

## What happens at runtime

In a namespace that enforces baseline, the API server refuses the Pod:
`violates PodSecurity "baseline:latest": non-default capabilities (container "app" must not
include "NET_ADMIN" in securityContext.capabilities.add)`. A workload is admitted, but its
controller cannot create a single Pod. Where the namespace only warns, the container runs with
the capability and the API server answers with a warning.

## How to fix

Drop the capability. Most apps need none; one that binds a port below 1024 needs only
`NET_BIND_SERVICE`:

```yaml
securityContext:
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.kubernetes._pods import Path
from tools.rules.security._dapr_sidecar import (
    added_capabilities,
    plural,
    visited_containers,
)
from tools.rules.security._pod_security import (
    BASELINE,
    PodView,
    Violation,
    control_rule,
    quoted_names,
)

ALLOWED = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def violations(view: PodView) -> Iterator[Violation]:
    bad: list[str] = []
    forbidden: set[str] = set()
    first: Path | None = None
    for container in visited_containers(view):
        found = False
        for i, name in added_capabilities(container):
            if name not in ALLOWED:
                found = True
                forbidden.add(name)
                if first is None:
                    first = container.field_path("capabilities", "add", i)
        if found:
            bad.append(container.name)
    if first is not None:
        yield Violation(
            "non-default capabilities",
            f"{plural('container', 'containers', len(bad))} {quoted_names(bad)} must not include "
            f"{quoted_names(sorted(forbidden))} in securityContext.capabilities.add",
            first,
        )


RULE = control_rule(
    rule_id="security-pss-capabilities-baseline",
    level=BASELINE,
    summary="container adds a capability beyond the default set (PSS baseline)",
    violations=violations,
    replaced_by="security-pss-capabilities-restricted",
)
