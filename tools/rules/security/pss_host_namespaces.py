"""A pod shares the node's network, process or IPC namespace: `hostNetwork`, `hostPID` or
`hostIPC` is `true`. Pod Security Standard **baseline** control "Host Namespaces".

## Why

PodSecurity's `hostNamespaces` check (k8s.io/pod-security-admission,
policy/check_hostNamespaces.go, `hostNamespaces_1_0`) allows these three fields only unset or
`false`. A pod in the host's network namespace sees every connection on the node and can bind
its ports. With the host's PID namespace it can signal and inspect every process, and with its
IPC namespace it can read other pods' shared memory.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod:
`violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)`. A Deployment,
StatefulSet, DaemonSet, Job or CronJob is admitted with a warning, but its controller cannot
create a single Pod. Where the namespace only warns at that level, the Pod runs and
`kubectl apply` prints the warning.

## How to fix

Remove the fields, or set them to `false`. A workload that really needs the host's network (a
CNI agent, a node exporter) belongs in a namespace labelled
`pod-security.kubernetes.io/enforce: privileged`, never in the app's namespace.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.security._pod_security import BASELINE, PodView, Violation, control_rule

_FIELDS = ("hostNetwork", "hostPID", "hostIPC")


def violations(view: PodView) -> Iterator[Violation]:
    shared = [name for name in _FIELDS if view.spec.get(name) is True]
    if shared:
        yield Violation(
            "host namespaces",
            ", ".join(f"{name}=true" for name in shared),
            (*view.pod.path, shared[0]),
        )


RULE = control_rule(
    rule_id="security-pss-host-namespaces",
    level=BASELINE,
    summary="pod shares the node's network, PID or IPC namespace (PSS baseline)",
    violations=violations,
)
