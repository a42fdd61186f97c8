"""security-pod-no-networkpolicy: pods no ingress NetworkPolicy of their namespace selects."""

from __future__ import annotations

import time
from dataclasses import replace

from rule_check import check

from tools.core.findings import Finding, Severity
from tools.core.resources import load_text
from tools.rules import Bundle
from tools.rules.security._selectors import pod_labels, selector_matches
from tools.rules.security.pod_no_networkpolicy import RULE

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata:
      labels: {labels}
      annotations: {annotations}
    spec:
      containers: [{{name: app, image: "registry.example/app:1.0"}}]
---
"""

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: {namespace}}}
spec:
  podSelector: {selector}
{extra}
---
"""


def deployment(
    name: str = "backend",
    labels: str = "{app: backend}",
    annotations: str = "{}",
    namespace: str = "todo",
) -> str:
    return DEPLOYMENT.format(name=name, labels=labels, annotations=annotations, namespace=namespace)


def policy(
    selector: str, name: str = "p", extra: str = "  policyTypes: [Ingress]", namespace: str = "todo"
) -> str:
    return POLICY.format(name=name, selector=selector, extra=extra, namespace=namespace)


DAPR = '{dapr.io/enabled: "true", dapr.io/app-id: backend}'
OTHER = policy("{matchLabels: {app: frontend}}", name="frontend")


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_a_pod_no_policy_selects_is_reported() -> None:
    [finding] = run(deployment() + OTHER)
    assert (finding.severity, finding.path) == (Severity.WARNING, "/spec/template/metadata")
    assert finding.message.startswith(
        "no NetworkPolicy restricting ingress in namespace 'todo' selects the pods of this "
        "Deployment, though 1 NetworkPolicy restricts other pods there: "
    )
    [finding] = run(deployment() + OTHER + OTHER.replace("name: frontend", "name: f2"))
    assert "though 2 NetworkPolicies restrict other pods there" in finding.message


def test_no_policy_in_the_namespace_means_no_finding() -> None:
    assert run(deployment()) == []
    assert run(deployment() + policy("{}", namespace="other")) == []
    # An egress-only policy does not isolate ingress: no ingress policy in the namespace.
    egress = policy("{matchLabels: {app: frontend}}", extra="  policyTypes: [Egress]")
    assert run(deployment() + egress) == []


def test_policies_that_select_the_pods() -> None:
    for selector in (
        "{}",
        "{matchLabels: {app: backend}}",
        "{matchExpressions: [{key: app, operator: In, values: [frontend, backend]}]}",
        "{matchExpressions: [{key: app, operator: NotIn, values: [frontend]}]}",
        "{matchExpressions: [{key: tier, operator: DoesNotExist}]}",
        "{matchExpressions: [{key: app, operator: Exists}]}",
        "{matchLabels: {app: backend}, matchExpressions: [{key: tier, operator: NotIn, "
        "values: [db]}]}",
    ):
        assert run(deployment() + OTHER + policy(selector, name="mine")) == [], selector


def test_policies_that_do_not_select_the_pods() -> None:
    for selector in (
        "{matchLabels: {app: backend, tier: web}}",
        "{matchExpressions: [{key: app, operator: NotIn, values: [backend]}]}",
        "{matchExpressions: [{key: app, operator: DoesNotExist}]}",
        "{matchExpressions: [{key: tier, operator: Exists}]}",
        "{matchExpressions: [{key: app, operator: In, values: [frontend]}]}",
        "{matchLabels: {app: Backend}}",
    ):
        findings = run(deployment() + policy(selector, name="mine"))
        assert [f.path for f in findings] == ["/spec/template/metadata"], selector


def test_a_policy_for_egress_only_does_not_select_for_ingress() -> None:
    mine = policy("{matchLabels: {app: backend}}", name="mine", extra="  policyTypes: [Egress]")
    assert len(run(deployment() + OTHER + mine)) == 1
    # Without policyTypes every policy restricts ingress, egress rules or not.
    defaulted = policy("{matchLabels: {app: backend}}", name="mine", extra="  egress: [{}]")
    assert run(deployment() + OTHER + defaulted) == []
    empty_types = policy("{matchLabels: {app: backend}}", name="mine", extra="  policyTypes: []")
    assert run(deployment() + OTHER + empty_types) == []


