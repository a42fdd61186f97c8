"""--dapr-mode self-hosted: a `dapr run --resources-path ./components` folder judged as daprd
reads it outside Kubernetes (no operator, no built-in `kubernetes` secret store, no API server),
and the rules whose behaviour depends on the mode, each in both modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle, Rule, all_rules
from tools.rules.dapr.self_hosted_duplicate_name import RULE as DUPLICATE
from tools.rules.reference.secret_store import RULE as SECRET_STORE
from tools.rules.reference.unresolved import RULE as UNRESOLVED
from tools.rules.security.builtin_secret_store import RULE as BUILTIN
from tools.rules.security.missing_scopes import RULE as MISSING_SCOPES
from tools.rules.security.secret_data import RULE as SECRET_DATA
from tools.validate import read_sources, validate

KUBERNETES, SELF_HOSTED = "kubernetes", "self-hosted"

# A typical resources folder, as the Dapr quickstarts ship it, plus an app Configuration that
# scopes secrets (only Kubernetes has a built-in 'kubernetes' store to worry about).
FOLDER = {
    "statestore.yaml": """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.redis
  version: v1
  metadata:
  - name: redisHost
    value: localhost:6379
  - name: redisPassword
    secretKeyRef:
      name: redisPassword
  - name: actorStateStore
    value: "true"
auth:
  secretStore: localsecretstore
""",
    "pubsub.yaml": """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: pubsub
spec:
  type: pubsub.redis
  version: v1
  metadata:
  - name: redisHost
    value: localhost:6379
  - name: redisPassword
    value: ""
""",
    "secretstore.yaml": """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: localsecretstore
spec:
  type: secretstores.local.file
  version: v1
  metadata:
  - name: secretsFile
    value: ./secrets.json
  - name: nestedSeparator
    value: ":"
""",
    "subscription.yaml": """\
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata:
  name: orders
spec:
  pubsubname: pubsub
  topic: orders
  routes:
    default: /orders
scopes:
- order-processor
""",
    "config.yaml": """\
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata:
  name: appconfig
spec:
  secrets:
    scopes:
    - storeName: localsecretstore
      defaultAccess: deny
      allowedSecrets: [redisPassword]
