"""security-pss-selinux: forbidden seLinuxOptions of a pod and its containers."""

from __future__ import annotations

from typing import Any

from pss_docs import cronjob, deployment, namespace, pod, run_docs

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_selinux import RULE


def run(*docs: dict[str, Any]) -> list[Finding]:
    return run_docs(RULE, *docs)


def options(**values: Any) -> dict[str, Any]:
    return {"seLinuxOptions": values}


def container(name: str, context: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "image": "registry.example/app:1.0"}
    if context is not None:
        body["securityContext"] = context
    return body


def test_container_types_and_level_pass() -> None:
    spec = {
        "securityContext": options(type="container_t", level="s0:c1,c2", user="", role=""),
        "initContainers": [container("init", options(type="container_init_t"))],
        "containers": [
            container("kvm", options(type="container_kvm_t")),
            container("engine", options(type="container_engine_t")),
            container("empty", options(type="")),
            container("level", options(level="s0:c3,c4")),
            container("none"),
        ],
    }
    assert run(pod(spec)) == []


def test_a_pod_type_is_refused() -> None:
    spec = {"securityContext": options(type="spc_t"), "containers": [container("app")]}
    [finding] = run(pod(spec))
    assert (finding.rule, finding.severity, finding.path) == (
        "security-pss-selinux",
        Severity.ERROR,
        "/spec/securityContext/seLinuxOptions/type",
    )
    assert finding.message.startswith(
        'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"). '
        "The namespace enforces the 'baseline' Pod Security level"
    )
    assert "refuses this Pod" in finding.message


def test_user_and_role_may_not_be_set() -> None:
    spec = {"securityContext": options(user="system_u"), "containers": [container("app")]}
    [finding] = run(pod(spec))
    assert finding.path == "/spec/securityContext/seLinuxOptions/user"
    assert "(pod set forbidden securityContext.seLinuxOptions: user may not be set)" in (
        finding.message
    )
    spec = {"containers": [container("app", options(type="container_t", role="system_r"))]}
    [finding] = run(pod(spec))
    assert finding.path == "/spec/containers/0/securityContext/seLinuxOptions/role"
    assert 'container "app" set forbidden securityContext.seLinuxOptions: role may not be set' in (
        finding.message
    )


def test_one_finding_for_the_pod_and_every_container() -> None:
    spec = {
        "securityContext": options(role="r"),
        "initContainers": [container("a", options(type="unconfined_t"))],
        "containers": [container("ok"), container("b", options(type="spc_t", user="u"))],
        "ephemeralContainers": [container("c", options(type="spc_t"))],
    }
    [finding] = run(pod(spec))
    assert finding.path == "/spec/securityContext/seLinuxOptions/role"
    assert (
        'seLinuxOptions (pod and containers "a", "b", "c" set forbidden '
        'securityContext.seLinuxOptions: types "spc_t", "unconfined_t"; user may not be set; '
        "role may not be set)"
    ) in finding.message


def test_templates_are_checked() -> None:
    spec = {"containers": [container("app", options(type="spc_t"))]}
    [finding] = run(deployment(spec))
    assert finding.path == "/spec/template/spec/containers/0/securityContext/seLinuxOptions/type"
    assert "admits the Deployment with a warning, then refuses every Pod" in finding.message
    [finding] = run(cronjob(spec))
    assert finding.path == (
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/seLinuxOptions/type"
    )
    assert finding.severity is Severity.ERROR


def test_the_namespace_label_decides_the_severity() -> None:
    bad = pod({"securityContext": options(type="spc_t"), "containers": [container("app")]})
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
        "securityContext": {"seLinuxOptions": ["type", "spc_t"]},
        "initContainers": {"name": "x"},
        "containers": [
            "app",
            None,
            container("a", "spc_t"),
            container("b", {"seLinuxOptions": "spc_t"}),
            container("c", options(type=5, user=True, role=["r"])),
            container("d", options(type=None, user={"u": 1})),
        ],
    }
    assert run(pod(spec)) == []
    assert run(pod({"securityContext": [], "containers": "x"})) == []
    # Hostile neighbours do not hide or move the real offender.
    spec = {"containers": [container("a", options(type=1)), container("b", options(user="u"))]}
    [finding] = run(pod(spec))
    assert finding.path == "/spec/containers/1/securityContext/seLinuxOptions/user"
    assert 'container "b" set forbidden' in finding.message