def test_the_labels_the_dapr_injector_adds() -> None:
    by_app_id = policy("{matchLabels: {dapr.io/app-id: backend}}", name="dapr")
    assert run(deployment(annotations=DAPR) + OTHER + by_app_id) == []
    injected = policy('{matchLabels: {dapr.io/sidecar-injected: "true"}}', name="dapr")
    assert run(deployment(annotations=DAPR) + OTHER + injected) == []
    metrics = policy('{matchLabels: {dapr.io/metrics-enabled: "false"}}', name="dapr")
    no_metrics = '{dapr.io/enabled: "yes", dapr.io/app-id: backend, dapr.io/enable-metrics: "0"}'
    assert run(deployment(annotations=no_metrics) + OTHER + metrics) == []
    # Another app ID, or no sidecar at all: the policy does not select the pods.
    [finding] = run(deployment(annotations=DAPR.replace("backend", "api")) + by_app_id)
    assert "(Dapr app 'api', with the labels the sidecar injector adds)" in finding.message
    disabled = '{dapr.io/enabled: "false", dapr.io/app-id: backend}'
    assert len(run(deployment(annotations=disabled) + by_app_id)) == 1
    assert len(run(deployment() + by_app_id)) == 1


def test_the_injector_replaces_a_label_of_the_same_name() -> None:
    labels = "{app: backend, dapr.io/app-id: old}"
    old = policy("{matchLabels: {dapr.io/app-id: old}}", name="old")
    assert len(run(deployment(labels=labels, annotations=DAPR) + old)) == 1
    assert run(deployment(labels=labels) + old) == []


def test_an_app_id_the_manifest_does_not_know_is_given_the_benefit_of_the_doubt() -> None:
    # No dapr.io/app-id annotation: the injector uses the pod's generated name.
    by_app_id = policy("{matchLabels: {dapr.io/app-id: backend}}", name="dapr")
    assert run(deployment(annotations='{dapr.io/enabled: "true"}') + by_app_id) == []
    # A bare Pod's name is known.
    pod = """\
apiVersion: v1
kind: Pod
metadata:
  name: backend
  namespace: todo
  annotations: {dapr.io/enabled: "true"}
spec:
  containers: [{name: app, image: "registry.example/app:1.0"}]
---
"""
    assert run(pod + by_app_id) == []
    [finding] = run(pod.replace("name: backend", "name: other") + by_app_id)
    assert (finding.path, "selects this Pod" in finding.message) == ("/metadata", True)


def test_a_pod_that_already_has_daprd_is_not_patched() -> None:
    text = deployment(annotations=DAPR).replace(
        "containers: [", 'containers: [{name: daprd, image: "registry.example/daprd:1.0"}, '
    )
    by_app_id = policy("{matchLabels: {dapr.io/app-id: backend}}", name="dapr")
    assert len(run(text + by_app_id)) == 1


def test_namespaces_and_profiles() -> None:
    elsewhere = policy("{matchLabels: {app: backend}}", name="mine", namespace="other")
    assert len(run(deployment() + OTHER + elsewhere)) == 1
    # A policy without a namespace goes wherever it is applied: it may select the pods.
    unnamespaced = policy("{matchLabels: {app: backend}}", name="mine")
    assert run(deployment() + OTHER + unnamespaced.replace(", namespace: todo", "")) == []
    # A workload without a namespace is compared with the policies of every namespace.
    loose = deployment().replace(", namespace: todo", "")
    assert len(run(loose + OTHER)) == 1
    assert run(loose + OTHER + elsewhere) == []


