"""kubernetes-pod-volumes: ValidateVolumes and ValidateVolumeMounts."""

from __future__ import annotations

from k8s_rule_util import errors
from pod_text import POD

from tools.rules.kubernetes.pod_volumes import RULE

VOLUMES = "    - {name: tmp, emptyDir: {}}"
MOUNTS = "        - {name: tmp, mountPath: /tmp}"


def test_valid_volumes_pass() -> None:
    assert errors(RULE, POD) == []
    two = POD.replace(VOLUMES, VOLUMES + "\n    - {name: cfg, configMap: {name: app}}").replace(
        MOUNTS, MOUNTS + "\n        - {name: cfg, mountPath: /etc/app, readOnly: true}"
    )
    assert errors(RULE, two) == []


def test_mount_of_an_undefined_volume() -> None:
    assert errors(RULE, POD.replace("{name: tmp, mountPath", "{name: data, mountPath")) == [
        'spec.containers[0].volumeMounts[0].name: Not found: "data"'
    ]


def test_duplicate_mount_paths_and_subpaths() -> None:
    twice = POD.replace(MOUNTS, MOUNTS + "\n        - {name: tmp, mountPath: /tmp}")
    assert errors(RULE, twice) == [
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/tmp": must be unique'
    ]
    both = POD.replace(MOUNTS, "        - {name: tmp, mountPath: /x, subPath: a, subPathExpr: b}")
    assert len(errors(RULE, both)) == 1


def test_volume_names_and_sources() -> None:
    bad = POD.replace("{name: tmp, emptyDir", "{name: Tmp, emptyDir")
    found = errors(RULE, bad)
    assert found[0].startswith('spec.volumes[0].name: Invalid value: "Tmp"')
    assert found[1] == 'spec.containers[0].volumeMounts[0].name: Not found: "tmp"'
    twice = POD.replace(VOLUMES, VOLUMES + "\n" + VOLUMES)
    assert errors(RULE, twice) == ['spec.volumes[1].name: Duplicate value: "tmp"']
    sources = POD.replace(
        "{name: tmp, emptyDir: {}}", "{name: tmp, emptyDir: {}, secret: {secretName: s}}"
    )
    assert "spec.volumes[0].secret: Forbidden: may not specify more than 1 volume type" in errors(
        RULE, sources
    )
