"""security-image-digest: a release tag without a digest."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.image_digest import RULE

CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {{name: c, namespace: todo}}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations: {{{annotations}}}
        spec:
          restartPolicy: Never
          containers:
            - {{name: job, image: "{image}"}}
"""


def run(image: str, annotations: str = "") -> list[Finding]:
    return check(RULE, CRONJOB.format(image=image, annotations=annotations))


def test_a_tag_without_digest_is_a_warning() -> None:
    [finding] = run("docker.io/curlimages/curl:8.11.1")
    assert (finding.rule, finding.severity, finding.path) == (
        RULE.id,
        Severity.WARNING,
        "/spec/jobTemplate/spec/template/spec/containers/0/image",
    )
    assert "pinned by tag only" in finding.message
    assert "'8.11.1'" in finding.message


def test_a_digest_passes_with_or_without_tag() -> None:
    assert run("docker.io/curlimages/curl:8.11.1@sha256:c1fe1679c34d") == []
    assert run("docker.io/curlimages/curl@sha256:c1fe1679c34d") == []


def test_untagged_and_latest_are_left_to_security_image_tag() -> None:
    assert run("docker.io/curlimages/curl") == []
    assert run("docker.io/curlimages/curl:latest") == []
    assert run("registry.example:5000/curl") == []
    assert run("not a reference:") == []


def test_the_daprd_image_annotation() -> None:
    annotations = '"dapr.io/enabled": "true", "dapr.io/sidecar-image": "ghcr.io/dapr/daprd:1.18.3"'
    findings = run("app:1@sha256:ab", annotations)
    assert [(f.severity, f.path) for f in findings] == [
        (
            Severity.WARNING,
            "/spec/jobTemplate/spec/template/metadata/annotations/dapr.io~1sidecar-image",
        )
    ]
    assert "the daprd sidecar" in findings[0].message
