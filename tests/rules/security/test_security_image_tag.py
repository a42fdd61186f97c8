"""security-image-tag: images without a tag or tagged 'latest', and no digest."""

from __future__ import annotations

import pytest
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security._images import ImageReference, parse_image
from tools.rules.security.image_tag import RULE

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: todo
  annotations: {{{annotations}}}
spec:
  containers:
    - name: app
      image: {image}
{extra}"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: d, namespace: todo}}
spec:
  selector: {{matchLabels: {{app: d}}}}
  template:
    metadata:
      labels: {{app: d}}
      annotations: {{{annotations}}}
    spec:
      initContainers:
        - {{name: migrate, image: {init}}}
      containers:
        - {{name: app, image: "registry.example/app:1.0@sha256:0123abcd"}}
"""

DAPR = '"dapr.io/enabled": "true", "dapr.io/app-id": "backend"'


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def pod(image: str, annotations: str = "", extra: str = "") -> list[Finding]:
    return run(POD.format(image=image, annotations=annotations, extra=extra))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("app", ImageReference("app", None, None)),
        ("app:1.0", ImageReference("app", "1.0", None)),
        ("registry.example:5000/app", ImageReference("registry.example:5000/app", None, None)),
        (
            "registry.example:5000/ns/app:v2",
            ImageReference("registry.example:5000/ns/app", "v2", None),
        ),
        ("app@sha256:abcd", ImageReference("app", None, "sha256:abcd")),
        (
            "localhost:5000/app:latest@sha256:ab",
            ImageReference("localhost:5000/app", "latest", "sha256:ab"),
        ),
        (
            "docker.io/library/busybox:1.36.1",
            ImageReference("docker.io/library/busybox", "1.36.1", None),
        ),
    ],
)
def test_references_split_as_the_runtime_splits_them(text: str, expected: ImageReference) -> None:
    assert parse_image(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " app",
        "app ",
        "app:",
        "app@",
        "app@sha256",
        "app@:abc",
        "app:-x",
        "app:a/b:c",
        "host:port/app",
        "a:b:c",
        "/app",
        "app/",
        "a//b",
        "app:" + "x" * 129,
        "a" * 2000,
    ],
)
def test_what_is_not_a_reference_is_left_alone(text: str) -> None:
    assert parse_image(text) is None


def test_an_untagged_image_means_latest_and_is_pulled_always() -> None:
    [finding] = pod("registry.example/app")
    assert (finding.rule, finding.severity, finding.path) == (
        RULE.id,
        Severity.WARNING,
        "/spec/containers/0/image",
    )
    assert "has no tag, so it means ':latest'" in finding.message
    assert "imagePullPolicy defaults to Always" in finding.message


def test_the_latest_tag_is_reported_and_a_registry_port_is_not_a_tag() -> None:
    [latest] = pod("registry.example:5000/app:latest")
    assert "uses the tag 'latest'" in latest.message
    [untagged] = pod("registry.example:5000/app")
    assert "has no tag" in untagged.message
    assert pod("registry.example:5000/app:1.2.3") == []


def test_the_written_pull_policy_changes_the_consequence() -> None:
    [finding] = pod("app:latest", extra="      imagePullPolicy: IfNotPresent\n")
    assert "each node keeps the build it pulled first" in finding.message
    [finding] = pod("app:latest", extra="      imagePullPolicy: Always\n")
    assert "replicas and restarts can differ" in finding.message


def test_a_digest_pins_the_image_whatever_the_tag() -> None:
    assert pod("registry.example/app@sha256:0123abcd") == []
    assert pod("registry.example/app:latest@sha256:0123abcd") == []
    # Only the exact tag 'latest' is the default one (ParseImageName compares it as is).
    assert pod("registry.example/app:LATEST") == []


def test_init_containers_of_templates_are_checked() -> None:
    [finding] = run(DEPLOYMENT.format(init="busybox", annotations=""))
    assert finding.path == "/spec/template/spec/initContainers/0/image"
    assert "init container 'migrate'" in finding.message


def test_the_daprd_image_annotation_of_a_dapr_pod() -> None:
    annotations = DAPR + ', "dapr.io/sidecar-image": "ghcr.io/dapr/daprd:latest"'
    [finding] = run(DEPLOYMENT.format(init="busybox:1.36", annotations=annotations))
    assert finding.path == "/spec/template/metadata/annotations/dapr.io~1sidecar-image"
    assert "the daprd sidecar" in finding.message
    assert "control plane" in finding.message
    pinned = DAPR + ', "dapr.io/sidecar-image": "ghcr.io/dapr/daprd:1.18.3"'
    assert run(DEPLOYMENT.format(init="busybox:1.36", annotations=pinned)) == []


def test_the_annotation_counts_only_where_the_injector_patches_the_pod() -> None:
    image = '"dapr.io/sidecar-image": "daprio/daprd"'
    assert pod("app:1.0", annotations='"dapr.io/enabled": "false", ' + image) == []
    assert pod("app:1.0", annotations=image) == []
    # A pod that already has a daprd container is not patched (NeedsPatching).
    daprd = "    - name: daprd\n      image: daprio/daprd:1.18.3\n"
    assert pod("app:1.0", annotations=DAPR + ", " + image, extra=daprd) == []
    # The injector compares the annotation with "true", case aside (podHasDaprEnabled).
    [finding] = pod("app:1.0", annotations='"dapr.io/enabled": "TRUE", ' + image)
    assert finding.path == "/metadata/annotations/dapr.io~1sidecar-image"


def test_hostile_shapes_do_not_crash() -> None:
    assert pod("[a, b]") == []
    assert pod("{a: 1}") == []
    assert pod("12") == []
    hostile = """\
apiVersion: v1
kind: Pod
metadata: {name: p, annotations: [x]}
spec: {containers: {name: app}, initContainers: [1, null, [image]]}
"""
    assert run(hostile) == []
    assert run("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: [1]\n") == []
