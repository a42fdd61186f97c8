"""The pod or a container sets `securityContext.runAsUser: 0`, running as root. Pod Security
Standard **restricted** control "Running as Non-root user".

## Why

PodSecurity's `runAsUser` check (k8s.io/pod-security-admission, policy/check_runAsUser.go,
`runAsUser_1_23`) fails a pod-level `runAsUser: 0` and a `0` on any init, regular or ephemeral
container, and reports them together (`pod and container "app" must not set runAsUser=0`).
Unset is fine here: `security-pss-run-as-non-root` is the control that requires a non-root
user. A container-level value replaces the pod's, but the pod's `0` fails on its own even when
every container overrides it. (The user-namespace relaxation in policy/helpers.go is behind
the `UserNamespacesPodSecurityStandards` feature gate, alpha and off by default.)

The `daprd` sidecar the Dapr injector adds takes `runAsUser` from the injector's
`SIDECAR_RUN_AS_USER` setting, which the Dapr chart sets only to a value above 0, or leaves it
unset (dapr/dapr `pkg/injector/patcher/sidecar_container.go`, `getSidecarContainer`), so it
never fails this control by itself.

## What happens at runtime

Where the namespace enforces restricted, the API server refuses the Pod (`violates PodSecurity
"restricted:latest": runAsUser=0 (pod must not set runAsUser=0)`), and a workload's controller
cannot create any Pod. Where the namespace only warns, the processes run as root (UID 0) on
the node's kernel, and the API server answers with a warning.

## How to fix

Use a non-zero UID, for the pod and any container that sets its own:

```yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
    runAsGroup: 65532
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.kubernetes._field import as_dict, is_int
from tools.rules.kubernetes._pods import Path
from tools.rules.security._dapr_sidecar import (
    plural,
    pod_context,
    visited_containers,
)
from tools.rules.security._pod_security import (
    RESTRICTED,
    PodView,
    Violation,
    control_rule,
    quoted_names,
)

FIELD = "runAsUser"


def _is_root(context: dict[str, object] | None) -> bool:
    value = as_dict(context).get(FIELD)
    return is_int(value) and value == 0


def violations(view: PodView) -> Iterator[Violation]:
    setters: list[str] = []
    first: Path | None = None
    if _is_root(pod_context(view)):
        setters.append("pod")
        first = (*view.pod.path, "securityContext", FIELD)
    names: list[str] = []
    for container in visited_containers(view):
        if _is_root(container.context):
            names.append(container.name)
            if first is None:
                first = container.field_path(FIELD)
    if names:
        setters.append(f"{plural('container', 'containers', len(names))} {quoted_names(names)}")
    if first is not None:
        yield Violation("runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0", first)


RULE = control_rule(
    rule_id="security-pss-run-as-user",
    level=RESTRICTED,
    summary="pod or container sets runAsUser: 0 (PSS restricted)",
    violations=violations,
)
