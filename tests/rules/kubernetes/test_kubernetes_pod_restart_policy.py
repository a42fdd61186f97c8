"""kubernetes-pod-restart-policy: pod, workload template and container restart policies."""

from __future__ import annotations

from k8s_rule_util import errors, run, warnings
from pod_text import CRONJOB, DEPLOYMENT, POD

from tools.rules.kubernetes.pod_restart_policy import RULE


def test_valid_policies_pass() -> None:
    assert errors(RULE, POD) == []
    assert errors(RULE, POD.replace("restartPolicy: Never\n", "")) == []  # defaults to Always
    assert errors(RULE, DEPLOYMENT) == []
    assert errors(RULE, CRONJOB) == []


def test_pod_policy_values() -> None:
    assert errors(RULE, POD.replace("restartPolicy: Never", "restartPolicy: never")) == [
        'spec.restartPolicy: Unsupported value: "never": supported values: "Always", '
        '"OnFailure", "Never"'
    ]


def test_workloads_constrain_the_policy() -> None:
    deployment = DEPLOYMENT.replace(
        "      containers:", "      restartPolicy: Never\n      containers:"
    )
    assert errors(RULE, deployment) == [
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'
    ]
    (missing,) = errors(RULE, CRONJOB.replace("          restartPolicy: OnFailure\n", ""))
    assert missing == (
        "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "
        '"OnFailure", "Never"'
    )
    assert len(errors(RULE, CRONJOB.replace("OnFailure", "Always"))) == 1


def test_container_policies_are_dropped_with_default_gates() -> None:
    """The API server accepts (HTTP 201) both Pods: dropContainerRestartRules removes a regular
    container's restartPolicy and an init container's non-Always one before validation while
    the ContainerRestartRules gate is off (its 1.34 default). A warning, not an error."""
    regular = POD.replace(
        "      image: docker.io", "      restartPolicy: Always\n      image: docker.io"
    )
    assert errors(RULE, regular) == []
    (finding,) = run(RULE, regular)
    assert finding.path == "/spec/containers/0/restartPolicy"
    assert finding.message == (
        "spec.containers[0].restartPolicy: ignored: the API server drops it before validation "
        "unless the alpha feature gate ContainerRestartRules is enabled (off by default in "
        "1.34); the container restarts as the pod's restartPolicy says"
    )
    sidecar = POD.replace(
        "  containers:",
        "  initContainers:\n"
        "    - {name: proxy, image: envoy, restartPolicy: Always}\n"
        "  containers:",
    )
    assert run(RULE, sidecar) == []
    never = sidecar.replace("restartPolicy: Always}", "restartPolicy: Never}")
    assert errors(RULE, never) == []
    assert warnings(RULE, never) == [
        "spec.initContainers[0].restartPolicy: ignored: the API server drops it before "
        "validation unless the alpha feature gate ContainerRestartRules is enabled (off by "
        "default in 1.34); it stays an ordinary init container (only Always makes a sidecar)"
    ]
    assert run(RULE, sidecar.replace("restartPolicy: Always}", "restartPolicy: 5}")) == []


def test_statefulsets_and_daemonsets_always_restart() -> None:
    for kind in ("StatefulSet", "DaemonSet"):
        text = DEPLOYMENT.replace("kind: Deployment", f"kind: {kind}").replace(
            "      containers:", "      restartPolicy: OnFailure\n      containers:"
        )
        assert len(errors(RULE, text)) == 1, kind