""",
}


def _folder(tmp_path: Path) -> Path:
    components = tmp_path / "components"
    components.mkdir()
    for name, text in FOLDER.items():
        (components / name).write_text(text, encoding="utf-8")
    return components


def _validate(folder: Path, mode: str) -> list[Finding]:
    report = validate(read_sources([str(folder)]), context=RunContext(dapr_mode=mode))
    return list(report.findings)


def _kubernetes_only() -> set[str]:
    return {r.id for r in all_rules() if r.modes_label() == KUBERNETES}


def test_typical_resources_folder_self_hosted_has_no_kubernetes_findings(tmp_path: Path) -> None:
    found = _validate(_folder(tmp_path), SELF_HOSTED)
    assert [f for f in found if f.severity != Severity.INFO] == []
    assert {f.rule for f in found} == {MISSING_SCOPES.id}
    assert not {f.rule for f in found} & _kubernetes_only()
    assert all("resources path" in f.message for f in found)


def test_same_folder_in_kubernetes_mode_gets_the_kubernetes_findings(tmp_path: Path) -> None:
    found = _validate(_folder(tmp_path), KUBERNETES)
    by_rule: dict[str, list[Finding]] = {}
    for finding in found:
        by_rule.setdefault(finding.rule, []).append(finding)
    assert set(by_rule) == {MISSING_SCOPES.id, BUILTIN.id}
    assert [f.severity for f in by_rule[MISSING_SCOPES.id]] == [Severity.ERROR] * 3
    assert "every app in the namespace" in by_rule[MISSING_SCOPES.id][0].message
    (builtin,) = by_rule[BUILTIN.id]
    assert builtin.severity == Severity.WARNING and "'kubernetes'" in builtin.message


def test_kubernetes_only_rules_do_not_run_self_hosted(tmp_path: Path) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: Bad_Name, namespace: Todo_NS}\n"
        "spec:\n  hostPID: true\n  containers: [{name: app, image: app}]\n",
        encoding="utf-8",
    )
    in_cluster = {f.rule for f in _validate(pod, KUBERNETES)}
    assert {"kubernetes-name", "kubernetes-namespace", "security-pss-host-namespaces"} <= (
        in_cluster
    )
    assert "security-token-automount" in in_cluster
    hosted = {f.rule for f in _validate(pod, SELF_HOSTED)}
    assert not hosted & _kubernetes_only()
    assert not any(rule.startswith("kubernetes-") for rule in hosted)


def test_rule_modes() -> None:
    def nothing(*_: object) -> list[Finding]:
        return []

    both = Rule("x-both", "dapr", Severity.ERROR, "s", nothing)
    assert both.runs_in(KUBERNETES) and both.runs_in(SELF_HOSTED) and both.modes_label() == "both"
    only = Rule("x-k8s", "security", Severity.ERROR, "s", nothing, modes=KUBERNETES)
    assert only.runs_in(KUBERNETES) and not only.runs_in(SELF_HOSTED)
    api = Rule("kubernetes-x", "kubernetes", Severity.ERROR, "s", nothing)
    assert api.modes_label() == KUBERNETES and not api.runs_in(SELF_HOSTED)
    with pytest.raises(ValueError, match="modes must be one of"):
        Rule("x-bad", "dapr", Severity.ERROR, "s", nothing, modes="standalone")
    kubernetes_only = _kubernetes_only()
    for prefix in ("security-pss-", "security-rbac-", "security-networkpolicy-"):
        assert {r.id for r in all_rules() if r.id.startswith(prefix)} <= kubernetes_only
    assert {BUILTIN.id, "security-token-automount", "security-pod-no-networkpolicy"} <= (
        kubernetes_only
    )
    # Workload rules: daprd's disk loader reads only Dapr kinds, and nothing injects a sidecar.
    workload_rules = {
        "security-container-resources",
        "security-dapr-api-token",
        "security-image-tag",
        "security-image-digest",
    }
    assert workload_rules <= kubernetes_only
    assert DUPLICATE.modes_label() == SELF_HOSTED


def _check(rule: Rule, text: str, mode: str) -> list[Finding]:
    resources = load_text(text, "test.yaml").resources
    bundle = Bundle(resources, RunContext(dapr_mode=mode))
    return [f for r in resources if rule.applies_to(r) for f in rule.check(r, bundle)]


NO_STORE = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec:
  type: state.redis
  version: v1
  metadata:
  - {name: redisHost, value: "localhost:6379"}
  - name: redisPassword
    secretKeyRef: {name: redis, key: password}
scopes: [app]
"""


def test_secret_key_ref_without_store_is_an_error_only_self_hosted() -> None:
    assert _check(SECRET_STORE, NO_STORE, KUBERNETES) == []  # the operator resolves it
    (finding,) = _check(SECRET_STORE, NO_STORE, SELF_HOSTED)
    assert finding.severity == Severity.ERROR
    assert finding.path == "/spec/metadata/1/secretKeyRef"
    assert "no default secret store" in finding.message and "password" not in finding.message
    # A secretKeyRef without a name is skipped by daprd (ProcessResource), so it is no finding.
    nameless = NO_STORE.replace("{name: redis, key: password}", "{key: password}")
    assert _check(SECRET_STORE, nameless, SELF_HOSTED) == []


KUBERNETES_STORE = NO_STORE.replace("scopes: [app]\n", "auth: {secretStore: kubernetes}\n")


def test_builtin_store_name_is_unresolved_only_self_hosted() -> None:
    assert _check(UNRESOLVED, KUBERNETES_STORE, KUBERNETES) == []
    assert _check(SECRET_STORE, KUBERNETES_STORE, KUBERNETES) == []
    (finding,) = _check(UNRESOLVED, KUBERNETES_STORE, SELF_HOSTED)
    assert finding.severity == Severity.WARNING and finding.path == "/auth/secretStore"
    assert "no built-in 'kubernetes' store" in finding.message
    # Defined in the folder, a component called 'kubernetes' is a store like any other:
    # resolved, and its scopes checked.
    defined = (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: kubernetes}\n"
        "spec: {type: secretstores.kubernetes, version: v1, metadata: []}\nscopes: [other]\n---\n"
    )
    assert _check(UNRESOLVED, defined + KUBERNETES_STORE, SELF_HOSTED) == []
    (scoped,) = _check(SECRET_STORE, defined + KUBERNETES_STORE, SELF_HOSTED)
    assert "loaded only by other" in scoped.message


