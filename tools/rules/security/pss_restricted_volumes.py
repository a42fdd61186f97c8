"""A pod mounts a volume of a type the restricted level does not allow: anything but
`configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`, `image`, `persistentVolumeClaim`,
`projected` and `secret` (so `hostPath`, `nfs`, `iscsi`, `gitRepo`, `cephfs`, cloud disks...).
Pod Security Standard **restricted** control "Volume Types".

## Why

PodSecurity's `restrictedVolumes` check (k8s.io/pod-security-admission,
policy/check_restrictedVolumes.go, `restrictedVolumes_1_0`) accepts a volume when it has one of
the allowed sources and names the type of every other one. An inline network or cloud volume
bypasses the PersistentVolume layer and the administrator's control over which storage a pod
may reach, and `hostPath` exposes the node's file system. Claims (`persistentVolumeClaim`,
`ephemeral`) stay allowed because the cluster's StorageClasses and PersistentVolumes decide
what they mount. At this level the check replaces baseline's `hostPathVolumes`
(`OverrideCheckIDs`).

The volumes the Dapr injector adds (the projected sentry token, the `emptyDir` for Unix domain
sockets and pluggable components) are all allowed types. A volume with no source at all is
refused by the API server's validation before PodSecurity runs, and is left to the kubernetes
rules.

## What happens at runtime

Where the namespace enforces restricted, the API server refuses the Pod (`violates PodSecurity
"restricted:latest": restricted volume types (volume "data" uses restricted volume type
"nfs")`), and a workload's controller cannot create any Pod. Where the namespace only warns,
the volume is mounted and the API server answers with a warning.

## How to fix

Mount storage through a PersistentVolumeClaim (the PersistentVolume holds the NFS, iSCSI or
cloud-disk details), or use `emptyDir` for scratch space:

```yaml
volumes:
  - name: data
    persistentVolumeClaim:
      claimName: todo-data
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.rules.kubernetes._field import as_list
from tools.rules.kubernetes._pods import Path
from tools.rules.security._dapr_sidecar import plural
from tools.rules.security._pod_security import (
    RESTRICTED,
    PodView,
    Violation,
    control_rule,
    quoted_names,
)

ALLOWED = (
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
)
# In the order PodSecurity's switch tests them: the first one set names the volume's type.
RESTRICTED_TYPES = (
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
)


def violations(view: PodView) -> Iterator[Violation]:
    names: list[str] = []
    types: set[str] = set()
    first: Path | None = None
    for i, volume in enumerate(as_list(view.spec.get("volumes"))):
        if not isinstance(volume, dict) or not isinstance(volume.get("name"), str):
            continue
        if any(isinstance(volume.get(key), dict) for key in ALLOWED):
            continue
        kind = next((k for k in RESTRICTED_TYPES if isinstance(volume.get(k), dict)), None)
        if kind is None:
            continue  # no source (or one of the wrong type): refused before PodSecurity runs
        names.append(volume["name"])
        types.add(kind)
        if first is None:
            first = (*view.pod.path, "volumes", i, kind)
    if first is not None:
        count = len(names)
        yield Violation(
            "restricted volume types",
            f"{plural('volume', 'volumes', count)} {quoted_names(names)} "
            f"{plural('uses', 'use', count)} "
            f"{plural('restricted volume type', 'restricted volume types', len(types))} "
            f"{quoted_names(sorted(types))}",
            first,
        )


RULE = control_rule(
    rule_id="security-pss-restricted-volumes",
    level=RESTRICTED,
    summary="pod mounts a volume type the restricted level does not allow (PSS restricted)",
    violations=violations,
)
