"""security-pss-proc-mount: containers that set securityContext.procMount (procMount_1_0)."""

from __future__ import annotations

from typing import Any

from pss_docs import cronjob, deployment, namespace, pod, run_docs

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_proc_mount import RULE


def run(*docs: dict[str, Any]) -> list[Finding]:
    return run_docs(RULE, *docs)


def container(name: str, proc_mount: Any = None, **context: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "image": "registry.example/app:1.0"}
    if proc_mount is not None:
        context["procMount"] = proc_mount
    if context:
        body["securityContext"] = context
    return body


def test_unset_and_default_pass() -> None:
    spec = {
        "initContainers": [container("init", "Default")],
        "containers": [container("app"), container("side", runAsNonRoot=True)],
    }
    assert run(pod(spec)) == []


def test_one_finding_names_every_container_at_the_first() -> None:
    spec = {
        "initContainers": [container("init", "Default")],
        "containers": [container("app", "Unmasked"), container("side", "Other")],
        "ephemeralContainers": [container("debug", "Unmasked")],
    }
    [finding] = run(pod(spec))
    assert (finding.rule, finding.severity, finding.path) == (
        "security-pss-proc-mount",
        Severity.ERROR,
        "/spec/containers/0/securityContext/procMount",
    )
    assert finding.message.startswith(
        'procMount (containers "app", "side", "debug" must not set securityContext.procMount '
        'to "Other", "Unmasked"). The namespace enforces the \'baseline\' Pod Security level'
    )


def test_init_and_ephemeral_containers_are_visited() -> None:
    [finding] = run(pod({"initContainers": [container("init", "Unmasked")], "containers": []}))
    assert finding.path == "/spec/initContainers/0/securityContext/procMount"
    assert 'procMount (container "init" must not set securityContext.procMount to "Unmasked")' in (
        finding.message
    )
    spec = {"containers": [container("app")], "ephemeralContainers": [container("dbg", "")]}
    [finding] = run(pod(spec))
    assert finding.path == "/spec/ephemeralContainers/0/securityContext/procMount"


def test_host_users_false_does_not_relax_it_by_default() -> None:
    # The relaxation needs the off-by-default UserNamespacesPodSecurityStandards gate.
    spec = {"hostUsers": False, "containers": [container("app", "Unmasked")]}
    [finding] = run(pod(spec))
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/containers/0/securityContext/procMount"


def test_templates_are_checked() -> None:
    spec = {"containers": [container("app", "Unmasked")]}
    [finding] = run(deployment(spec))
    assert finding.path == "/spec/template/spec/containers/0/securityContext/procMount"
    assert "admits the Deployment with a warning, then refuses every Pod" in finding.message
    [finding] = run(cronjob(spec))
    assert finding.path == (
        "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/procMount"
    )
    assert finding.severity is Severity.ERROR


def test_the_namespace_label_decides_the_severity() -> None:
    # hostUsers false: without it the API server refuses Unmasked whatever the labels say.
    bad = pod({"hostUsers": False, "containers": [container("app", "Unmasked")]})
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
        "initContainers": "x",
        "containers": [
            "app",
            7,
            None,
            {"name": "a", "securityContext": ["procMount", "Unmasked"]},
            {"name": "b", "securityContext": "Unmasked"},
            container("c", True),
            container("d", ["Unmasked"]),
            container("e", {"type": "Unmasked"}),
        ],
        "ephemeralContainers": {"name": "dbg"},
    }
    assert run(pod(spec)) == []
    # A container without a usable name is still reported, as Go sees an empty name.
    spec = {"containers": [{"name": 5, "securityContext": {"procMount": "Unmasked"}}]}
    [finding] = run(pod(spec))
    assert 'container "" must not set' in finding.message
    assert run({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": "x"}) == []