def test_a_store_in_another_namespace_resolves_only_self_hosted() -> None:
    # dapr run leaves NAMESPACE unset: daprd's disk loader ignores metadata.namespace.
    store = (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: vault, namespace: dev}\n"
        "spec: {type: secretstores.local.file, version: v1, metadata: []}\n---\n"
    )
    user = (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: cache, namespace: prod}\n"
        "spec: {type: state.redis, version: v1, metadata: []}\nauth: {secretStore: vault}\n"
    )
    assert _check(UNRESOLVED, store + user, SELF_HOSTED) == []
    (finding,) = _check(UNRESOLVED, store + user, KUBERNETES)
    assert finding.path == "/auth/secretStore"


def test_builtin_secret_store_rule_is_kubernetes_only() -> None:
    config = (
        "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: {name: c}\n"
        "spec: {secrets: {scopes: [{storeName: local, defaultAccess: deny}]}}\n"
    )
    assert len(_check(BUILTIN, config, KUBERNETES)) == 1
    assert not BUILTIN.runs_in(SELF_HOSTED)


def test_missing_scopes_is_info_self_hosted() -> None:
    text = (
        "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: s}\n"
        "spec: {type: state.in-memory, version: v1, metadata: []}\n"
    )
    (cluster,) = _check(MISSING_SCOPES, text, KUBERNETES)
    (hosted,) = _check(MISSING_SCOPES, text, SELF_HOSTED)
    assert cluster.severity == Severity.ERROR and hosted.severity == Severity.INFO
    assert "dapr run --resources-path" in hosted.message
    assert _check(MISSING_SCOPES, text + "scopes: [a]\n", SELF_HOSTED) == []


def test_secret_data_message_self_hosted_names_no_chart() -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter2}\n"
    (cluster,) = _check(SECRET_DATA, text, KUBERNETES)
    (hosted,) = _check(SECRET_DATA, text, SELF_HOSTED)
    assert "Helm release record" in cluster.message
    assert "does not read a Secret from a resources path" in hosted.message
    assert "hunter2" not in hosted.message and hosted.severity == Severity.ERROR


def _component(name: str, scopes: str = "", namespace: str = "") -> str:
    ns = f", namespace: {namespace}" if namespace else ""
    return (
        f"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {{name: {name}{ns}}}\n"
        f"spec: {{type: state.in-memory, version: v1, metadata: []}}\n{scopes}---\n"
    )


def test_duplicate_names_exit_daprd_self_hosted_whatever_the_scopes() -> None:
    text = _component("store", "scopes: [a]\n") + _component("store", "scopes: [b]\n")
    (finding,) = _check(DUPLICATE, text, SELF_HOSTED)
    assert finding.severity == Severity.ERROR and finding.path == "/metadata/name"
    assert "test.yaml:1" in finding.message and "exits" in finding.message
    assert not DUPLICATE.runs_in(KUBERNETES)


def test_duplicate_names_tricky_cases() -> None:
    # Different kinds, apiVersions or names never clash: each loader reads one apiVersion+kind.
    subscription = (
        "apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata: {name: store}\n"
        "spec: {pubsubname: p, topic: t, routes: {default: /t}}\n---\n"
    )
    v1 = subscription.replace("v2alpha1", "v1alpha1").replace("routes: {default: /t}", "route: /t")
    assert _check(DUPLICATE, _component("store") + subscription + v1, SELF_HOSTED) == []
    assert _check(DUPLICATE, _component("a") + _component("b"), SELF_HOSTED) == []
    # Different namespaces: only a warning (depends on the NAMESPACE variable).
    both = _component("s", namespace="dev") + _component("s", namespace="prod")
    (finding,) = _check(DUPLICATE, both, SELF_HOSTED)
    assert finding.severity == Severity.WARNING and "NAMESPACE" in finding.message
    # One namespace unset: always compared, so an error.
    mixed = _component("s", namespace="dev") + _component("s")
    assert [f.severity for f in _check(DUPLICATE, mixed, SELF_HOSTED)] == [Severity.ERROR]
