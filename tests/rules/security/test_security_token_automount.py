"""security-token-automount: the API token mounted without opting in, and Dapr pods that need it."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.security.token_automount import RULE

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
  namespace: todo
  annotations: {{{annotations}}}
spec:
{fields}  containers: [{{name: app, image: "app:1"}}]
"""

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
{fields}      containers: [{{name: app, image: "app:1"}}]
"""

ACCOUNT = """\
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: {name}, namespace: {namespace}}}
{field}
"""

COMPONENT = """\
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {{name: k8s-secrets, namespace: todo}}
spec:
  type: secretstores.kubernetes
  version: v1
{spec}
{scopes}
"""

DAPR = '"dapr.io/enabled": "true", "dapr.io/app-id": "backend"'
NO_BUILTIN = DAPR + ', "dapr.io/disable-builtin-k8s-secret-store": "true"'
OFF = "  automountServiceAccountToken: false\n"
ON = "  automountServiceAccountToken: true\n"


def pod(fields: str = "", annotations: str = "", more: str = "") -> list[Finding]:
    return check(RULE, POD.format(fields=fields, annotations=annotations) + more)


def account(name: str = "app", field: str = "", namespace: str = "todo") -> str:
    return ACCOUNT.format(name=name, namespace=namespace, field=field)


def component(spec: str = "  metadata: []", scopes: str = "") -> str:
    return COMPONENT.format(spec=spec, scopes=scopes)


def summary(findings: list[Finding]) -> list[tuple[str, Severity, str, str]]:
    return [(f.rule, f.severity, f.resource.kind if f.resource else "", f.path) for f in findings]


def test_a_pod_without_opinion_gets_the_token() -> None:
    [finding] = pod()
    assert summary([finding]) == [
        (RULE.id, Severity.WARNING, "Pod", "/spec/automountServiceAccountToken")
    ]
    assert "ServiceAccount 'default' is not in the input" in finding.message
    assert "set automountServiceAccountToken: false on the pod" in finding.message


def test_the_pods_own_setting_wins() -> None:
    assert pod(OFF) == []
    assert pod(ON) == []  # opted in
    assert pod(ON, more=account("default", "automountServiceAccountToken: false")) == []
    # Not a boolean: the schema rules report it.
    assert pod('  automountServiceAccountToken: "false"\n') == []


def test_the_service_account_decides_when_the_pod_does_not() -> None:
    fields = "  serviceAccountName: app\n"
    assert pod(fields, more=account(field="automountServiceAccountToken: false")) == []
    # The account is used by the pod: the pod is reported, naming it, and the account is not.
    findings = pod(fields, more=account())
    assert summary(findings) == [
        (RULE.id, Severity.WARNING, "Pod", "/spec/automountServiceAccountToken")
    ]
    assert "its ServiceAccount 'app' does not set automountServiceAccountToken" in (
        findings[0].message
    )
    [finding] = pod(fields, more=account(field="automountServiceAccountToken: true"))
    assert "sets automountServiceAccountToken: true" in finding.message


def test_the_deprecated_alias_names_the_account() -> None:
    fields = "  serviceAccount: app\n"
    assert pod(fields, more=account(field="automountServiceAccountToken: false")) == []
    # serviceAccountName wins over the alias.
    both = "  serviceAccountName: other\n  serviceAccount: app\n"
    [finding] = pod(both, more=account(field="automountServiceAccountToken: false"))
    assert "ServiceAccount 'other' is not in the input" in finding.message


def test_an_unused_account_is_reported_once_itself() -> None:
    findings = check(RULE, account())
    assert summary(findings) == [
        (RULE.id, Severity.WARNING, "ServiceAccount", "/automountServiceAccountToken")
    ]
    assert check(RULE, account(field="automountServiceAccountToken: false")) == []
    assert check(RULE, account(field='automountServiceAccountToken: "no"')) == []


def test_an_account_of_another_namespace_is_not_the_pods() -> None:
    fields = "  serviceAccountName: app\n"
    findings = pod(fields, more=account(field="", namespace="other"))
    assert sorted(summary(findings)) == [
        (RULE.id, Severity.WARNING, "Pod", "/spec/automountServiceAccountToken"),
        (RULE.id, Severity.WARNING, "ServiceAccount", "/automountServiceAccountToken"),
    ]


def test_templates_are_checked() -> None:
    text = DEPLOYMENT.format(annotations="", fields="")
    assert [f.path for f in check(RULE, text)] == [
        "/spec/template/spec/automountServiceAccountToken"
    ]
    text = DEPLOYMENT.format(annotations="", fields="      automountServiceAccountToken: false\n")
    assert check(RULE, text) == []


def test_daprd_exits_when_the_builtin_store_has_no_token() -> None:
    [finding] = pod(OFF, DAPR)
    assert summary([finding]) == [
        (RULE.id, Severity.ERROR, "Pod", "/spec/automountServiceAccountToken")
    ]
    assert "the built-in secret store 'kubernetes'" in finding.message
    assert "daprd exits" in finding.message
    assert "dapr.io/disable-builtin-k8s-secret-store" in finding.message
    # Turned off through the ServiceAccount: pointed at the account name.
    fields = "  serviceAccountName: app\n"
    [finding] = pod(fields, DAPR, account(field="automountServiceAccountToken: false"))
    assert (finding.severity, finding.path) == (Severity.ERROR, "/spec/serviceAccountName")
    assert "its ServiceAccount 'app' sets automountServiceAccountToken: false" in finding.message


def test_a_dapr_pod_without_kubernetes_secret_store_needs_no_token() -> None:
    assert pod(OFF, NO_BUILTIN) == []
    [finding] = pod("", NO_BUILTIN)
    assert finding.severity is Severity.WARNING
    assert "daprd does not need it" in finding.message


def test_a_dapr_pod_that_needs_the_token_is_not_told_to_drop_it() -> None:
    [finding] = pod("", DAPR)
    assert finding.severity is Severity.WARNING
    assert "do not simply turn it off" in finding.message
    assert pod(ON, DAPR) == []


def test_a_kubernetes_secret_store_component_loaded_by_the_app() -> None:
    [finding] = pod(OFF, NO_BUILTIN, component())
    assert finding.severity is Severity.ERROR
    assert "Component 'k8s-secrets'" in finding.message
    assert "daprd exits" in finding.message
    [finding] = pod(OFF, NO_BUILTIN, component(scopes="scopes: [backend]"))
    assert finding.severity is Severity.ERROR
    assert pod(OFF, NO_BUILTIN, component(scopes="scopes: [frontend]")) == []
    ignored = component(spec="  ignoreErrors: true\n  metadata: []")
    [finding] = pod(OFF, NO_BUILTIN, ignored)
    assert finding.severity is Severity.ERROR
    assert "daprd skips it" in finding.message
    kubeconfig = component(spec="  metadata: [{name: kubeconfigPath, value: /etc/kube/config}]")
    assert pod(OFF, NO_BUILTIN, kubeconfig) == []
    elsewhere = component().replace("namespace: todo", "namespace: other")
    assert pod(OFF, NO_BUILTIN, elsewhere) == []


def test_a_token_mounted_into_daprd_alone_is_enough() -> None:
    mounts = (
        DAPR
        + ', "dapr.io/volume-mounts": "api-token:/var/run/secrets/kubernetes.io/serviceaccount"'
    )
    volumes = "  volumes: [{name: api-token, projected: {sources: []}}]\n"
    assert pod(OFF + volumes, mounts) == []
    # The injector skips a mount whose volume the pod does not have.
    [finding] = pod(OFF, mounts)
    assert finding.severity is Severity.ERROR


def test_the_charts_helm_test_pod_passes() -> None:
    annotations = NO_BUILTIN.replace("backend", "todo-dapr-test")
    fields = "  serviceAccountName: todo-dapr-test\n" + OFF
    more = account("todo-dapr-test", "automountServiceAccountToken: false")
    more += component(scopes="scopes: [backend, chat-api, frontend]")
    assert pod(fields, annotations, more) == []


def test_hostile_shapes_do_not_crash() -> None:
    assert pod("  serviceAccountName: [a]\n") == []
    assert [
        f.severity for f in pod(OFF, '"dapr.io/enabled": "true", "dapr.io/volume-mounts": 3')
    ] == [Severity.ERROR]
    text = "apiVersion: v1\nkind: ServiceAccount\nmetadata: [x]\n"
    assert check(RULE, text) == []
    assert check(RULE, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: 3\n") == []


def test_without_app_id_a_pod_is_its_name_and_a_template_is_unknown() -> None:
    scoped = component(scopes="scopes: [p]")
    no_app_id = '"dapr.io/enabled": "true", "dapr.io/disable-builtin-k8s-secret-store": "true"'
    [finding] = pod(OFF, no_app_id, scoped)
    assert finding.severity is Severity.ERROR
    template = DEPLOYMENT.format(
        annotations='"dapr.io/enabled": "true", "dapr.io/disable-builtin-k8s-secret-store": "y"',
        fields="      automountServiceAccountToken: false\n",
    )
    assert check(RULE, template + component(scopes="scopes: [d]")) == []


def test_many_stores_are_summed_up() -> None:
    stores = "".join(component().replace("k8s-secrets", f"store-{i}") for i in range(5))
    [finding] = pod(OFF, NO_BUILTIN, stores)
    assert "'store-0'" in finding.message and "'store-2'" in finding.message
    assert "'store-3'" not in finding.message
    assert "and 2 more" in finding.message
