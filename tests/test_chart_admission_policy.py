"""configuration.features and admissionPolicy, on the chart rendered by real Helm 3 and 4.

The admission policy's CEL is compiled by the validator rule kubernetes-admission-policy-cel,
and evaluated here with the same CEL library against sample pods, in the order the API server
uses (matchConditions, then the variables in order, then each validation and its message).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml
from chartutil import (
    CHART,
    NAMESPACE,
    RELEASE,
    Rendered,
    helm,
    parse_stream,
    profile_values,
    render,
)

from tools.chart.helm import run
from tools.core.context import RunContext
from tools.kubernetes import cel
from tools.validate import Source, validate

HELMS = (4, 3)
POLICY = f"{NAMESPACE}.{RELEASE}.dapr-config-guard"
APPS = {"backend", "chat-api", "frontend", "notification-service"}


def oke(**changes: Any) -> dict[str, Any]:
    values = copy.deepcopy(profile_values("oke"))
    for key, change in changes.items():
        values[key] = {**values[key], **change}
    return values


def findings_of(rendered: Rendered) -> list[str]:
    context = RunContext(dapr_sidecar_drop_all=True)
    report = validate([Source("rendered.yaml", rendered.stdout, "test")], context=context)
    return [f"{f.severity.name} {f.rule}: {f.message}" for f in report.findings]


# --- configuration.features -------------------------------------------------------------------

FEATURES = [{"name": "HotReload", "enabled": False}, {"name": "ActorStateTTL", "enabled": True}]


@pytest.fixture(scope="module", params=HELMS)
def with_features(request: pytest.FixtureRequest) -> Rendered:
    values = oke(configuration={"features": FEATURES}, tests={"enabled": True})
    rendered = render(request.param, values=values)
    assert rendered.returncode == 0, rendered.stderr
    return rendered


def test_features_reach_every_configuration(with_features: Rendered) -> None:
    configurations = with_features.of_kind("Configuration")
    names = {d.name for d in configurations}
    assert names == {f"dapr-config-{app}" for app in APPS} | {"dapr-config-todo-dapr-test"}
    for document in configurations:
        assert document.doc["spec"]["features"] == FEATURES, document.name


def test_no_features_by_default() -> None:
    for document in render(4, profile="oke").of_kind("Configuration"):
        assert "features" not in document.doc["spec"]


def test_features_render_and_validate_clean(with_features: Rendered) -> None:
    assert findings_of(with_features) == []


@pytest.mark.parametrize("major", HELMS)
def test_a_feature_named_twice_is_refused_with_its_path(major: int) -> None:
    twice = [*FEATURES, {"name": "HotReload", "enabled": True}]
    rendered = render(major, values=oke(configuration={"features": twice}))
    assert rendered.returncode != 0
    assert 'configuration.features[2].name: "HotReload" is already configuration.features[0]' in (
        rendered.stderr
    )


@pytest.mark.parametrize(
    "feature",
    [
        {"name": "", "enabled": True},
        {"name": "HotReload"},
        {"name": "HotReload", "enabled": "no"},
        {"name": "HotReload", "enabled": True, "extra": 1},
    ],
    ids=["empty-name", "no-enabled", "string-enabled", "extra-key"],
)
def test_malformed_features_are_refused_by_the_schema(feature: dict[str, Any]) -> None:
    rendered = render(4, values=oke(configuration={"features": [feature]}))
    assert rendered.returncode != 0
    assert "/configuration/features/0" in rendered.stderr


def test_an_unknown_feature_name_warns_in_the_validator() -> None:
    rendered = render(
        4, values=oke(configuration={"features": [{"name": "HotReloadd", "enabled": True}]})
    )
    assert rendered.returncode == 0, rendered.stderr
    found = findings_of(rendered)
    assert found and all("dapr-feature-name" in f for f in found)


# --- admissionPolicy ----------------------------------------------------------------------------


@pytest.fixture(scope="module", params=HELMS)
def guarded(request: pytest.FixtureRequest) -> Rendered:
    values = oke(admissionPolicy={"enabled": True}, tests={"enabled": True})
    rendered = render(request.param, values=values)
    assert rendered.returncode == 0, rendered.stderr
    return rendered


def test_no_policy_by_default() -> None:
    rendered = render(4, profile="oke")
    assert not rendered.of_kind("ValidatingAdmissionPolicy")
    assert not rendered.of_kind("ValidatingAdmissionPolicyBinding")


def test_policy_and_binding_render_one_kind_per_template(guarded: Rendered) -> None:
    (policy,) = guarded.of_kind("ValidatingAdmissionPolicy")
    (binding,) = guarded.of_kind("ValidatingAdmissionPolicyBinding")
    assert policy.template.endswith("templates/admissionpolicy.yaml")
    assert binding.template.endswith("templates/admissionpolicybinding.yaml")
    for document in (policy, binding):
        assert document.doc["apiVersion"] == "admissionregistration.k8s.io/v1"
        assert document.name == POLICY
        assert "namespace" not in document.doc["metadata"]  # cluster-scoped
        assert document.doc["metadata"]["labels"]["app.kubernetes.io/instance"] == RELEASE
    spec = binding.doc["spec"]
    assert spec["policyName"] == POLICY
    assert spec["validationActions"] == ["Deny"]
    assert spec["matchResources"]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": NAMESPACE
    }
    rules = policy.doc["spec"]["matchConstraints"]["resourceRules"]
    assert rules == [
        {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}
    ]


def _policy_names(major: int, namespace: str, release: str) -> set[str]:
    values = yaml.safe_dump(oke(admissionPolicy={"enabled": True}))
    result = run(
        helm(major),
        "template",
        release,
        str(CHART),
        "--namespace",
        namespace,
        "-f",
        "-",
        input_text=values,
    )
    assert result.returncode == 0, result.stderr
    names = set()
    for document in parse_stream(result.stdout):
        if document.kind == "ValidatingAdmissionPolicy":
            names.add(document.name)
        if document.kind == "ValidatingAdmissionPolicyBinding":
            names.add(document.name)
            assert document.doc["spec"]["policyName"] == document.name
    return names


@pytest.mark.parametrize("major", HELMS)
def test_releases_whose_dashed_names_collide_get_their_own_policy(major: int) -> None:
    """Cluster-scoped: namespace a-b with release c and namespace a with release b-c both read
    a-b-c when joined by dashes; a namespace holds no dot, so dots keep them apart."""
    first = _policy_names(major, "team-blue", "todo")
    second = _policy_names(major, "team", "blue-todo")
    assert first.isdisjoint(second)
    assert first == {"team-blue.todo.dapr-config-guard"}
    assert second == {"team.blue-todo.dapr-config-guard"}


@pytest.mark.parametrize("major", HELMS)
def test_the_longest_policy_name_is_a_dns_subdomain(major: int) -> None:
    (name,) = _policy_names(major, "n" * 63, "r" * 53)
    assert len(name) <= 253
    label = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
    assert re.fullmatch(rf"{label}(\.{label})*", name), name


def test_the_rendered_policy_validates_clean(guarded: Rendered) -> None:
    """kubernetes-admission-policy-cel compiles every expression of the policy."""
    assert findings_of(guarded) == []


def test_validation_actions_reach_the_binding() -> None:
    values = oke(admissionPolicy={"enabled": True, "validationActions": ["Warn", "Audit"]})
    rendered = render(4, values=values)
    (binding,) = rendered.of_kind("ValidatingAdmissionPolicyBinding")
    assert binding.doc["spec"]["validationActions"] == ["Warn", "Audit"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"validationActions": ["Deny", "Warn"]}, "admissionPolicy.validationActions: Deny and"),
        ({"validationActions": []}, "/admissionPolicy/validationActions"),
        ({"validationActions": ["Block"]}, "/admissionPolicy/validationActions/0"),
        ({"failurePolicy": "Maybe"}, "/admissionPolicy/failurePolicy"),
        ({"enabeld": True}, "/admissionPolicy"),
    ],
    ids=["deny-and-warn", "empty", "unknown-action", "failure-policy", "typo"],
)
def test_bad_policy_values_are_refused_by_the_schema(change: dict[str, Any], where: str) -> None:
    rendered = render(4, values=oke(admissionPolicy={"enabled": True, **change}))
    assert rendered.returncode != 0
    assert where in rendered.stderr


def test_the_policy_needs_the_configurations() -> None:
    values = oke(admissionPolicy={"enabled": True}, configuration={"enabled": False})
    rendered = render(4, values=values)
    assert rendered.returncode != 0
    assert "admissionPolicy.enabled:" in rendered.stderr


def _declared(variables: list[str], authorizer: bool = True) -> frozenset[str]:
    names = {*cel.ADMISSION_OBJECTS, *(f"variables.{v}" for v in variables)}
    if authorizer:
        names.update(cel.ADMISSION_AUTHORIZER)
    return frozenset(names)


def admit(policy: dict[str, Any], annotations: dict[str, str] | None) -> list[str]:
    """The messages the policy refuses a pod with (empty: admitted), evaluated as the API
    server does: matchConditions, then variables in order, then validations."""
    meta: dict[str, Any] = {"name": "p"}
    if annotations is not None:
        meta["annotations"] = annotations
    data: dict[str, Any] = {"object": {"metadata": meta}}
    spec = policy["spec"]
    for condition in spec["matchConditions"]:
        env = cel._policy_environment(_declared([]))
        if not env.compile(condition["expression"]).eval(data=data).value():
            return []
    names: list[str] = []
    for variable in spec["variables"]:
        env = cel._policy_environment(_declared(names))
        value = env.compile(variable["expression"]).eval(data=data).plain_value()
        data[f"variables.{variable['name']}"] = value
        names.append(variable["name"])
    refused = []
    for validation in spec["validations"]:
        env = cel._policy_environment(_declared(names))
        if not env.compile(validation["expression"]).eval(data=data).value():
            message_env = cel._policy_environment(_declared(names, authorizer=False))
            compiled = message_env.compile(validation["messageExpression"])
            refused.append(str(compiled.eval(data=data).value()))
    return refused


@pytest.fixture(scope="module")
def policy(guarded: Rendered) -> dict[str, Any]:
    (document,) = guarded.of_kind("ValidatingAdmissionPolicy")
    return document.doc


def test_a_pod_with_its_own_configuration_is_admitted(policy: dict[str, Any]) -> None:
    for app in [*sorted(APPS), "todo-dapr-test"]:
        annotations = {
            "dapr.io/enabled": "true",
            "dapr.io/app-id": app,
            "dapr.io/config": f"dapr-config-{app}",
        }
        assert admit(policy, annotations) == [], app


def test_pods_without_dapr_are_not_judged(policy: dict[str, Any]) -> None:
    assert admit(policy, None) == []
    assert admit(policy, {"dapr.io/enabled": "false", "dapr.io/app-id": "backend"}) == []
    assert admit(policy, {"dapr.io/app-id": "backend"}) == []


def test_a_missing_configuration_is_refused_with_the_annotation_to_set(
    policy: dict[str, Any],
) -> None:
    """The injector's truthy spellings (dapr/kit IsTruthy) all count as enabled."""
    for enabled in ("true", " TRUE ", "yes", "on", "1", "t", "Y"):
        (message,) = admit(policy, {"dapr.io/enabled": enabled, "dapr.io/app-id": "backend"})
        assert "the annotation dapr.io/config is missing" in message
        assert 'set the annotation dapr.io/config: "dapr-config-backend"' in message


