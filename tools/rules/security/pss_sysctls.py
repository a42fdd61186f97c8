"""A pod sets a kernel parameter (`securityContext.sysctls[*].name`) outside the short list
Pod Security Standard **baseline** treats as safe. Control "Sysctls".

## Why

PodSecurity's `sysctls` check (k8s.io/pod-security-admission v0.34, policy/check_sysctls.go,
`sysctlsV1Dot32`, the newest version and so the one `latest` runs) allows only these names in
the pod's `securityContext.sysctls`:

- `kernel.shm_rmid_forced`
- `net.ipv4.ip_local_port_range`, `net.ipv4.ip_local_reserved_ports`,
  `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.ping_group_range`
- `net.ipv4.tcp_syncookies`, `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_time`,
  `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`, `net.ipv4.tcp_rmem`,
  `net.ipv4.tcp_wmem`

These are namespaced to the pod and isolated from its neighbours. Any other sysctl either
reaches the whole node or can switch off a protection the kernel gives every pod on it. Names
are compared exactly: the slash form (`net/ipv4/tcp_syncookies`) and the list above under
another spelling are not on the list.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod:
`violates PodSecurity "baseline:latest": forbidden sysctls (net.core.somaxconn)`. A
Deployment, StatefulSet, DaemonSet, Job or CronJob is admitted with a warning, but its
controller cannot create a single Pod. Where the namespace only warns at that level, the Pod
is admitted with a warning, and the kubelet still rejects it (`SysctlForbidden`) unless the
sysctl is on the kubelet's own safe list or its `--allowed-unsafe-sysctls`.

## How to fix

Drop the sysctl, or use one from the list above:

```yaml
spec:
  securityContext:
    sysctls:
      - {name: net.ipv4.ip_local_port_range, value: "1024 65535"}
```

Node-wide tuning belongs to the node's configuration (or a privileged DaemonSet in its own
namespace), not to the app's pods.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.kubernetes._field import as_dict, as_list, brief
from tools.rules.security._pod_security import BASELINE, PodView, Violation, control_rule

ALLOWED = frozenset(
    {
        # 1.0
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        # 1.27
        "net.ipv4.ip_local_reserved_ports",
        # 1.29
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        # 1.32
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
    }
)


def violations(view: PodView) -> Iterator[Violation]:
    base = (*view.pod.path, "securityContext", "sysctls")
    sysctls = as_list(as_dict(view.spec.get("securityContext")).get("sysctls"))
    # A sysctl without a string name never decodes or validates: the schema rules report it.
    forbidden = [
        (i, name)
        for i, item in enumerate(sysctls)
        if isinstance(name := as_dict(item).get("name"), str) and name not in ALLOWED
    ]
    if forbidden:
        first = forbidden[0][0]
        yield Violation(
            "forbidden sysctls",
            ", ".join(brief(name) for _, name in forbidden),
            (*base, first, "name"),
        )


RULE = control_rule(
    rule_id="security-pss-sysctls",
    level=BASELINE,
    summary="pod sets a sysctl outside the baseline safe list (PSS baseline)",
    violations=violations,
)
