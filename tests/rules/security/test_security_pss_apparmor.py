"""security-pss-apparmor: forbidden AppArmor profile types and legacy annotations
(appArmorProfile_1_0)."""

from __future__ import annotations

from typing import Any

from pss_docs import cronjob, deployment, namespace, pod, run_docs

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_apparmor import RULE, go_quote


def run(*docs: dict[str, Any]) -> list[Finding]:
    return run_docs(RULE, *docs)


PREFIX = "container.apparmor.security.beta.kubernetes.io/"


def profile(kind: Any, **more: Any) -> dict[str, Any]:
    return {"appArmorProfile": {"type": kind, **more}}


def container(name: str, context: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "image": "registry.example/app:1.0"}
    if context is not None:
        body["securityContext"] = context
    return body


def test_allowed_profiles_and_annotations_pass() -> None:
    spec = {
        "securityContext": profile("RuntimeDefault"),
        "initContainers": [container("init", profile("Localhost", localhostProfile="k8s-app"))],
        "containers": [container("app"), container("side", {"runAsNonRoot": True})],
    }
    annotations = {
        PREFIX + "app": "runtime/default",
        PREFIX + "side": "localhost/k8s-app",
        PREFIX + "init": "localhost/k8s-app",
        "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
        "container.apparmor.security.beta.kubernetes.io": "unconfined",
    }
    assert run(pod(spec, annotations)) == []
    # An empty annotation is allowed too; the API server refuses it ("apparmor type in
    # annotation and field must match") next to any profile field, so here there is none.
    assert run(pod({"containers": [container("app")]}, {PREFIX + "app": ""})) == []


def test_an_unconfined_pod_is_refused() -> None:
    spec = {"securityContext": profile("Unconfined"), "containers": [container("app")]}
    [finding] = run(pod(spec))
    assert (finding.rule, finding.severity, finding.path) == (
        "security-pss-apparmor",
        Severity.ERROR,
        "/spec/securityContext/appArmorProfile/type",
    )
    assert finding.message.startswith(
        'forbidden AppArmor profile (pod must not set AppArmor profile type to "Unconfined"). '
        "The namespace enforces the 'baseline' Pod Security level"
    )
    assert "refuses this Pod" in finding.message


def test_one_finding_for_fields_and_annotations_at_the_first() -> None:
    spec = {
        "initContainers": [container("a", profile("Unconfined"))],
        "containers": [container("b"), container("c", profile("Localhost"))],
        "ephemeralContainers": [container("d", profile("Other"))],
    }
    annotations = {PREFIX + "b": "unconfined", PREFIX + "a": "docker-default"}
    [finding] = run(pod(spec, annotations))
    assert finding.path == "/spec/initContainers/0/securityContext/appArmorProfile/type"
    assert (
        'forbidden AppArmor profiles (containers "a", "d" and annotations must not set AppArmor '
        f'profile type to "Other", "Unconfined", "{PREFIX}a="docker-default"", '
        f'"{PREFIX}b="unconfined"")'
    ) in finding.message


def test_one_value_set_by_many_is_one_profile() -> None:
    spec = {
        "securityContext": profile("Unconfined"),
        "containers": [
            container("a", profile("Unconfined")),
            container("b", profile("Unconfined")),
        ],
    }
    [finding] = run(pod(spec))
    assert finding.path == "/spec/securityContext/appArmorProfile/type"
    assert (
        'forbidden AppArmor profile (pod and containers "a", "b" must not set AppArmor profile '
        'type to "Unconfined")'
    ) in finding.message


def test_an_annotation_alone() -> None:
    [finding] = run(pod({"containers": [container("app")]}, {PREFIX + "app": "unconfined"}))
    assert (
        finding.path == "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"
    )
    assert (
        "forbidden AppArmor profile (annotation must not set AppArmor profile type to "
        f'"{PREFIX}app="unconfined"")'
    ) in finding.message


def test_annotation_values_are_quoted_as_go_does() -> None:
    assert go_quote('un"con\\f\n\x01é') == '"un\\"con\\\\f\\n\\x01é"'
    [finding] = run(pod({"containers": [container("app")]}, {PREFIX + "app": 'x"y'}))
    assert f'"{PREFIX}app="x\\"y""' in finding.message


def test_templates_are_checked() -> None:
    spec = {"containers": [container("app")]}
    [finding] = run(deployment(spec, {PREFIX + "app": "unconfined"}))
    assert finding.path == (
        "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"
    )
    assert "admits the Deployment with a warning, then refuses every Pod" in finding.message
    [finding] = run(cronjob({"containers": [container("app", profile("Unconfined"))]}))
    assert finding.path == (
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/appArmorProfile/type"
    )
    assert finding.severity is Severity.ERROR


def test_the_namespace_label_decides_the_severity() -> None:
    bad = pod({"securityContext": profile("Unconfined"), "containers": [container("app")]})
    privileged = {"pod-security.kubernetes.io/enforce": "privileged"}
    [finding] = run(bad, namespace(privileged))
    assert finding.severity is Severity.WARNING
    assert "--pod-security-warn" in finding.message
    warn = {**privileged, "pod-security.kubernetes.io/warn": "baseline"}
    [finding] = run(bad, namespace(warn))
    assert finding.severity is Severity.WARNING
    assert "warn label on Namespace 'todo'" in finding.message
    off = {**privileged, "pod-security.kubernetes.io/warn": "privileged"}
    assert run(bad, namespace(off)) == []


def test_hostile_types_are_skipped() -> None:
    spec: dict[str, Any] = {
        "securityContext": {"appArmorProfile": ["Unconfined"]},
        "initContainers": "x",
        "containers": [
            "app",
            None,
            container("a", "Unconfined"),
            container("b", {"appArmorProfile": "Unconfined"}),
            container("c", profile(5)),
            container("d", profile(None)),
            container("e", {"appArmorProfile": {}}),
        ],
    }
    assert run(pod(spec, ["unconfined"])) == []
    assert run(pod(spec, "x")) == []
    assert run(pod(spec, {PREFIX + "a": 5, PREFIX + "b": None, 7: "unconfined"})) == []
    assert run(pod({"securityContext": [], "containers": "x"}, None)) == []
    # Hostile neighbours do not hide or move the real offender.
    spec = {"containers": [container("a", profile(1)), container("b", profile("Unconfined"))]}
    [finding] = run(pod(spec, {PREFIX + "a": ["x"]}))
    assert finding.path == "/spec/containers/1/securityContext/appArmorProfile/type"
    assert 'container "b" must not set' in finding.message