def test_a_policy_of_another_profile_does_not_apply() -> None:
    mine = policy("{matchLabels: {app: backend}}", name="mine")
    resources = load_text(deployment() + OTHER + mine, "p.yaml").resources
    profiles = ["dev", "dev", "oke"]
    resources = [replace(r, profile=p) for r, p in zip(resources, profiles, strict=True)]
    bundle = Bundle(resources)
    found = [f for r in resources if RULE.applies_to(r) for f in RULE.check(r, bundle)]
    assert [(f.resource and f.resource.profile, f.path) for f in found] == [
        ("dev", "/spec/template/metadata")
    ]


def test_kinds_and_hostile_shapes() -> None:
    template = """\
apiVersion: v1
kind: PodTemplate
metadata: {name: t, namespace: todo}
template:
  metadata: {labels: {app: t}}
  spec: {containers: [{name: app, image: "registry.example/app:1.0"}]}
---
"""
    assert run(template + OTHER) == []  # a PodTemplate runs no pods
    for selector in (
        "7",
        "{matchLabels: 7}",
        "{matchLabels: {app: 7}}",
        "{matchExpressions: [{key: app, operator: Gt, values: ['1']}]}",
        "{matchExpressions: 7}",
        "{matchExpressions: [7]}",
    ):
        # A selector the API server refuses may select anything: no finding rests on it.
        assert run(deployment() + OTHER + policy(selector, name="bad")) == [], selector
    hostile = deployment(labels="[x]", annotations="7").replace("spec:\n      c", "spec: 7\n#")
    assert run(hostile + OTHER) == []
    assert run("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: 7\n") == []


def test_selector_semantics() -> None:
    labels: dict[str, str | None] = {"app": "a", "id": None}
    assert selector_matches({}, labels) is True
    assert selector_matches({"matchLabels": {"id": "x"}}, labels) is None
    assert selector_matches({"matchLabels": {"id": "x", "app": "b"}}, labels) is False
    exists = {"matchExpressions": [{"key": "id", "operator": "Exists"}]}
    assert selector_matches(exists, labels) is True
    not_in = {"matchExpressions": [{"key": "id", "operator": "NotIn", "values": ["x"]}]}
    assert selector_matches(not_in, labels) is None
    assert selector_matches({"matchLabels": None, "matchExpressions": None}, labels) is True


def test_pod_labels_of_a_cronjob() -> None:
    text = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "@hourly"
  jobTemplate:
    spec:
      template:
        metadata:
          labels: {app: c}
          annotations: {dapr.io/enabled: "on", dapr.io/app-id: cron}
        spec: {containers: [{name: app, image: "registry.example/app:1.0"}]}
"""
    [resource] = load_text(text, "c.yaml").resources
    assert pod_labels(resource) == {
        "app": "c",
        "dapr.io/sidecar-injected": "true",
        "dapr.io/app-id": "cron",
        "dapr.io/metrics-enabled": "true",
    }


def _many(count: int, selected: bool) -> str:
    """``count`` apps with a policy each; the policies select their own app's pods, or not."""
    docs = []
    for i in range(count):
        target = f"app{i}" if selected else f"other{i}"
        docs.append(deployment(name=f"app{i}", labels=f"{{app: app{i}, tier: web}}"))
        docs.append(policy(f"{{matchLabels: {{app: {target}, tier: web}}}}", name=f"p{i}"))
    return "".join(docs)


def _seconds(text: str) -> tuple[float, int]:
    resources = load_text(text, "big.yaml").resources
    best = float("inf")
    found = 0
    for _ in range(3):
        bundle = Bundle(resources)
        start = time.perf_counter()
        found = sum(1 for r in resources if RULE.applies_to(r) for _f in RULE.check(r, bundle))
        best = min(best, time.perf_counter() - start)
    return best, found


def test_cost_is_linear_in_pods_and_policies() -> None:
    """Every pod tried against every policy of its namespace was quadratic."""
    for selected in (True, False):
        small, found_small = _seconds(_many(300, selected))
        large, found_large = _seconds(_many(1200, selected))
        assert (found_small, found_large) == ((0, 0) if selected else (300, 1200))
        assert large < 8 * small + 0.05, f"{small:.3f} s, then {large:.3f} s"
