"""Kubernetes built-in kinds against kubernetes-validate's strict schemas, and object identity."""

from __future__ import annotations

import json

import pytest

from tools.core.context import RunContext
from tools.core.defaults import DEFAULT_KUBE_VERSION
from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.kubernetes.schemas import (
    KubeVersionError,
    bundled_kube_versions,
    kubernetes_cache_info,
    kubernetes_schema,
    resolve_kube_version,
)
from tools.rules import Bundle
from tools.rules.schema.dapr import RULE as DAPR_RULE
from tools.rules.schema.kubernetes import RULE as KUBERNETES_RULE
from tools.rules.schema.not_checked import RULE as NOT_CHECKED_RULE
from tools.rules.schema.object import RULE as OBJECT_RULE

NETWORK_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: egress
spec:
  podSelectr:
    matchLabels:
      app: backend
  policyTypes: [Egress]
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  selector:
    matchLabels: {app: backend}
  template:
    metadata:
      labels: {app: backend}
      annotations:
        dapr.io/enabled: true
    spec:
      containers:
        - name: backend
          image: backend:1
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: 8000
              protocl: TCP
"""


def check(text: str, kube_version: str = DEFAULT_KUBE_VERSION) -> list[Finding]:
    resources = load_text(text, "m.yaml").resources
    bundle = Bundle(resources=resources, context=RunContext(kube_version=kube_version))
    found: list[Finding] = []
    for resource in resources:
        for rule in (DAPR_RULE, OBJECT_RULE, KUBERNETES_RULE, NOT_CHECKED_RULE):
            found.extend(rule.check(resource, bundle))
    return found


def test_typo_in_network_policy_is_refused_strictly() -> None:
    found = check(NETWORK_POLICY)
    assert [(f.rule, f.path, f.severity) for f in found] == [
        ("schema-kubernetes", "/spec/podSelectr", Severity.ERROR)
    ]
    message = found[0].message
    assert message.startswith('spec: unknown field "podSelectr"')
    assert 'did you mean "podSelector"?' in message
    assert "allowed: egress, ingress, podSelector, policyTypes" in message
    assert found[0].line == 6


def test_deployment_errors_name_the_nested_path() -> None:
    found = check(DEPLOYMENT)
    paths = {f.path: f.message for f in found}
    assert set(paths) == {
        "/spec/template/metadata/annotations/dapr.io~1enabled",
        "/spec/template/spec/containers/0/ports/0/protocl",
    }
    annotation = paths["/spec/template/metadata/annotations/dapr.io~1enabled"]
    assert "must be a string" in annotation and "quote" in annotation
    assert 'did you mean "protocol"?' in paths["/spec/template/spec/containers/0/ports/0/protocl"]


def test_valid_built_ins_pass() -> None:
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: x}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
        "spec: {selector: {app: a}, ports: [{port: 80, targetPort: http}]}\n"
    )
    assert check(text) == []


def _newest() -> tuple[int, int]:
    return bundled_kube_versions()[-1]


@pytest.mark.parametrize(
    ("requested", "picked"),
    [
        ("1.9", None),  # a string comparison would call 1.9 newer than 1.37
        ("1.20", None),  # older than the oldest bundled set
        ("1.34", "1.34"),
        ("v1.34.2", "1.34"),
        ("1.37", "1.37"),
        ("1.40", None),  # newer than the newest bundled set
    ],
)
def test_kube_version_selection(requested: str, picked: str | None) -> None:
    major, minor = (int(p) for p in requested.lstrip("v").split(".")[:2])
    newest = _newest()
    if picked is not None and (major, minor) > newest:
        picked = None  # an older kubernetes-validate; the request is then out of range
    if picked is None and (1, 25) <= (major, minor) <= newest:
        picked = f"{major}.{minor}"
    if picked is None:
        with pytest.raises(KubeVersionError) as info:
            resolve_kube_version(requested)
        text = str(info.value)
        assert f"{major}.{minor}" in text and "--kube-version" in text
    else:
        assert resolve_kube_version(requested) == picked


def test_kube_versions_compare_numerically() -> None:
    versions = bundled_kube_versions()
    assert (1, 34) in versions
    for major, minor in versions:
        assert resolve_kube_version(f"{major}.{minor}") == f"{major}.{minor}"
    with pytest.raises(KubeVersionError, match="older than"):
        resolve_kube_version("1.9")  # "1.9" > "1.37" as strings


def test_bad_version_strings_are_refused() -> None:
    for bad in ("latest", "1", "one.two"):
        with pytest.raises(KubeVersionError):
            resolve_kube_version(bad)


def test_unsupported_version_is_a_finding_not_a_crash() -> None:
    found = check(NETWORK_POLICY, kube_version="1.40")
    assert [f.rule for f in found] == ["schema-kubernetes"]
    assert "newer than any bundled schema set" in found[0].message


def test_validators_are_reused() -> None:
    first = kubernetes_schema("networking.k8s.io/v1", "NetworkPolicy", "1.34")
    before = kubernetes_cache_info().hits
    again = kubernetes_schema("networking.k8s.io/v1", "NetworkPolicy", "1.34.1")
    assert again is first
    assert kubernetes_cache_info().hits == before + 1
    older = kubernetes_schema("networking.k8s.io/v1", "NetworkPolicy", "1.30")
    assert older is not first and older is not None and older.source == "Kubernetes 1.30"


def test_group_must_match_not_just_the_file_name() -> None:
    # apps.example.com/v1 maps to the same file name as apps/v1 but is another API.
    assert kubernetes_schema("apps/v1", "Deployment") is not None
    assert kubernetes_schema("apps.example.com/v1", "Deployment") is None


def test_unknown_crd_kind_gives_a_not_checked_finding() -> None:
    text = (
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\n"
        "spec: {secretName: tls, anything: goes}\n"
    )
    (finding,) = check(text)
    assert finding.rule == "schema-not-checked"
    assert finding.severity is Severity.INFO
    assert not finding.is_error
    assert "no schema for Certificate cert-manager.io/v1; not checked" in finding.message


def test_dapr_kinds_are_left_to_the_dapr_rule() -> None:
    text = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: c}\nspec: {typo: 1}\n"
    rules = {f.rule for f in check(text)}
    assert rules == {"schema-dapr"}


@pytest.mark.parametrize(
    ("text", "path", "words"),
    [
        ("kind: Secret\nmetadata: {name: s}\n", "", 'missing "apiVersion"'),
        ("apiVersion: v1\nmetadata: {name: s}\n", "", 'missing "kind"'),
        ("apiVersion: 1\nkind: Secret\nmetadata: {name: s}\n", "/apiVersion", "non-empty string"),
        ("apiVersion: dapr.io\nkind: Component\nmetadata: {name: c}\n", "/apiVersion", "form"),
        ("apiVersion: v1\nkind: Secret\nmetadata: {labels: {a: b}}\n", "/metadata", "name"),
        ("apiVersion: v1\nkind: Secret\n", "", "metadata"),
        ("apiVersion: v1\nkind: " + "A" * 300 + "\nmetadata: {name: s}\n", "/kind", "kind"),
        ("apiVersion: v1\nkind: ../../etc\nmetadata: {name: s}\n", "/kind", "kind"),
        ('apiVersion: v1\nkind: "Se\\0cret"\nmetadata: {name: s}\n', "/kind", "kind"),
        ("apiVersion: v1\nkind: Sécret\nmetadata: {name: s}\n", "/kind", "kind"),
        (
            "apiVersion: " + "a" * 300 + "/v1\nkind: Secret\nmetadata: {name: s}\n",
            "/apiVersion",
            "too long",
        ),
        (
            "apiVersion: apps/" + "v" * 300 + "\nkind: Secret\nmetadata: {name: s}\n",
            "/apiVersion",
            "too long",
        ),
        ("apiVersion: ../../v1\nkind: Secret\nmetadata: {name: s}\n", "/apiVersion", "form"),
        ('apiVersion: "v1\\0"\nkind: Secret\nmetadata: {name: s}\n', "/apiVersion", "form"),
        ("apiVersion: x.io/v1\u03b1\nkind: Secret\nmetadata: {name: s}\n", "/apiVersion", "form"),
    ],
)
def test_documents_that_are_not_kubernetes_objects(text: str, path: str, words: str) -> None:
    found = [f for f in check(text) if f.rule == "schema-object"]
    assert found, text
    assert any(f.path == path and words in f.message for f in found), [
        (f.path, f.message) for f in found
    ]
    assert all(f.category == "schema" and f.severity is Severity.ERROR for f in found)


def test_lists_and_generate_name_need_no_name() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems: []\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: c-}\n"
    )
    assert [f for f in check(text) if f.rule == "schema-object"] == []


def test_integer_label_key_is_a_finding_not_a_crash() -> None:
    """YAML allows `5: x` as a key; kubectl turns it into the string "5", so it is valid."""
    from tools.validate import Source, validate

    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    5: x\ndata: {a: b}\n"
    )
    report = validate([Source("int-key.yaml", text)], chosen={"schema"})
    assert all("internal error" not in f.message for f in report.findings)
    assert report.errors == 0


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        ("v1", "S" * 300),
        ("a" * 300 + "/v1", "Secret"),
        ("v1", "../../../../etc/passwd"),
        ("v1", "Secret\x00"),
        ("networking.k8s.io/v1", "NetworkPolicy/../../x"),
        ("v1", "Sécret"),
    ],
)
def test_hostile_kind_or_api_version_is_a_finding_not_a_crash(api_version: str, kind: str) -> None:
    """Manifest text never reaches a file path: a hostile kind is refused by its shape."""
    from tools.kubernetes.schemas import kubernetes_schema
    from tools.validate import Source, validate

    assert kubernetes_schema(api_version, kind) is None
    doc = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "s"}}
    text = json.dumps(doc)
    report = validate([Source("hostile.yaml", text)])
    assert all("internal error" not in f.message for f in report.findings)
    assert any(f.rule == "schema-object" for f in report.findings)
