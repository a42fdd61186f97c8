"""kubernetes-pod-volumes: ValidateVolumes and ValidateVolumeMounts."""

from __future__ import annotations

from k8s_rule_util import errors
from pod_text import POD

from tools.core.resources import load_text
from tools.rules.kubernetes.pod_volumes import RULE
from tools.validate import check

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


STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: todo}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      volumes:
        - {name: tmp, emptyDir: {}}
      containers:
        - name: db
          image: postgres:17
          volumeMounts:
            - {name: data, mountPath: /var/lib/postgresql/data}
            - {name: tmp, mountPath: /tmp}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
"""


def test_a_mount_may_name_a_statefulset_volume_claim_template() -> None:
    # ValidateStatefulSetSpec adds one persistentVolumeClaim volume per claim template to the
    # pod spec it validates, so the mount names a volume.
    assert errors(RULE, STATEFULSET) == []
    unknown = STATEFULSET.replace("{name: data, mountPath", "{name: logs, mountPath")
    assert errors(RULE, unknown) == [
        'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "logs"'
    ]
    # Not in a Deployment: there claim templates do not exist.
    deployment = STATEFULSET.replace("kind: StatefulSet", "kind: Deployment")
    assert errors(RULE, deployment) == [
        'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "data"'
    ]


def test_a_claim_template_replaces_the_volume_of_the_same_name() -> None:
    # The template's own volume named like a claim template is dropped before validation.
    shadowed = STATEFULSET.replace(
        "{name: tmp, emptyDir: {}}",
        "{name: tmp, emptyDir: {}}\n        - {name: data, emptyDir: {}, secret: {secretName: s}}",
    )
    assert errors(RULE, shadowed) == []
    # A claim template whose name is not a DNS label gives no usable volume.
    bad = STATEFULSET.replace("metadata: {name: data}", "metadata: {name: Data}").replace(
        "{name: data, mountPath", "{name: Data, mountPath"
    )
    assert errors(RULE, bad) == [
        'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "Data"'
    ]


def test_the_statefulset_is_clean_through_the_whole_validation() -> None:
    # The false positive, through the schema and every kubernetes rule.
    found = check(load_text(STATEFULSET, "sts.yaml"), chosen={"schema", "kubernetes"})
    assert [f.message for f in found] == []
