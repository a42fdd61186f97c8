"""A pod declares a `hostPath` volume. Pod Security Standard **baseline** control "HostPath
Volumes". The pod gets one finding that names every such volume, whether or not a container
mounts it.

## Why

PodSecurity's `hostPathVolumes` check (k8s.io/pod-security-admission,
policy/check_hostPathVolumes.go, `hostPathVolumes_1_0`) walks `spec.volumes` and fails the pod
for each volume whose `hostPath` is present at all: even `hostPath: {}` counts, only a missing
or `null` one passes. The check reads the volume list, not the mounts. A directory of the node
inside a container can expose the kubelet's credentials, the container runtime's socket, or
other pods' data, and a writable one lets the container change the node itself.

## What happens at runtime

In a namespace that enforces baseline or restricted, the API server refuses the Pod with
`violates PodSecurity "baseline:latest": hostPath volumes (volume "data")`. A Deployment,
StatefulSet, DaemonSet, Job or CronJob is admitted with a warning, and then its controller
cannot create a single Pod. Where the namespace only warns at that level, the Pod mounts the
node's directory and `kubectl apply` prints the warning.

## How to fix

Use an `emptyDir` for scratch space, a `persistentVolumeClaim` for data that must outlive the
pod, or a `configMap`/`secret`/`projected` volume for files the app reads:

```yaml
volumes:
  - name: data
    emptyDir: {}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.kubernetes._pods import Path
from tools.rules.security._pod_security import (
    BASELINE,
    PodView,
    Violation,
    control_rule,
    quoted_names,
)


def violations(view: PodView) -> Iterator[Violation]:
    volumes = view.spec.get("volumes")
    if not isinstance(volumes, list):
        return
    names: list[str] = []
    first: Path | None = None
    for i, volume in enumerate(volumes):
        if not isinstance(volume, dict) or not isinstance(volume.get("hostPath"), dict):
            continue
        name = volume.get("name")
        names.append(name if isinstance(name, str) else "")
        if first is None:
            first = (*view.pod.path, "volumes", i, "hostPath")
    if first is not None:
        noun = "volume" if len(names) == 1 else "volumes"
        yield Violation("hostPath volumes", f"{noun} {quoted_names(names)}", first)


RULE = control_rule(
    rule_id="security-pss-host-path-volumes",
    level=BASELINE,
    summary="pod declares a hostPath volume (PSS baseline)",
    violations=violations,
    replaced_by="security-pss-restricted-volumes",
)
