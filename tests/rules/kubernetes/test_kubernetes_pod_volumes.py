"""kubernetes-pod-volumes: ValidateVolumes and ValidateVolumeMounts."""

from __future__ import annotations

from k8s_rule_util import errors
from pod_text import DEPLOYMENT, POD

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


GOOD_CLAIM = (
    "{volumeClaimTemplate: {spec: {accessModes: [ReadWriteOnce], "
    "resources: {requests: {storage: 1Gi}}}}}"
)


def ephemeral(claim: str) -> str:
    return POD.replace("{name: tmp, emptyDir: {}}", "{name: tmp, ephemeral: " + claim + "}")


def test_an_ephemeral_volume_needs_a_valid_claim_template() -> None:
    """The real API server refuses `spec.volumes[4].ephemeral.volumeClaimTemplate.spec.
    accessModes: Required value: at least 1 access mode is required` and `...spec.
    resources[storage]: Required value` (ValidatePersistentVolumeClaimSpec)."""
    good = GOOD_CLAIM
    assert errors(RULE, ephemeral(good)) == []
    at = "spec.volumes[0].ephemeral.volumeClaimTemplate"
    assert errors(RULE, ephemeral("{volumeClaimTemplate: {spec: {}}}")) == [
        f"{at}.spec.accessModes: Required value: at least 1 access mode is required",
        f"{at}.spec.resources[storage]: Required value",
        'spec.containers[0].volumeMounts[0].name: Not found: "tmp"',
    ]
    assert errors(RULE, ephemeral("{}"))[0] == f"{at}: Required value"
    bad = good.replace("[ReadWriteOnce]", "[ReadWriteOncePod, RWX]").replace("1Gi", "'0'")
    assert errors(RULE, ephemeral(bad))[:3] == [
        f'{at}.spec.accessModes: Unsupported value: "RWX": supported values: "ReadOnlyMany", '
        '"ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
        f'{at}.spec.resources[storage]: Invalid value: "0": must be greater than zero',
        'spec.containers[0].volumeMounts[0].name: Not found: "tmp"',
    ]
    modes = good.replace("[ReadWriteOnce]", "[ReadWriteOncePod, ReadWriteOnce]")
    assert errors(RULE, ephemeral(modes)) == [
        f"{at}.spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
        'spec.containers[0].volumeMounts[0].name: Not found: "tmp"',
    ]
    more = good.replace("storage: 1Gi}}", "storage: 1Gi}}, volumeMode: Raw, storageClassName: A_B")
    assert len(errors(RULE, ephemeral(more))) == 3
    # Only the first source is validated: here emptyDir, and ephemeral is the extra one.
    both = POD.replace("emptyDir: {}}", "emptyDir: {}, ephemeral: {volumeClaimTemplate: {}}}")
    assert errors(RULE, both)[0] == (
        "spec.volumes[0].ephemeral: Forbidden: may not specify more than 1 volume type"
    )
    for hostile in ("x", "{volumeClaimTemplate: x}", "{volumeClaimTemplate: {spec: [1]}}"):
        errors(RULE, ephemeral(hostile))  # no crash


def test_the_claim_name_of_a_pod_volume_must_be_a_valid_name() -> None:
    good = GOOD_CLAIM
    long_pod = ephemeral(good).replace("name: p,", "name: " + "p" * 250 + ",")
    finding, mount = errors(RULE, long_pod)
    assert finding.startswith('spec.volumes[0].name: Invalid value: "tmp": PVC name "ppp')
    assert finding.endswith('...": must be no more than 253 characters')  # shortened
    assert mount == 'spec.containers[0].volumeMounts[0].name: Not found: "tmp"'
    # A template has no pod name yet: not checked (podMeta is nil in ValidatePodTemplateSpec).
    template = DEPLOYMENT.replace("name: d,", "name: " + "d" * 250 + ",").replace(
        "      containers:",
        "      volumes: [{name: tmp, ephemeral: " + good + "}]\n      containers:",
    )
    assert "ephemeral" in template and errors(RULE, template) == []
