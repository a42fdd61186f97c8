"""kubernetes-job: the Job spec checks of the batch validation (Jobs and CronJob templates)."""

from __future__ import annotations

import pytest
from k8s_rule_util import errors, run
from pod_text import CRONJOB

from tools.rules.kubernetes.job import RULE

JOB = """\
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: todo}
spec:
  FIELDS
  template:
    metadata: {labels: {app: migrate}}
    spec:
      restartPolicy: Never
      containers:
        - {name: main, image: busybox}
      initContainers:
        - {name: setup, image: busybox}
"""


def job(*fields: str) -> str:
    return JOB.replace("FIELDS", "\n  ".join(fields) or "suspend: false")


def cron(*fields: str) -> str:
    old = "    spec:\n      template:"
    return CRONJOB.replace(old, "    spec:\n      " + "\n      ".join(fields) + "\n      template:")


VALID = {
    "defaults": (),
    "zero counts": (
        "parallelism: 0",
        "completions: 0",
        "backoffLimit: 0",
        "activeDeadlineSeconds: 0",
        "ttlSecondsAfterFinished: 0",
    ),
    # SetDefaults_Job gives completions 1 when neither completions nor parallelism is set
    "indexed, completions defaulted": ("completionMode: Indexed",),
    "indexed per index": (
        "completionMode: Indexed",
        "completions: 10",
        "parallelism: 3",
        "backoffLimitPerIndex: 1",
        "maxFailedIndexes: 10",
        "podFailurePolicy: {rules: [{action: FailIndex, "
        "onExitCodes: {operator: In, values: [3]}}]}",
    ),
    "failure policy": (
        "podFailurePolicy: {rules: ["
        "{action: FailJob, onExitCodes: {containerName: setup, operator: In, values: [1, 2, 42]}},"
        "{action: Ignore, onPodConditions: [{type: DisruptionTarget, status: ''}]},"
        "{action: Count, onExitCodes: {operator: NotIn, values: [0]}}]}",
        "podReplacementPolicy: Failed",
    ),
    "success policy": (
        "completionMode: Indexed",
        "completions: 10",
        "successPolicy: {rules: [{succeededIndexes: '0-2,5,+7', succeededCount: 4}]}",
    ),
    "managed by": ("managedBy: kueue.x-k8s.io/multikueue",),
    "manual selector": ("manualSelector: true", "selector: {matchLabels: {app: migrate}}"),
    "selector naming the job": (
        "selector: {matchLabels: {batch.kubernetes.io/job-name: migrate}}",
    ),
    "selector requiring a uid label": (
        "selector: {matchExpressions: [{key: batch.kubernetes.io/controller-uid, "
        "operator: Exists}, {key: controller-uid, operator: NotIn, values: [u]}]}",
    ),
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_job_specs_are_clean(case: str) -> None:
    assert errors(RULE, job(*VALID[case])) == []


def test_cronjob_template_without_defaults_is_clean() -> None:
    assert errors(RULE, CRONJOB) == []
    assert errors(RULE, cron("completionMode: Indexed", "completions: 4", "parallelism: 2")) == []


REFUSED = {
    "negative parallelism": (
        ("parallelism: -1",),
        "/spec/parallelism",
        "spec.parallelism: Invalid value: -1: must be greater than or equal to 0",
    ),
    "negative ttl": (
        ("ttlSecondsAfterFinished: -5",),
        "/spec/ttlSecondsAfterFinished",
        "spec.ttlSecondsAfterFinished: Invalid value: -5: must be greater than or equal to 0",
    ),
    "unknown mode": (
        ("completionMode: indexed",),
        "/spec/completionMode",
        'spec.completionMode: Unsupported value: "indexed": supported values: "NonIndexed", '
        '"Indexed"',
    ),
    "indexed without completions": (
        ("completionMode: Indexed", "parallelism: 2"),
        "/spec/completionMode",
        "spec.completions: Required value: when completion mode is Indexed",
    ),
    "indexed parallelism": (
        ("completionMode: Indexed", "completions: 5", "parallelism: 100001"),
        "/spec/parallelism",
        "must be less than or equal to 100000 when completion mode is Indexed",
    ),
    "per index without indexed": (
        ("backoffLimitPerIndex: 1",),
        "/spec/backoffLimitPerIndex",
        "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
    ),
    "max failed without per index": (
        ("completionMode: Indexed", "completions: 3", "maxFailedIndexes: 1"),
        "/spec/maxFailedIndexes",
        "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified",
    ),
    "max failed above completions": (
        (
            "completionMode: Indexed",
            "completions: 3",
            "backoffLimitPerIndex: 1",
            "maxFailedIndexes: 4",
        ),
        "/spec/maxFailedIndexes",
        "spec.maxFailedIndexes: Invalid value: 4: must be less than or equal to completions",
    ),
    "managed by without domain": (
        ("managedBy: kueue",),
        "/spec/managedBy",
        'must be a domain-prefixed path (such as "acme.io/foo")',
    ),
    "unknown action": (
        ("podFailurePolicy: {rules: [{action: Fail, onExitCodes: {operator: In, values: [1]}}]}",),
        "/spec/podFailurePolicy/rules/0/action",
        'spec.podFailurePolicy.rules[0].action: Unsupported value: "Fail"',
    ),
    "fail index without per index": (
        (
            "podFailurePolicy: {rules: [{action: FailIndex, onExitCodes: {operator: In, "
            "values: [1]}}]}",
        ),
        "/spec/podFailurePolicy/rules/0/action",
        "requires the backoffLimitPerIndex to be set",
    ),
    "neither requirement": (
        ("podFailurePolicy: {rules: [{action: Ignore}]}",),
        "/spec/podFailurePolicy/rules/0",
        "specifying one of OnExitCodes and OnPodConditions is required",
    ),
    "both requirements": (
        (
            "podFailurePolicy: {rules: [{action: Ignore, "
            "onExitCodes: {operator: NotIn, values: [0]},"
            " onPodConditions: [{type: DisruptionTarget, status: 'True'}]}]}",
        ),
        "/spec/podFailurePolicy/rules/0",
        "specifying both OnExitCodes and OnPodConditions is not supported",
    ),
    "exit code 0 under In": (
        (
            "podFailurePolicy: {rules: [{action: Ignore, "
            "onExitCodes: {operator: In, values: [0]}}]}",
        ),
        "/spec/podFailurePolicy/rules/0/onExitCodes/values/0",
        "must not be 0 for the In operator",
    ),
    "unordered exit codes": (
        (
            "podFailurePolicy: {rules: [{action: Ignore, onExitCodes: {operator: NotIn, "
            "values: [5, 3]}}]}",
        ),
        "/spec/podFailurePolicy/rules/0/onExitCodes/values",
        "must be ordered",
    ),
    "duplicate exit codes": (
        (
            "podFailurePolicy: {rules: [{action: Ignore, onExitCodes: {operator: NotIn, "
            "values: [3, 3]}}]}",
        ),
        "/spec/podFailurePolicy/rules/0/onExitCodes/values/1",
        "Duplicate value: 3",
    ),
    "no exit codes": (
        (
            "podFailurePolicy: {rules: [{action: Ignore, "
            "onExitCodes: {operator: NotIn, values: []}}]}",
        ),
        "/spec/podFailurePolicy/rules/0/onExitCodes/values",
        "at least one value is required",
    ),
    "unknown container": (
        (
            "podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {containerName: sidecar, "
            "operator: In, values: [1]}}]}",
        ),
        "/spec/podFailurePolicy/rules/0/onExitCodes/containerName",
        "must be one of the container or initContainer names in the pod template",
    ),
    "condition status": (
        (
            "podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget,"
            " status: 'true'}]}]}",
        ),
        "/spec/podFailurePolicy/rules/0/onPodConditions/0/status",
        'Unsupported value: "true": supported values: "False", "True", "Unknown"',
    ),
    "replacement with failure policy": (
        (
            "podReplacementPolicy: TerminatingOrFailed",
            "podFailurePolicy: {rules: [{action: Ignore, "
            "onExitCodes: {operator: NotIn, values: [1]}}]}",
        ),
        "/spec/podReplacementPolicy",
        'spec.podReplacementPolicy: Unsupported value: "TerminatingOrFailed": supported values: '
        '"Failed"',
    ),
    "success policy not indexed": (
        ("successPolicy: {rules: [{succeededCount: 1}]}",),
        "/spec/successPolicy",
        "spec.successPolicy: Invalid value: requires indexed completion mode",
    ),
    "succeeded indexes order": (
        (
            "completionMode: Indexed",
            "completions: 10",
            "successPolicy: {rules: [{succeededIndexes: '5,2'}]}",
        ),
        "/spec/successPolicy/rules/0/succeededIndexes",
        "error parsing succeededIndexes: non-increasing order, previous: 5, current: 2",
    ),
    "succeeded index too large": (
        (
            "completionMode: Indexed",
            "completions: 10",
            "successPolicy: {rules: [{succeededIndexes: '1-10'}]}",
        ),
        "/spec/successPolicy/rules/0/succeededIndexes",
        'too large index: "10"',
    ),
    "succeeded count above indexes": (
        (
            "completionMode: Indexed",
            "completions: 10",
            "successPolicy: {rules: [{succeededIndexes: '1-2', succeededCount: 3}]}",
        ),
        "/spec/successPolicy/rules/0/succeededCount",
        "must be less than or equal to 2 (the number of indexes in the specified "
        "succeededIndexes field)",
    ),
    "user selector not generated": (
        ("selector: {matchLabels: {app: migrate}}",),
        "/spec/selector",
        "spec.selector: Invalid value: `selector` not auto-generated",
    ),
    # The API server: `spec.selector: Invalid value: {"matchLabels":
    # {"batch.kubernetes.io/controller-uid":"u"}}: `selector` not auto-generated` -- the uid is
    # assigned on create, so no value written in the manifest can match it.
    "selector naming a uid": (
        ("selector: {matchLabels: {batch.kubernetes.io/controller-uid: u}}",),
        "/spec/selector",
        "spec.selector: Invalid value: `selector` not auto-generated (leave it out, or set "
        "manualSelector: true); its controller-uid value must be the Job's uid, which the API "
        "server assigns on create",
    ),
    "selector naming a legacy uid": (
        ("selector: {matchLabels: {controller-uid: u}}",),
        "/spec/selector",
        "`selector` not auto-generated",
    ),
    "manual selector missing": (
        ("manualSelector: true",),
        "/spec",
        "spec.selector: Required value",
    ),
    "manual selector mismatch": (
        ("manualSelector: true", "selector: {matchLabels: {app: other}}"),
        "/spec/template/metadata/labels",
        "`selector` does not match template `labels`",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_job_specs(case: str) -> None:
    fields, path, fragment = REFUSED[case]
    findings = run(RULE, job(*fields))
    assert findings, case
    assert any(fragment in f.message and f.path == path for f in findings), [
        (f.path, f.message) for f in findings
    ]
    assert all(f.rule == "kubernetes-job" and f.is_error for f in findings)


def test_job_name_labels_and_indexed_hostnames() -> None:
    named = job().replace("labels: {app: migrate}", "labels: {app: migrate, job-name: other}")
    (finding,) = run(RULE, named)
    assert (
        finding.message
        == "spec.template.metadata.labels[job-name]: Invalid value: must be 'migrate'"
    )
    uid = job().replace("{app: migrate}", "{app: migrate, controller-uid: abc}")
    assert "must be the Job's uid" in errors(RULE, uid)[0]
    long_name = job("completionMode: Indexed", "completions: 100").replace(
        "name: migrate", "name: " + "m" * 61
    )
    (message,) = errors(RULE, long_name)
    assert message.startswith("metadata.name: Invalid value:") and "invalid DNS label" in message


def test_cronjob_template_rules() -> None:
    # a CronJob's jobTemplate gets no completions default
    (message,) = errors(RULE, cron("completionMode: Indexed"))
    assert (
        message
        == "spec.jobTemplate.spec.completions: Required value: when completion mode is Indexed"
    )
    (finding,) = run(RULE, cron("selector: {matchLabels: {app: x}}"))
    assert finding.path == "/spec/jobTemplate/spec/selector"
    assert "`selector` will be auto-generated" in finding.message
    (message,) = errors(RULE, cron("manualSelector: true"))
    assert message == (
        'spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", '
        '"false"'
    )
    (message,) = errors(RULE, cron("backoffLimit: -1"))
    assert message.startswith("spec.jobTemplate.spec.backoffLimit: Invalid value: -1")


def test_hostile_shapes_do_not_crash() -> None:
    for fields in (
        ("podFailurePolicy: {rules: [1, {action: 3, onExitCodes: {values: [a, null]}}]}",),
        ("podFailurePolicy: []", "successPolicy: 7"),
        (
            "completionMode: Indexed",
            "completions: 5",
            "successPolicy: {rules: [{succeededIndexes: '99999999999999999999999-1,,--'}]}",
        ),
        ("selector: [a]", "manualSelector: yes"),
        ("managedBy: ''",),
    ):
        run(RULE, job(*fields))
    run(RULE, "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: 3\n")


def test_a_selector_key_of_another_type_next_to_a_uid_label() -> None:
    """A list as a matchExpressions key beside a controller-uid label: the uid hint reads only
    string keys (it once crashed on the unhashable list)."""
    found = errors(
        RULE,
        job(
            "selector: {matchLabels: {controller-uid: x}, "
            "matchExpressions: [{key: [1], operator: Exists}]}"
        ),
    )
    assert any("`selector` not auto-generated" in message for message in found)
