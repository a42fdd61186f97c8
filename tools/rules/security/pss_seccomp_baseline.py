"""The pod or a container sets a seccomp profile other than `RuntimeDefault` or `Localhost`
(in practice `Unconfined`), in `securityContext.seccompProfile.type`. The injected Dapr sidecar
counts too: its profile is the pod's `dapr.io/sidecar-seccomp-profile-type` annotation. Pod
Security Standard **baseline** control "Seccomp".

## Why

PodSecurity's `seccompProfile_baseline` check (k8s.io/pod-security-admission,
policy/check_seccompProfile_baseline.go, `seccompProfileBaseline_1_19`, the version `latest`
runs) accepts a profile type only when it is `RuntimeDefault` or `Localhost`, on the pod and on
every init, regular and ephemeral container (`visitContainers`, policy/visitor.go). Leaving the
profile unset is fine at this level. An unconfined container can make any system call,
including the rarely used ones behind most container escapes.

The Dapr sidecar injector (dapr/dapr `pkg/injector/patcher/sidecar_container.go`,
`getSidecarContainer`) runs before PodSecurity and copies the
`dapr.io/sidecar-seccomp-profile-type` annotation into the `daprd` container's
`seccompProfile.type` verbatim, so `Unconfined` there fails this control for the sidecar.

Where a namespace is evaluated at `restricted`, PodSecurity replaces this check with
`seccompProfile_restricted` (its `OverrideCheckIDs`): this rule then stays silent and
`security-pss-seccomp-restricted` reports the same profile.

## What happens at runtime

In a namespace that enforces baseline, the API server refuses the Pod:
`violates PodSecurity "baseline:latest": seccompProfile (pod must not set
securityContext.seccompProfile.type to "Unconfined")`. A workload is admitted, but its
controller cannot create a single Pod. Where the namespace only warns at baseline, the Pod runs
unconfined and the API server answers with a warning.

## How to fix

Use the container runtime's default profile, for the pod and for the sidecar:

```yaml
metadata:
  annotations:
    dapr.io/sidecar-seccomp-profile-type: RuntimeDefault
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.security._dapr_sidecar import explicit_seccomp
from tools.rules.security._pod_security import BASELINE, PodView, Violation, control_rule


def violations(view: PodView) -> Iterator[Violation]:
    violation = explicit_seccomp(view)
    if violation is not None:
        yield violation


RULE = control_rule(
    rule_id="security-pss-seccomp-baseline",
    level=BASELINE,
    summary="pod or container sets an unconfined seccomp profile (PSS baseline)",
    violations=violations,
    replaced_by="security-pss-seccomp-restricted",
)
