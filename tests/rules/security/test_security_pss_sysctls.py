"""security-pss-sysctls: pod sysctls outside PodSecurity's baseline safe list (sysctlsV1Dot32)."""

from __future__ import annotations

from typing import Any

import pss_docs
from pss_docs import namespace, run_docs

from tools.core.findings import Finding, Severity
from tools.rules.security.pss_sysctls import RULE


def run(*docs: dict[str, Any]) -> list[Finding]:
    return run_docs(RULE, *docs)


CONTAINERS = [{"name": "app", "image": "registry.example/app:1.0"}]


def pod(spec: dict[str, Any]) -> dict[str, Any]:
    return pss_docs.pod({**spec, "containers": CONTAINERS})


def deployment(spec: dict[str, Any]) -> dict[str, Any]:
    return pss_docs.deployment({**spec, "containers": CONTAINERS})


def cronjob(spec: dict[str, Any]) -> dict[str, Any]:
    return pss_docs.cronjob({**spec, "containers": CONTAINERS})


def sysctls(*items: Any) -> dict[str, Any]:
    return {"securityContext": {"sysctls": list(items)}}


def test_the_newest_safe_list_passes() -> None:
    names = [
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
        "net.ipv4.tcp_rmem",
        "net.ipv4.tcp_wmem",
    ]
    assert run(pod(sysctls(*({"name": n, "value": "1"} for n in names)))) == []
    assert run(pod({})) == []
    assert run(pod({"securityContext": {"sysctls": []}})) == []


def test_every_forbidden_name_in_one_finding_at_the_first() -> None:
    spec = sysctls(
        {"name": "net.ipv4.tcp_syncookies", "value": "1"},
        {"name": "kernel.msgmax", "value": "65536"},
        {"name": "net.core.somaxconn", "value": "1024"},
    )
    [finding] = run(pod(spec))
    assert (finding.rule, finding.severity, finding.path) == (
        "security-pss-sysctls",
        Severity.ERROR,
        "/spec/securityContext/sysctls/1/name",
    )
    assert finding.message.startswith(
        "forbidden sysctls (kernel.msgmax, net.core.somaxconn). The namespace enforces the "
        "'baseline' Pod Security level"
    )
    assert "refuses this Pod" in finding.message


def test_names_are_compared_exactly() -> None:
    [finding] = run(pod(sysctls({"name": "net/ipv4/tcp_syncookies", "value": "1"})))
    assert finding.path == "/spec/securityContext/sysctls/0/name"
    assert "forbidden sysctls (net/ipv4/tcp_syncookies)" in finding.message


def test_templates_are_checked() -> None:
    spec = sysctls({"name": "vm.swappiness", "value": "10"})
    [finding] = run(deployment(spec))
    assert finding.path == "/spec/template/spec/securityContext/sysctls/0/name"
    assert finding.severity is Severity.ERROR
    assert "admits the Deployment with a warning, then refuses every Pod" in finding.message
    [finding] = run(cronjob(spec))
    assert finding.path == "/spec/jobTemplate/spec/template/spec/securityContext/sysctls/0/name"
    assert "admits the CronJob with a warning" in finding.message


def test_the_namespace_label_decides_the_severity() -> None:
    bad = pod(sysctls({"name": "kernel.sem", "value": "1"}))
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
    restricted = {"pod-security.kubernetes.io/enforce": "restricted"}
    [finding] = run(bad, namespace(restricted))
    assert finding.severity is Severity.ERROR
    assert "enforce label on Namespace 'todo'" in finding.message


def test_hostile_types_are_skipped() -> None:
    for security_context in ([], "x", 1, None, {"sysctls": {"name": "kernel.sem"}}):
        assert run(pod({"securityContext": security_context})) == []
    assert run(pod({"securityContext": {"sysctls": "kernel.sem"}})) == []
    spec = sysctls("kernel.sem", 7, None, ["kernel.sem"], {"name": 5}, {"value": "1"})
    assert run(pod(spec)) == []
    # A hostile entry does not move the path of the real offender.
    [finding] = run(pod(sysctls("kernel.sem", {"name": True}, {"name": "kernel.sem"})))
    assert finding.path == "/spec/securityContext/sysctls/2/name"
    assert "forbidden sysctls (kernel.sem)" in finding.message
    assert run({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": []}) == []
