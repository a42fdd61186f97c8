"""kubernetes-pod-template-metadata: template labels and annotations (ValidatePodTemplateSpec)."""

from __future__ import annotations

from k8s_rule_util import errors, run
from pod_text import CRONJOB, DEPLOYMENT, POD

from tools.rules.kubernetes.pod_template_metadata import RULE

META = "    metadata: {labels: {app: d}}"


def template(metadata: str) -> list[str]:
    return errors(RULE, DEPLOYMENT.replace(META, "    metadata: " + metadata))


def test_valid_templates_pass() -> None:
    assert errors(RULE, DEPLOYMENT) == []
    assert errors(RULE, CRONJOB) == []
    assert (
        template(
            "{labels: {app.kubernetes.io/name: x, empty: ''}, annotations: {Dapr.io/App-Id: a}}"
        )
        == []
    )
    assert (
        errors(
            RULE, POD.replace("metadata: {name: p,", "metadata: {labels: {'bad key': x}, name: p,")
        )
        == []
    )


def test_label_keys_and_values() -> None:
    (value,) = template("{labels: {app: " + "x" * 64 + "}}")
    assert value.startswith('spec.template.labels: Invalid value: "xxxx')
    assert value.endswith("must be no more than 63 characters")
    (finding,) = run(RULE, DEPLOYMENT.replace(META, "    metadata: {labels: {'bad key!': x}}"))
    assert finding.path == "/spec/template/metadata/labels/bad key!"


def test_annotations() -> None:
    assert len(template("{annotations: {'bad key!': x}}")) == 1
    (size,) = template("{annotations: {a: " + "x" * (256 * 1024) + "}}")
    assert size == "spec.template.annotations: Too long: must have at most 262144 bytes"
