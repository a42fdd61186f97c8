"""A container publishes a port on the node: a `ports[].hostPort` other than 0. Pod Security
Standard **baseline** control "Host Ports". Init, regular and ephemeral containers are all
checked, and the pod gets one finding that names every such container and port.

## Why

PodSecurity's `hostPorts` check (k8s.io/pod-security-admission, policy/check_hostPorts.go,
`hostPorts_1_0`) visits every container (`visitContainers` in policy/visitor.go) and fails the
pod for any `hostPort` that is not 0. Its detail lists the containers in pod order and the
distinct ports sorted as text (so `10000` comes before `9000`). A host port makes the container
reachable on the node's own address, outside the Services and the network design of the chart,
and it limits the workload to one replica per node, as the scheduler will not place two pods
that claim the same port on one node.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod with
`violates PodSecurity "baseline:latest": hostPort (container "app" uses hostPort 8080)`. A
Deployment, StatefulSet, DaemonSet, Job or CronJob is admitted with a warning, and then its
controller cannot create a single Pod. Where the namespace only warns at that level, the port
is opened on the node and `kubectl apply` prints the warning.

## How to fix

Remove `hostPort` (keep `containerPort`) and reach the pod through a Service; use an Ingress or
a `LoadBalancer` Service for traffic from outside the cluster:

```yaml
ports:
  - name: http
    containerPort: 8080
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.kubernetes._field import as_list, is_int
from tools.rules.kubernetes._pods import Path
from tools.rules.security._pod_security import (
    BASELINE,
    PodView,
    Violation,
    containers_with_path,
    control_rule,
    quoted_names,
)

# hostPort is an int32: a larger number fails to decode, and the schema rules report it.
_INT32 = range(-(2**31), 2**31)


def violations(view: PodView) -> Iterator[Violation]:
    names: list[str] = []
    ports: set[str] = set()
    first: Path | None = None
    for container, path, _ in containers_with_path(view):
        found = False
        for j, port in enumerate(as_list(container.get("ports"))):
            host_port = port.get("hostPort") if isinstance(port, dict) else None
            if not is_int(host_port) or host_port == 0 or host_port not in _INT32:
                continue
            found = True
            ports.add(str(host_port))
            if first is None:
                first = (*path, "ports", j, "hostPort")
        if found:
            name = container.get("name")
            names.append(name if isinstance(name, str) else "")
    if first is not None:
        many = len(names) != 1
        subject = "containers" if many else "container"
        verb = "use" if many else "uses"
        what = "hostPorts" if len(ports) != 1 else "hostPort"
        detail = f"{subject} {quoted_names(names)} {verb} {what} {', '.join(sorted(ports))}"
        yield Violation("hostPort", detail, first)


RULE = control_rule(
    rule_id="security-pss-host-ports",
    level=BASELINE,
    summary="container sets a hostPort (PSS baseline)",
    violations=violations,
)
