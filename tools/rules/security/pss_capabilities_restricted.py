"""A container of a Linux pod does not drop every capability (`capabilities.drop` lacks `ALL`)
or adds one other than `NET_BIND_SERVICE`. The `daprd` sidecar the Dapr injector adds is
included: it drops `ALL` only when the Dapr control plane is installed with
`dapr_sidecar_injector.sidecarDropALLCapabilities=true`, which is off by default. Pod Security
Standard **restricted** control "Capabilities".

## Why

PodSecurity's `capabilities_restricted` check (k8s.io/pod-security-admission,
policy/check_capabilities_restricted.go, `capabilitiesRestricted_1_25`, which calls
`capabilitiesRestricted_1_22`) requires every init, regular and ephemeral container to list
exactly `ALL` in `capabilities.drop` (`all` does not count) and to add nothing but
`NET_BIND_SERVICE`. A pod whose `spec.os.name` is `windows` passes. The check has no pod-level
setting to inherit from, so each container must carry its own.

The Dapr sidecar injector (dapr/dapr `pkg/injector/patcher/sidecar_container.go`,
`getSidecarContainer`, the same in 1.16, 1.17 and 1.18) runs before PodSecurity. It gives daprd
`capabilities.drop: [ALL]` only when its `SIDECAR_DROP_ALL_CAPABILITIES` setting is true; no pod
annotation changes it. A manifest cannot show that cluster-wide setting, and the Dapr chart's
default leaves it off. With a default installation every Dapr pod fails this control because of
daprd. This rule therefore reports daprd, at the restricted level only, unless the validator
is told the cluster has the setting on: `--dapr-sidecar-drop-all`, or `dapr-sidecar-drop-all:
true` in the config file. Reporting nothing instead would hide the most common reason a Dapr
app is refused in a restricted namespace.

## What happens at runtime

Where the namespace enforces restricted, the API server refuses the Pod (`violates PodSecurity
"restricted:latest": unrestricted capabilities (container "daprd" must set
securityContext.capabilities.drop=["ALL"])`), and a workload's controller cannot create any
Pod. A problem only in daprd does not show when the workload is applied: its template has no
daprd yet. Where the namespace only warns, the containers keep the runtime's default
capabilities and the warning goes to whoever creates the Pod.

## How to fix

In every container:

```yaml
securityContext:
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]   # only if it binds a port below 1024
```

For daprd, install or upgrade Dapr with
`--set dapr_sidecar_injector.sidecarDropALLCapabilities=true`, then validate with
`--dapr-sidecar-drop-all`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.kubernetes._field import as_list
from tools.rules.kubernetes._pods import Path
from tools.rules.security._dapr_sidecar import (
    Visited,
    added_capabilities,
    injected_note,
    is_windows,
    plural,
    visited_containers,
)
from tools.rules.security._pod_security import (
    RESTRICTED,
    PodView,
    Violation,
    control_rule,
    quoted_names,
)

ALL = "ALL"
NET_BIND_SERVICE = "NET_BIND_SERVICE"
DAPR_ADVICE = (
    "it drops ALL only when Dapr is installed with "
    "dapr_sidecar_injector.sidecarDropALLCapabilities=true (off by default, and not visible in "
    "the manifest): set that, and tell the validator with --dapr-sidecar-drop-all (config key "
    "dapr-sidecar-drop-all: true)"
)


def _capabilities(container: Visited) -> tuple[bool, dict[str, object] | None]:
    """``(readable, capabilities)``: None when unset."""
    value = None if container.context is None else container.context.get("capabilities")
    if value is None or isinstance(value, dict):
        return True, value
    return False, None


def violations(view: PodView) -> Iterator[Violation]:
    if is_windows(view):
        return
    missing: list[Visited] = []
    adding: list[Visited] = []
    forbidden: set[str] = set()
    first_add: Path | None = None
    for container in visited_containers(view):
        readable, caps = _capabilities(container)
        if not readable:
            continue
        if caps is None:
            missing.append(container)
            continue
        if ALL not in [c for c in as_list(caps.get("drop")) if isinstance(c, str)]:
            missing.append(container)
        bad = [(i, c) for i, c in added_capabilities(container) if c != NET_BIND_SERVICE]
        if bad:
            adding.append(container)
            forbidden.update(c for _, c in bad)
            if first_add is None:
                first_add = container.field_path("capabilities", "add", bad[0][0])
    details: list[str] = []
    if missing:
        details.append(
            f"{plural('container', 'containers', len(missing))} "
            f"{quoted_names([c.name for c in missing])} must set "
            'securityContext.capabilities.drop=["ALL"]'
        )
    if adding:
        details.append(
            f"{plural('container', 'containers', len(adding))} "
            f"{quoted_names([c.name for c in adding])} must not include "
            f"{quoted_names(sorted(forbidden))} in securityContext.capabilities.add"
        )
    first = missing[0].field_path("capabilities", "drop") if missing else first_add
    if first is not None:
        yield Violation(
            "unrestricted capabilities",
            "; ".join(details) + injected_note(missing, DAPR_ADVICE),
            first,
            injected=all(c.injected for c in [*missing, *adding]),
        )


RULE = control_rule(
    rule_id="security-pss-capabilities-restricted",
    level=RESTRICTED,
    summary="container does not drop ALL capabilities or adds one (PSS restricted)",
    violations=violations,
)
