"""kubernetes-workload-spec: ValidateDeploymentSpec, ValidateStatefulSetSpec (with its claim
templates) and ValidateDaemonSetSpec after the apps/v1 defaults."""

from __future__ import annotations

import pytest
from k8s_rule_util import errors, run, warnings
from pod_text import DEPLOYMENT

from tools.rules.kubernetes.workload_spec import RULE

DAEMONSET = DEPLOYMENT.replace("kind: Deployment", "kind: DaemonSet")

STATEFULSET = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: todo}
spec:
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - {name: db, image: "postgres:17"}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
"""


def with_spec(text: str, lines: str) -> str:
    """``lines`` (two-space indented spec fields) added at the top of the spec."""
    return text.replace("spec:\n  selector:", f"spec:\n{lines}\n  selector:", 1)


def claim(spec: str, name: str = "data") -> str:
    """The StatefulSet with one claim template of ``spec`` (flow YAML)."""
    head, _, _ = STATEFULSET.partition("  volumeClaimTemplates:")
    return head + f"  volumeClaimTemplates:\n    - metadata: {{name: {name}}}\n      spec: {spec}\n"


def test_plain_workloads_pass() -> None:
    assert errors(RULE, DEPLOYMENT) == []
    assert errors(RULE, DAEMONSET) == []
    assert errors(RULE, STATEFULSET) == []


TRICKY = {
    # maxSurge defaults to 25% when only maxUnavailable is 0
    "deployment unavailable 0": (
        DEPLOYMENT,
        "  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0}}",
    ),
    "deployment percent and null": (
        DEPLOYMENT,
        "  strategy: {rollingUpdate: {maxUnavailable: 100%, maxSurge: 200%}}\n"
        "  replicas: 0\n  revisionHistoryLimit: 0",
    ),
    "deployment recreate": (DEPLOYMENT, "  strategy: {type: Recreate}"),
    "deployment recreate null rollingUpdate": (
        DEPLOYMENT,
        "  strategy: {type: Recreate, rollingUpdate: null}",
    ),
    "deployment deadline above minReady": (
        DEPLOYMENT,
        "  minReadySeconds: 599",
    ),
    "deployment explicit deadline": (
        DEPLOYMENT,
        "  minReadySeconds: 900\n  progressDeadlineSeconds: 901",
    ),
    "daemonset surge with unavailable 0": (
        DAEMONSET,
        "  updateStrategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}",
    ),
    "daemonset on delete": (DAEMONSET, "  updateStrategy: {type: OnDelete}"),
    # rollingUpdate is not looked at for OnDelete in a DaemonSet
    "daemonset on delete with rollingUpdate": (
        DAEMONSET,
        "  updateStrategy: {type: OnDelete, rollingUpdate: {maxSurge: 1}}",
    ),
    "daemonset empty rollingUpdate": (DAEMONSET, "  updateStrategy: {rollingUpdate: {}}"),
    "statefulset defaults and policies": (
        STATEFULSET,
        "  podManagementPolicy: Parallel\n  updateStrategy: {rollingUpdate: {partition: 2}}\n"
        "  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: ''}\n"
        "  ordinals: {start: 0}\n  replicas: 0",
    ),
    # serviceName is optional in 1.34
    "statefulset without serviceName": (STATEFULSET, "  minReadySeconds: 10"),
    "statefulset with serviceName": (STATEFULSET, "  serviceName: db-headless"),
    # revisionHistoryLimit is not validated for a StatefulSet
    "statefulset revisionHistoryLimit": (STATEFULSET, "  revisionHistoryLimit: -1"),
    "statefulset empty type": (
        STATEFULSET,
        "  updateStrategy: {type: '', rollingUpdate: {partition: 0}}",
    ),
}


@pytest.mark.parametrize("case", sorted(TRICKY))
def test_valid_but_tricky_specs_pass(case: str) -> None:
    text, lines = TRICKY[case]
    assert run(RULE, with_spec(text, lines)) == []


def test_deployment_strategy() -> None:
    both = with_spec(DEPLOYMENT, "  strategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 0%}}")
    assert errors(RULE, both) == [
        "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when "
        "`maxSurge` is 0"
    ]
    (finding,) = run(RULE, both)
    assert finding.path == "/spec/strategy/rollingUpdate/maxUnavailable"
    text = with_spec(
        DEPLOYMENT, "  strategy: {rollingUpdate: {maxSurge: '1', maxUnavailable: 101%}}"
    )
    assert errors(RULE, text) == [
        'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "101%": must not be greater '
        "than 100%",
        'spec.strategy.rollingUpdate.maxSurge: Invalid value: "1": a valid percent string must be '
        "a numeric string followed by an ending '%' (e.g. '1%' or '93%', regex used for "
        "validation is '[0-9]+%')",
    ]
    negative = with_spec(DEPLOYMENT, "  strategy: {rollingUpdate: {maxSurge: -1}}")
    assert errors(RULE, negative) == [
        "spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal "
        "to 0"
    ]
    recreate = with_spec(DEPLOYMENT, "  strategy: {type: Recreate, rollingUpdate: {}}")
    assert errors(RULE, recreate) == [
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
        "'Recreate'"
    ]
    blue = with_spec(DEPLOYMENT, "  strategy: {type: BlueGreen}")
    assert errors(RULE, blue) == [
        'spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", '
        '"RollingUpdate"'
    ]


def test_deployment_counts_and_deadline() -> None:
    counts = with_spec(DEPLOYMENT, "  replicas: -1\n  revisionHistoryLimit: -2")
    assert errors(RULE, counts) == [
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0",
    ]
    # progressDeadlineSeconds defaults to 600, so minReadySeconds 600 alone is refused
    (finding,) = run(RULE, with_spec(DEPLOYMENT, "  minReadySeconds: 600"))
    assert finding.message == (
        "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds "
        "(omitted, it defaults to 600)"
    )
    assert finding.path == "/spec/minReadySeconds"
    equal = with_spec(DEPLOYMENT, "  minReadySeconds: 30\n  progressDeadlineSeconds: 30")
    assert errors(RULE, equal) == [
        "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"
    ]


def test_active_deadline_in_a_template() -> None:
    text = DEPLOYMENT.replace("    spec:\n", "    spec:\n      activeDeadlineSeconds: 60\n")
    assert errors(RULE, text) == [
        "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in "
        "ReplicaSet is not Supported"
    ]
    daemon = text.replace("kind: Deployment", "kind: DaemonSet")
    assert "activeDeadlineSeconds in DaemonSet is not Supported" in errors(RULE, daemon)[0]


def test_daemonset_rolling_update() -> None:
    # maxUnavailable defaults to 1, so a surge alone is refused
    surge = with_spec(DAEMONSET, "  updateStrategy: {rollingUpdate: {maxSurge: 1}}")
    (finding,) = run(RULE, surge)
    assert finding.message.startswith(
        "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when "
        "maxUnavailable is non-zero"
    )
    zero = with_spec(DAEMONSET, "  updateStrategy: {rollingUpdate: {maxUnavailable: 0%}}")
    assert errors(RULE, zero) == [
        "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when "
        "maxSurge is 0"
    ]
    over = with_spec(
        DAEMONSET, "  updateStrategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 150%}}"
    )
    assert errors(RULE, over) == [
        'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: "150%": must not be greater '
        "than 100%"
    ]
    kind = with_spec(DAEMONSET, "  updateStrategy: {type: Recreate}\n  minReadySeconds: -5")
    assert errors(RULE, kind) == [
        "spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0",
        'spec.updateStrategy.type: Unsupported value: "Recreate": supported values: '
        '"RollingUpdate", "OnDelete"',
    ]


def test_statefulset_spec_fields() -> None:
    text = with_spec(
        STATEFULSET,
        "  podManagementPolicy: Ordered\n  serviceName: DB_svc\n  ordinals: {start: -1}\n"
        "  persistentVolumeClaimRetentionPolicy: {whenScaled: Keep}",
    )
    found = errors(RULE, text)
    assert found[0] == (
        "spec.podManagementPolicy: Invalid value: \"Ordered\": must be 'OrderedReady' or 'Parallel'"
    )
    assert found[1] == (
        'spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: "Keep": '
        'supported values: "Retain", "Delete"'
    )
    assert found[2] == "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0"
    assert found[3].startswith('spec.serviceName: Invalid value: "DB_svc": a lowercase RFC 1123')
    assert len(found) == 4


def test_statefulset_update_strategy() -> None:
    on_delete = with_spec(STATEFULSET, "  updateStrategy: {type: OnDelete, rollingUpdate: {}}")
    (message,) = errors(RULE, on_delete)
    assert message == (
        "spec.updateStrategy.rollingUpdate: Invalid value: {}: only allowed for updateStrategy "
        "'RollingUpdate'"
    )
    partition = with_spec(STATEFULSET, "  updateStrategy: {rollingUpdate: {partition: -1}}")
    assert errors(RULE, partition) == [
        "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or "
        "equal to 0"
    ]
    kind = with_spec(STATEFULSET, "  updateStrategy: {type: Recreate}")
    assert errors(RULE, kind) == [
        "spec.updateStrategy.type: Invalid value: \"Recreate\": must be 'RollingUpdate' or "
        "'OnDelete'"
    ]
    alpha = with_spec(STATEFULSET, "  updateStrategy: {rollingUpdate: {maxUnavailable: 2}}")
    assert errors(RULE, alpha) == []
    (warning,) = warnings(RULE, alpha)
    assert "MaxUnavailableStatefulSet" in warning


def test_volume_claim_templates() -> None:
    assert errors(RULE, claim("{}")) == [
        "spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode "
        "is required",
        "spec.volumeClaimTemplates[0].spec.resources[storage]: Required value",
    ]
    modes = claim("{accessModes: [ReadWriteOncePod, RWO, ReadOnlyMany], "
                  "resources: {requests: {storage: 0}}}")  # fmt: skip
    assert errors(RULE, modes) == [
        'spec.volumeClaimTemplates[0].spec.accessModes: Unsupported value: "RWO": supported '
        'values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
        "spec.volumeClaimTemplates[0].spec.accessModes: Forbidden: may not use ReadWriteOncePod "
        "with other access modes",
        "spec.volumeClaimTemplates[0].spec.resources[storage]: Invalid value: 0: must be greater "
        "than zero",
    ]
    (finding,) = [f for f in run(RULE, modes) if "storage" in f.message]
    assert finding.path == "/spec/volumeClaimTemplates/0/spec/resources/requests/storage"
    other = claim("{accessModes: [ReadWriteOnce], storageClassName: Fast_SSD, volumeMode: Raw, "
                  "resources: {requests: {storage: 1GB}}}")  # fmt: skip
    found = errors(RULE, other)
    assert found[0].startswith("spec.volumeClaimTemplates[0].spec.resources[storage]: Invalid")
    assert found[1].startswith(
        'spec.volumeClaimTemplates[0].spec.storageClassName: Invalid value: "Fast_SSD"'
    )
    assert found[2] == (
        'spec.volumeClaimTemplates[0].spec.volumeMode: Unsupported value: "Raw": supported '
        'values: "Block", "Filesystem"'
    )
    assert len(found) == 3


def test_claim_template_names() -> None:
    spec = "{accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}"
    (message,) = errors(RULE, claim(spec, name="Data"))
    assert message.startswith('spec.volumeClaimTemplates[0].metadata.name: Invalid value: "Data"')
    assert "as a volume of this name" in message
    unnamed = claim(spec).replace("metadata: {name: data}", "metadata: {}")
    assert errors(RULE, unnamed) == [
        "spec.volumeClaimTemplates[0].metadata.name: Required value: the StatefulSet adds the "
        "claim to its pods as a volume of this name"
    ]


def test_tricky_claims_pass() -> None:
    ok = claim("{accessModes: [ReadWriteOncePod], storageClassName: '', volumeMode: Block, "
               "resources: {requests: {storage: 500M}, limits: {storage: 1Gi}}, "
               "selector: {matchLabels: {tier: db}}}")  # fmt: skip
    assert run(RULE, ok) == []


NINES = "9" * 5000  # beyond Python's default int-from-string limit


@pytest.mark.parametrize(
    "lines",
    [
        "  strategy: [1]",
        "  strategy: {type: [x], rollingUpdate: 5}",
        "  strategy: {rollingUpdate: {maxSurge: 1.5, maxUnavailable: true}}",
        "  updateStrategy: {rollingUpdate: [1]}",
        "  replicas: '3'",
        "  minReadySeconds: null\n  progressDeadlineSeconds: null",
        "  volumeClaimTemplates: [1, {metadata: [], spec: []}, {metadata: {name: [x]}}]",
        "  persistentVolumeClaimRetentionPolicy: [Retain]\n  ordinals: 3",
        f"  strategy: {{rollingUpdate: {{maxSurge: '{NINES}', maxUnavailable: '{NINES}%'}}}}",
        f"  updateStrategy: {{rollingUpdate: {{maxSurge: '-{'1' * 5000}'}}}}",
    ],
)
def test_hostile_shapes_do_not_crash(lines: str) -> None:
    for text in (DEPLOYMENT, DAEMONSET, STATEFULSET):
        run(RULE, with_spec(text, lines))