def test_another_apps_configuration_is_refused(policy: dict[str, Any]) -> None:
    annotations = {
        "dapr.io/enabled": "true",
        "dapr.io/app-id": "frontend",
        "dapr.io/config": "dapr-config-backend",
    }
    (message,) = admit(policy, annotations)
    assert (
        'dapr.io/config "dapr-config-backend" is not the Configuration of app frontend' in message
    )
    assert '"dapr-config-frontend"' in message


def test_an_unknown_or_missing_app_id_is_refused(policy: dict[str, Any]) -> None:
    (message,) = admit(policy, {"dapr.io/enabled": "true", "dapr.io/config": "dapr-config-x"})
    assert "the annotation dapr.io/app-id is missing" in message
    assert "backend, chat-api, frontend, notification-service, todo-dapr-test" in message
    (message,) = admit(
        policy,
        {"dapr.io/enabled": "true", "dapr.io/app-id": "x", "dapr.io/config": "dapr-config-x"},
    )
    assert 'dapr.io/app-id "x" is not an app of this release' in message


def test_the_test_app_is_known_only_with_tests_enabled() -> None:
    rendered = render(4, values=oke(admissionPolicy={"enabled": True}, tests={"enabled": False}))
    (document,) = rendered.of_kind("ValidatingAdmissionPolicy")
    annotations = {
        "dapr.io/enabled": "true",
        "dapr.io/app-id": "todo-dapr-test",
        "dapr.io/config": "dapr-config-todo-dapr-test",
    }
    (message,) = admit(document.doc, annotations)
    assert "is not an app of this release" in message


def test_disabled_apps_are_not_known() -> None:
    values = oke(admissionPolicy={"enabled": True})
    values["apps"]["frontend"]["enabled"] = False
    (document,) = render(4, values=values).of_kind("ValidatingAdmissionPolicy")
    annotations = {
        "dapr.io/enabled": "true",
        "dapr.io/app-id": "frontend",
        "dapr.io/config": "dapr-config-frontend",
    }
    assert admit(document.doc, annotations)


def test_a_broken_policy_would_be_caught() -> None:
    """The rule the rendered policy passes does catch a typo in the same policy."""
    rendered = render(4, values=oke(admissionPolicy={"enabled": True}))
    text = rendered.stdout.replace("variables.expectedConfig", "variables.expectedConfg", 1)
    report = validate(
        [Source("rendered.yaml", text, "test")], context=RunContext(dapr_sidecar_drop_all=True)
    )
    rules = {f.rule for f in report.findings}
    assert rules == {"kubernetes-admission-policy-cel"}
