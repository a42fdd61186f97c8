"""kubernetes-pod-probes: validateProbe, validateHandler, validateLifecycle."""

from __future__ import annotations

from k8s_rule_util import errors
from pod_text import DEPLOYMENT, POD

from tools.rules.kubernetes.pod_probes import RULE

CONTAINER = '        - {name: app, image: "nginx:1.27"}'


def with_container(extra: str) -> list[str]:
    line = CONTAINER[:-1] + ", " + extra + "}"
    return errors(RULE, DEPLOYMENT.replace(CONTAINER, line))


def test_valid_probes_pass() -> None:
    assert errors(RULE, POD) == []
    assert with_container("livenessProbe: {httpGet: {path: /healthz, port: http}}") == []
    assert with_container("readinessProbe: {tcpSocket: {port: 8080}, successThreshold: 3}") == []
    assert with_container("startupProbe: {grpc: {port: 9090}, failureThreshold: 30}") == []
    assert with_container("lifecycle: {preStop: {exec: {command: [sh, -c, sleep 5]}}}") == []


def test_handlers() -> None:
    assert with_container("livenessProbe: {periodSeconds: 5}") == [
        "spec.template.spec.containers[0].livenessProbe: Required value: must specify a "
        "handler type"
    ]
    (two,) = with_container("readinessProbe: {exec: {command: [x]}, tcpSocket: {port: 80}}")
    assert "readinessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type" in two
    (port,) = with_container("livenessProbe: {httpGet: {path: /, port: 70000}}")
    assert "livenessProbe.httpGet.port: Invalid value: 70000: must be between 1 and 65535" in port
    (named,) = with_container("livenessProbe: {tcpSocket: {port: '8080'}}")
    assert "must contain at least one letter" in named
    (exec_,) = with_container("lifecycle: {postStart: {exec: {command: []}}}")
    assert exec_.endswith("lifecycle.postStart.exec.command: Required value")


def test_thresholds() -> None:
    (success,) = with_container("livenessProbe: {exec: {command: [x]}, successThreshold: 2}")
    assert success == (
        "spec.template.spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: "
        "must be 1"
    )
    assert len(with_container("readinessProbe: {exec: {command: [x]}, periodSeconds: -1}")) == 1


def test_init_containers_take_probes_only_as_sidecars() -> None:
    init = "  initContainers:\n    - {name: init, image: busybox, PROBE}\n  containers:"
    plain = POD.replace(
        "  containers:", init.replace("PROBE", "readinessProbe: {exec: {command: [x]}}")
    )
    assert errors(RULE, plain) == [
        "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers "
        "without restartPolicy=Always"
    ]
    sidecar = POD.replace(
        "  containers:",
        init.replace("PROBE", "restartPolicy: Always, readinessProbe: {exec: {command: [x]}}"),
    )
    assert errors(RULE, sidecar) == []
