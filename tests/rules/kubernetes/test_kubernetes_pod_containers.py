"""kubernetes-pod-containers: validateContainers and validateContainerPorts."""

from __future__ import annotations

from k8s_rule_util import errors, run
from pod_text import CRONJOB, DEPLOYMENT, POD

from tools.rules.kubernetes.pod_containers import RULE


def test_valid_pods_and_templates_pass() -> None:
    assert errors(RULE, POD) == []
    assert errors(RULE, DEPLOYMENT) == []
    assert errors(RULE, CRONJOB) == []


def test_container_names() -> None:
    (bad,) = errors(RULE, POD.replace("name: check", "name: Check_1"))
    assert bad.startswith('spec.containers[0].name: Invalid value: "Check_1": a lowercase RFC 1123')
    duplicate = POD + "    - {name: check, image: busybox}\n"
    assert errors(RULE, duplicate) == ['spec.containers[1].name: Duplicate value: "check"']
    init = POD.replace(
        "  containers:", "  initContainers:\n    - {name: check, image: busybox}\n  containers:"
    )
    (finding,) = run(RULE, init)
    assert finding.path == "/spec/initContainers/0/name"


def test_image_is_required_and_trimmed_in_pods() -> None:
    assert errors(RULE, POD.replace("image: docker.io/curlimages/curl:8.11.1", "image: ''")) == [
        "spec.containers[0].image: Required value"
    ]
    (space,) = errors(
        RULE, POD.replace("image: docker.io", "image: ' docker.io").replace(":8.11.1", ":8.11.1'")
    )
    assert "must not have leading or trailing whitespace" in space
    template = DEPLOYMENT.replace('image: "nginx:1.27"', 'image: " nginx:1.27"')
    assert errors(RULE, template) == []  # templates keep the old, lenient behaviour
    assert errors(RULE, DEPLOYMENT.replace(', image: "nginx:1.27"', "")) == [
        "spec.template.spec.containers[0].image: Required value"
    ]


def test_ports() -> None:
    (number,) = errors(RULE, POD.replace("containerPort: 8080", "containerPort: 70000"))
    assert number == (
        "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and "
        "65535, inclusive"
    )
    assert errors(RULE, POD.replace("containerPort: 8080", "containerPort: 0")) == [
        "spec.containers[0].ports[0].containerPort: Required value"
    ]
    (protocol,) = errors(RULE, POD.replace("protocol: TCP", "protocol: HTTP"))
    assert 'Unsupported value: "HTTP"' in protocol
    assert len(errors(RULE, POD.replace("name: http,", "name: http_1,"))) == 1
    twice = POD.replace(
        "        - {name: http, containerPort: 8080, protocol: TCP}",
        "        - {name: http, containerPort: 8080}\n        - {name: http, containerPort: 8081}",
    )
    assert errors(RULE, twice) == ['spec.containers[0].ports[1].name: Duplicate value: "http"']


def test_policies_and_empty_container_list() -> None:
    (pull,) = errors(
        RULE, POD.replace("      ports:", "      imagePullPolicy: always\n      ports:")
    )
    assert 'imagePullPolicy: Unsupported value: "always"' in pull
    assert errors(
        RULE,
        CRONJOB.replace("containers:\n            - {name: job, image: busybox}", "containers: []"),
    ) == ["spec.jobTemplate.spec.template.spec.containers: Required value"]


def test_host_network_ports_must_match() -> None:
    host = POD.replace("  restartPolicy: Never", "  restartPolicy: Never\n  hostNetwork: true")
    assert errors(RULE, host) == []  # hostPort 0 is defaulted to containerPort
    assert (
        errors(RULE, host.replace("containerPort: 8080,", "containerPort: 8080, hostPort: 8080,"))
        == []
    )
    (message,) = errors(
        RULE, host.replace("containerPort: 8080,", "containerPort: 8080, hostPort: 80,")
    )
    assert message == (
        "spec.containers[0].ports[0].hostPort: Invalid value: 80: must match `containerPort` "
        "when `hostNetwork` is true"
    )


def test_ephemeral_containers_cannot_be_created() -> None:
    """ValidatePodCreate: `spec.ephemeralContainers: Forbidden: cannot be set on create` (the
    real API server refuses such a Pod); ValidatePodTemplateSpec refuses them in templates."""
    debug = "  ephemeralContainers:\n    - {name: debug, image: busybox}\n"
    (finding,) = run(RULE, POD + debug)
    assert finding.message == "spec.ephemeralContainers: Forbidden: cannot be set on create"
    assert finding.path == "/spec/ephemeralContainers"
    template = DEPLOYMENT + "      ephemeralContainers: [{name: debug, image: busybox}]\n"
    assert errors(RULE, template) == [
        "spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed "
        "in pod template"
    ]
    assert errors(RULE, POD + "  ephemeralContainers: []\n") == []
    assert errors(RULE, POD + "  ephemeralContainers: {debug: x}\n") == []  # the schema's
