"""kubernetes-pod-security-context: procMount needs hostUsers false; AppArmor annotations agree
with the fields (every case below was checked against a real 1.34 API server)."""

from __future__ import annotations

from k8s_rule_util import errors, run
from pod_text import CRONJOB, DEPLOYMENT, POD

from tools.rules.kubernetes.pod_security_context import RULE

PREFIX = "container.apparmor.security.beta.kubernetes.io/"
UNMASKED = "`hostUsers` must be false to use `Unmasked`"
TYPE = "Forbidden: apparmor type in annotation and field must match"
PROFILE = "Forbidden: apparmor profile in annotation and field must match"


def with_context(text: str, context: str, indent: str = "      ") -> str:
    """``text`` with ``securityContext: context`` on its first container."""
    image = "image: docker.io" if "kind: Pod" in text else "image:"
    at = text.index(image)
    return text[:at] + f"securityContext: {context}\n{indent}" + text[at:]


def annotated(text: str, annotations: dict[str, str]) -> str:
    body = ", ".join(f"{PREFIX}{k}: '{v}'" for k, v in annotations.items())
    return text.replace(
        "metadata: {name: p, namespace: todo}",
        f"metadata:\n  name: p\n  namespace: todo\n  annotations: {{{body}}}",
    )


def pod_profile(text: str, profile: str) -> str:
    return text.replace(
        "spec:\n  restartPolicy",
        f"spec:\n  securityContext: {{appArmorProfile: {profile}}}\n  restartPolicy",
    )


def test_valid_pods_and_templates_pass() -> None:
    assert run(RULE, POD) == []
    assert run(RULE, DEPLOYMENT) == []
    assert run(RULE, CRONJOB) == []
    assert run(RULE, with_context(POD, "{procMount: Default}")) == []


def test_unmasked_proc_mount_needs_its_own_user_namespace() -> None:
    """`spec.containers[0].securityContext.procMount: Invalid value: "Unmasked": `hostUsers`
    must be false to use `Unmasked``, as the real API server says."""
    unmasked = with_context(POD, "{procMount: Unmasked}")
    (finding,) = run(RULE, unmasked)
    assert finding.message == (
        f'spec.containers[0].securityContext.procMount: Invalid value: "Unmasked": {UNMASKED}'
    )
    assert finding.path == "/spec/containers/0/securityContext/procMount"
    own = unmasked.replace("spec:\n  restartPolicy", "spec:\n  hostUsers: false\n  restartPolicy")
    assert run(RULE, own) == []
    shared = own.replace("hostUsers: false", "hostUsers: true")
    assert len(errors(RULE, shared)) == 1
    assert run(RULE, own.replace("hostUsers: false", "hostUsers: 'no'")) == []  # the schema's
    template = DEPLOYMENT.replace(
        'image: "nginx:1.27"', 'image: "nginx:1.27", securityContext: {procMount: Unmasked}'
    )
    assert errors(RULE, template) == [
        "spec.template.spec.containers[0].securityContext.procMount: Invalid value: "
        f'"Unmasked": {UNMASKED}'
    ]
    init_and_debug = POD + (
        "  initContainers: [{name: i, image: x, securityContext: {procMount: Unmasked}}]\n"
        "  ephemeralContainers: [{name: e, image: x, securityContext: {procMount: Unmasked}}]\n"
    )
    assert [f.path for f in run(RULE, init_and_debug)] == [
        "/spec/initContainers/0/securityContext/procMount",
        "/spec/ephemeralContainers/0/securityContext/procMount",
    ]


def test_an_apparmor_annotation_must_agree_with_the_field() -> None:
    """`spec.initContainers[0].securityContext.appArmorProfile.type: Forbidden: apparmor type
    in annotation and field must match`: the API server's answer to the allowed-profiles Pod
    of the security-pss-apparmor tests."""
    field = with_context(POD, "{appArmorProfile: {type: RuntimeDefault}}")
    assert run(RULE, annotated(field, {"check": "runtime/default"})) == []
    (finding,) = run(RULE, annotated(field, {"check": "unconfined"}))
    assert finding.message == f"spec.containers[0].securityContext.appArmorProfile.type: {TYPE}"
    assert finding.path == "/spec/containers/0/securityContext/appArmorProfile/type"
    local = with_context(POD, "{appArmorProfile: {type: Localhost, localhostProfile: k8s-app}}")
    assert run(RULE, annotated(local, {"check": "localhost/k8s-app"})) == []
    assert errors(RULE, annotated(local, {"check": "localhost/other"})) == [
        f"spec.containers[0].securityContext.appArmorProfile.localhostProfile: {PROFILE}"
    ]
    assert len(errors(RULE, annotated(local, {"check": "runtime/default"}))) == 1
    unconfined = with_context(POD, "{appArmorProfile: {type: Unconfined}}")
    assert len(errors(RULE, annotated(unconfined, {"check": ""}))) == 1
    windows = annotated(unconfined, {"check": ""}).replace(
        "spec:\n  restartPolicy", "spec:\n  os: {name: windows}\n  restartPolicy"
    )
    assert run(RULE, windows) == []  # not compared for a windows pod


def test_a_pod_takes_a_valid_annotation_as_its_field() -> None:
    """applyAppArmorVersionSkew copies a valid annotation to a container without a field, so it
    agrees; an invalid one (empty, `localhost/` alone) is compared with the pod's profile."""
    pod = pod_profile(POD, "{type: RuntimeDefault}")
    assert run(RULE, annotated(pod, {"check": "unconfined"})) == []
    assert run(RULE, annotated(pod, {"check": "localhost/x"})) == []
    assert errors(RULE, annotated(pod, {"check": ""})) == [
        f"spec.containers[0].securityContext.appArmorProfile.type: {TYPE}"
    ]
    local = pod_profile(POD, "{type: Localhost, localhostProfile: x}")
    assert len(errors(RULE, annotated(local, {"check": "localhost/"}))) == 1
    assert len(errors(RULE, annotated(local, {"check": "localhost/ y"}))) == 1  # padded
    assert run(RULE, annotated(POD, {"check": ""})) == []  # no profile anywhere
    # A template gets no such copy: the pod's profile is compared with the annotation.
    template = DEPLOYMENT.replace(
        "    metadata: {labels: {app: d}}",
        f"    metadata: {{labels: {{app: d}}, annotations: {{{PREFIX}app: unconfined}}}}",
    ).replace(
        "    spec:\n      containers:",
        "    spec:\n      securityContext: {appArmorProfile: {type: RuntimeDefault}}\n"
        "      containers:",
    )
    assert errors(RULE, template) == [
        f"spec.template.spec.containers[0].securityContext.appArmorProfile.type: {TYPE}"
    ]


def test_hostile_shapes_do_not_crash() -> None:
    for context in (
        "x",
        "{appArmorProfile: x}",
        "{appArmorProfile: {type: [1]}}",
        "{procMount: [1]}",
    ):
        assert run(RULE, annotated(with_context(POD, context), {"check": "x"})) == []
    odd = POD.replace(
        "spec:\n  restartPolicy", "spec:\n  securityContext: [1]\n  os: x\n  restartPolicy"
    )
    assert run(RULE, annotated(odd, {"check": ""})) == []
    assert (
        run(
            RULE,
            POD.replace("metadata: {name: p, namespace: todo}", "metadata: {annotations: [1]}"),
        )
        == []
    )
