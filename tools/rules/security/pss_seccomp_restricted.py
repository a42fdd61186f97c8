"""A container of a Linux pod runs without a seccomp profile of `RuntimeDefault` or `Localhost`:
neither it nor the pod sets `securityContext.seccompProfile.type`, or one of them sets another
type. The `daprd` sidecar the Dapr injector adds counts: with no pod-level profile and no
`dapr.io/sidecar-seccomp-profile-type` annotation it has none. Pod Security Standard
**restricted** control "Seccomp".

## Why

PodSecurity's `seccompProfile_restricted` check (k8s.io/pod-security-admission,
policy/check_seccompProfile_restricted.go, `seccompProfileRestricted_1_25`, which calls
`seccompProfileRestricted_1_19`) works in two steps, and this rule follows them:

1. A pod-level type, or a container's own type, other than `RuntimeDefault` or `Localhost`
   fails, whatever else is set (`pod and container "app" must not set ...`).
2. Otherwise every container (init, regular, ephemeral) without a profile of its own fails
   unless the pod sets a valid one, which it inherits (`pod or container "app" must set ...`).

A pod whose `spec.os.name` is `windows` passes: seccomp is Linux-only.

The Dapr sidecar injector (dapr/dapr `pkg/injector/patcher/sidecar_container.go`,
`getSidecarContainer`) is a mutating webhook, so it has added `daprd` by the time PodSecurity
looks at the Pod. It gives daprd a profile only from the `dapr.io/sidecar-seccomp-profile-type`
annotation. An app container with its own `RuntimeDefault` is compliant, but a pod with no
pod-level profile then fails on daprd alone. The finding points at `dapr.io/enabled` (or at the
annotation when that holds the bad type).

## What happens at runtime

Where the namespace enforces restricted, the API server refuses the Pod (`violates PodSecurity
"restricted:latest": seccompProfile (pod or container "daprd" must set
securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`), and a workload's
controller cannot create any Pod. A problem only in daprd does not show when the workload is
applied: its template has no daprd yet. Where the namespace only warns at restricted, the
containers run with the runtime's default, which may be unconfined, and the warning goes to
whoever creates the Pod.

## How to fix

Set the profile once for the whole pod. daprd inherits it, and the annotation covers daprd
explicitly:

```yaml
metadata:
  annotations:
    dapr.io/enabled: "true"
    dapr.io/sidecar-seccomp-profile-type: RuntimeDefault
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.security._dapr_sidecar import (
    SECCOMP_REASON,
    SECCOMP_VALID,
    Visited,
    explicit_seccomp,
    injected_note,
    is_windows,
    plural,
    pod_context,
    read_seccomp,
    visited_containers,
)
from tools.rules.security._pod_security import (
    RESTRICTED,
    PodView,
    Violation,
    control_rule,
    quoted_names,
)

MISSING_ADVICE = (
    "it inherits the pod's securityContext.seccompProfile, or takes the "
    "dapr.io/sidecar-seccomp-profile-type annotation"
)


def violations(view: PodView) -> Iterator[Violation]:
    if is_windows(view):
        return
    violation = explicit_seccomp(view)
    if violation is not None:
        yield violation
        return
    readable, kind = read_seccomp(pod_context(view))
    if not readable or kind in SECCOMP_VALID:
        return
    missing: list[Visited] = []
    for container in visited_containers(view):
        readable, kind = read_seccomp(container.context)
        if readable and kind is None:
            missing.append(container)
    if missing:
        detail = (
            f"pod or {plural('container', 'containers', len(missing))} "
            f"{quoted_names([c.name for c in missing])} must set "
            'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"'
        )
        yield Violation(
            SECCOMP_REASON,
            detail + injected_note(missing, MISSING_ADVICE),
            missing[0].field_path("seccompProfile", "type"),
            injected=all(c.injected for c in missing),
        )


RULE = control_rule(
    rule_id="security-pss-seccomp-restricted",
    level=RESTRICTED,
    summary="container runs without a RuntimeDefault or Localhost seccomp profile (PSS restricted)",
    violations=violations,
)
