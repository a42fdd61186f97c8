"""A pod's containers are not all required to run as a non-root user: the pod or a container
sets `securityContext.runAsNonRoot: false`, or a container has no `runAsNonRoot` of its own
while the pod does not set it `true`. The `daprd` sidecar the Dapr injector adds counts: it is
`false` when the pod's `dapr.io/env` or `dapr.io/env-from-secret` annotation sets
`SSL_CERT_DIR`. Pod Security Standard **restricted** control "Running as Non-root".

## Why

PodSecurity's `runAsNonRoot` check (k8s.io/pod-security-admission,
policy/check_runAsNonRoot.go, `runAsNonRoot_1_0`) first looks for explicit `false`: on the pod,
then on each init, regular and ephemeral container. A container's own `false` fails even when
the pod says `true`. Only when nothing is explicitly `false` does it report the containers
without a value of their own, and only if the pod does not set `true` for them to inherit. (The
user-namespace relaxation in policy/helpers.go is behind the `UserNamespacesPodSecurityStandards`
feature gate, alpha and off by default, so `hostUsers: false` does not change this.)

The Dapr sidecar injector (dapr/dapr `pkg/injector/patcher/sidecar_container.go`,
`getSidecarContainer`, in 1.16, 1.17 and 1.18) runs before PodSecurity and gives daprd an
explicit `runAsNonRoot` from its `SIDECAR_RUN_AS_NON_ROOT` setting (true unless the Dapr chart's
`dapr_sidecar_injector.sidecarRunAsNonRoot` is changed). So daprd passes even in a pod with
no pod-level value. But if daprd's environment contains `SSL_CERT_DIR`, the injector prepares
it for Windows' `ContainerAdministrator` and sets `runAsNonRoot: false` on Linux too. That fails
this control whatever the pod sets; the finding points at the annotation.

## What happens at runtime

Where the namespace enforces restricted, the API server refuses the Pod (`violates PodSecurity
"restricted:latest": runAsNonRoot != true (pod or container "app" must set
securityContext.runAsNonRoot=true)`), and a workload's controller cannot create any Pod. Where
the namespace only warns, a container whose image runs as UID 0 runs as root on the node's
kernel, and the API server answers with a warning.

## How to fix

Set it once for the pod, and give the image a non-root user (or set `runAsUser`):

```yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 65532
```

Remove any container-level `runAsNonRoot: false`, and do not pass `SSL_CERT_DIR` to the sidecar
on Linux nodes.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.kubernetes._pods import Path
from tools.rules.security._dapr_sidecar import (
    Visited,
    injected_note,
    plural,
    pod_context,
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

FIELD = "runAsNonRoot"
REASON = "runAsNonRoot != true"


def _admin_advice(explicit: list[Visited]) -> str:
    source = next((c.sources.get(FIELD) for c in explicit if c.injected), None)
    key = source[-1] if source else "dapr.io/env"
    return (
        f"the injector sets runAsNonRoot=false on it because {key} puts SSL_CERT_DIR in its "
        "environment (for Windows nodes): remove SSL_CERT_DIR on Linux"
    )


def violations(view: PodView) -> Iterator[Violation]:
    setters: list[str] = []
    first: Path | None = None
    readable, pod_value = read_bool(pod_context(view), FIELD)
    if readable and pod_value is False:
        setters.append("pod")
        first = (*view.pod.path, "securityContext", FIELD)
    # A pod value that cannot be decoded is left to the schema rules: no container is blamed
    # for not inheriting it.
    inherited = pod_value is True or not readable
    explicit: list[Visited] = []
    implicit: list[Visited] = []
    for container in visited_containers(view):
        readable, value = read_bool(container.context, FIELD)
        if not readable:
            continue
        if value is False:
            explicit.append(container)
        elif value is None and not inherited:
            implicit.append(container)
    if explicit:
        names = quoted_names([c.name for c in explicit])
        setters.append(f"{plural('container', 'containers', len(explicit))} {names}")
        if first is None:
            first = explicit[0].field_path(FIELD)
    if first is not None:
        yield Violation(
            REASON,
            f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false"
            + injected_note(explicit, _admin_advice(explicit)),
            first,
            injected=len(setters) == 1 and all(c.injected for c in explicit),
        )
    elif implicit:
        yield Violation(
            REASON,
            f"pod or {plural('container', 'containers', len(implicit))} "
            f"{quoted_names(c.name for c in implicit)} must set "
            "securityContext.runAsNonRoot=true",
            implicit[0].field_path(FIELD),
        )


RULE = control_rule(
    rule_id="security-pss-run-as-non-root",
    level=RESTRICTED,
    summary="pod or container does not require a non-root user (PSS restricted)",
    violations=violations,
)
