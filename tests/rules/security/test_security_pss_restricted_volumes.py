"""security-pss-restricted-volumes: only the restricted level's volume types."""

from __future__ import annotations

from pss_text import DAPR, cronjob, deployment, found_by, namespace, pod, run_rule

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules.security.pss_restricted_volumes import RULE


def run(text: str, context: RunContext | None = None) -> list[Finding]:
    return run_rule(RULE, text, context)


def found(text: str, context: RunContext | None = None) -> list[tuple[str, Severity, str]]:
    return found_by(RULE, text, context)


ID = "security-pss-restricted-volumes"
CONTAINERS = "containers: [{name: app, image: x}]"


def test_an_inline_nfs_volume_draws_the_restricted_warning() -> None:
    text = pod(CONTAINERS + "\nvolumes: [{name: data, nfs: {server: nfs.example, path: /}}]")
    [finding] = run(text)
    assert (finding.rule, finding.severity, finding.path) == (
        ID,
        Severity.WARNING,
        "/spec/volumes/0/nfs",
    )
    assert finding.message.startswith(
        'restricted volume types (volume "data" uses restricted volume type "nfs"). '
        "The namespace warns at the 'restricted' Pod Security level"
    )


def test_several_volumes_are_one_finding_with_sorted_types() -> None:
    text = pod(
        CONTAINERS
        + """
volumes:
  - {name: ok, emptyDir: {}}
  - {name: a, hostPath: {path: /var}}
  - {name: b, iscsi: {targetPortal: p, iqn: q, lun: 0}}
  - {name: c, hostPath: {path: /etc}}
"""
    )
    [finding] = run(text)
    assert finding.path == "/spec/volumes/1/hostPath"
    assert (
        '(volumes "a", "b", "c" use restricted volume types "hostPath", "iscsi")' in finding.message
    )


def test_the_allowed_types_pass() -> None:
    text = pod(
        CONTAINERS
        + """
volumes:
  - {name: a, configMap: {name: c}}
  - {name: b, csi: {driver: d}}
  - {name: c, downwardAPI: {}}
  - {name: d, emptyDir: {}}
  - name: e
    ephemeral:
      volumeClaimTemplate:
        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
  - {name: f, image: {reference: r}}
  - {name: g, persistentVolumeClaim: {claimName: p}}
  - {name: h, projected: {sources: []}}
  - {name: i, secret: {secretName: s}}
"""
    )
    assert run(text) == []


def test_a_null_allowed_source_does_not_hide_a_restricted_one() -> None:
    text = pod(CONTAINERS + "\nvolumes: [{name: v, configMap: null, gitRepo: {repository: r}}]")
    assert found(text) == [(ID, Severity.WARNING, "/spec/volumes/0/gitRepo")]


def test_templates_and_the_namespace_label() -> None:
    spec = CONTAINERS + "\nvolumes: [{name: v, cephfs: {monitors: [m]}}]"
    text = cronjob(spec)
    [finding] = run(text + namespace("pod-security.kubernetes.io/enforce: restricted"))
    assert (finding.severity, finding.path) == (
        Severity.ERROR,
        "/spec/jobTemplate/spec/template/spec/volumes/0/cephfs",
    )
    # A Dapr pod: the injector's own volumes are allowed types and change nothing.
    assert found(deployment(spec, DAPR)) == [
        (ID, Severity.WARNING, "/spec/template/spec/volumes/0/cephfs")
    ]
    assert run(text + namespace("pod-security.kubernetes.io/warn: baseline")) == []


def test_volumes_without_a_source_or_of_the_wrong_type_are_left_to_other_rules() -> None:
    text = pod(
        CONTAINERS
        + """
volumes:
  - {name: nothing}
  - {name: typo, nfss: {server: s}}
  - {name: wrong, nfs: "server:/path"}
  - {name: 5, nfs: {server: s}}
  - just-a-string
"""
    )
    assert run(text) == []
    assert run(pod(CONTAINERS + "\nvolumes: {name: v, nfs: {}}")) == []
