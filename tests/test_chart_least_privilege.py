"""Least privilege per app and delivery without silent loss, on the chart rendered by real Helm.

Each profile is rendered once per session per Helm major (chartutil.render_profile is cached);
values-dict variations are rendered once per module through the fixtures below.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
from chartutil import (
    CHART,
    Rendered,
    load_yaml,
    metadata_items,
    profile_file,
    render,
    render_profile,
    topic_scopes,
)

from tools.core.context import RunContext
from tools.validate import Source, validate

HELMS = (4, 3)
STORE = "kubernetes-secrets"
TEST_APP = "todo-dapr-test"
TEST_CONFIG = f"dapr-config-{TEST_APP}"
TEST_API = {
    ("metadata", "v1", "http"),
    ("shutdown", "v1", "http"),
    ("metadata", "v1", "grpc"),
    ("shutdown", "v1", "grpc"),
}
STATE_QUERY = {("state", "v1alpha1", "http"), ("state", "v1alpha1", "grpc")}

# A subscription on a dead-letter topic, with no dead-letter topic of its own (done-when case).
DLQ_SUBSCRIPTION = {
    "name": "task-events-dlq-subscription",
    "topic": "task-events-dlq",
    "routes": {"default": "/api/events/task-events-dlq"},
    "scopes": ["backend"],
}


def oke_values() -> dict[str, Any]:
    data = load_yaml(profile_file("oke").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def oke_with(**changes: Any) -> dict[str, Any]:
    """The oke profile with some top-level sections replaced (merged one level deep)."""
    values = copy.deepcopy(oke_values())
    for key, change in changes.items():
        values[key] = {**values[key], **change} if isinstance(change, dict) else change
    return values


def findings_of(rendered: Rendered) -> list[str]:
    # As the README deploys the chart: the Dapr injector drops every capability of daprd.
    context = RunContext(dapr_sidecar_drop_all=True)
    report = validate([Source("rendered.yaml", rendered.stdout, "test")], context=context)
    return [f"{f.severity.name} {f.rule}: {f.message}" for f in report.findings]


def api_rules(config: dict[str, Any], field: str) -> set[tuple[str, str, str]]:
    rules = config["spec"].get("api", {}).get(field, [])
    return {(r["name"], r["version"], r["protocol"]) for r in rules}


def secret_scopes(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["storeName"]: s for s in config["spec"]["secrets"]["scopes"]}


def egress_ports(policy: dict[str, Any]) -> set[int]:
    return {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]}


@pytest.fixture(scope="module")
def oke() -> Rendered:
    return render_profile(4, "oke")


@pytest.fixture(scope="module", params=HELMS)
def dlq_render(request: pytest.FixtureRequest) -> Rendered:
    values = oke_values()
    values["subscriptions"] = [*values["subscriptions"], DLQ_SUBSCRIPTION]
    rendered = render(request.param, values=values)
    assert rendered.returncode == 0, rendered.stderr
    return rendered


@pytest.fixture(scope="module")
def with_secrets() -> Rendered:
    apps = copy.deepcopy(oke_values()["apps"])
    apps["backend"]["secrets"] = ["backend-api-keys"]
    apps["backend"]["serviceAccount"] = "backend"
    apps["backend"]["api"] = {"allowed": [{"name": "state", "version": "v1", "protocol": "http"}]}
    rendered = render(
        4,
        values=oke_with(
            apps=apps,
            rbac={"create": True},
            configuration={"api": {"allowed": [], "denied": []}, "denyStateQuery": True},
            commonAnnotations={"team.example.com/owner": "platform"},
            commonLabels={"team": "platform"},
        ),
    )
    assert rendered.returncode == 0, rendered.stderr
    return rendered


# -- one Configuration per app ------------------------------------------------------------------


@pytest.mark.parametrize("major", HELMS)
def test_each_app_has_its_own_configuration(major: int) -> None:
    rendered = render_profile(major, "oke")
    names = {d.name for d in rendered.of_kind("Configuration")}
    apps = {k for k, a in oke_values()["apps"].items() if a.get("enabled", True)}
    assert {f"dapr-config-{app}" for app in apps} <= names
    assert "dapr-config" not in names
    assert names == {f"dapr-config-{app}" for app in apps} | {TEST_CONFIG}


def test_the_frontend_cannot_read_component_credentials(oke: Rendered) -> None:
    frontend = oke.one("Configuration", "dapr-config-frontend")
    scopes = secret_scopes(frontend)
    assert scopes["kubernetes"] == {"storeName": "kubernetes", "defaultAccess": "deny"}
    assert scopes[STORE]["defaultAccess"] == "deny"
    allowed = set(scopes[STORE].get("allowedSecrets", []))
    assert not allowed & {"kafka-secrets", "app-secrets"}


def test_no_configuration_grants_a_secret_no_app_declared(oke: Rendered) -> None:
    declared = {s for app in oke_values()["apps"].values() for s in app.get("secrets", [])}
    for document in oke.of_kind("Configuration"):
        for scope in secret_scopes(document.doc).values():
            assert set(scope.get("allowedSecrets", [])) <= declared, document.name


def test_declared_secrets_reach_only_their_app(with_secrets: Rendered) -> None:
    backend = secret_scopes(with_secrets.one("Configuration", "dapr-config-backend"))
    assert backend[STORE]["allowedSecrets"] == ["backend-api-keys"]
    for app in ("chat-api", "frontend", "notification-service"):
        scopes = secret_scopes(with_secrets.one("Configuration", f"dapr-config-{app}"))
        assert "allowedSecrets" not in scopes[STORE], app


def test_rbac_grants_get_on_exactly_the_declared_secrets(with_secrets: Rendered) -> None:
    (role,) = with_secrets.of_kind("Role")
    assert role.doc["rules"] == [
        {
            "apiGroups": [""],
            "resources": ["secrets"],
            "verbs": ["get"],
            "resourceNames": ["backend-api-keys"],
        }
    ]
    (binding,) = with_secrets.of_kind("RoleBinding")
    assert binding.doc["roleRef"]["name"] == role.name
    assert binding.doc["subjects"] == [
        {"kind": "ServiceAccount", "name": "backend", "namespace": "todo-ns"}
    ]
    assert not render_profile(4, "oke").of_kind("Role")


def test_rbac_needs_the_apps_service_account() -> None:
    apps = copy.deepcopy(oke_values()["apps"])
    apps["chat-api"]["secrets"] = ["chat-keys"]
    rendered = render(4, values=oke_with(apps=apps, rbac={"create": True}))
    assert rendered.returncode != 0
    assert "apps.chat-api.serviceAccount:" in rendered.stderr


def test_secrets_need_the_secret_store() -> None:
    apps = copy.deepcopy(oke_values()["apps"])
    apps["notification-service"]["secrets"] = ["x"]
    rendered = render(4, values=oke_with(apps=apps))
    assert rendered.returncode != 0
    assert "apps.notification-service.secrets:" in rendered.stderr


def test_per_app_api_lists_add_to_the_shared_ones(with_secrets: Rendered) -> None:
    backend = with_secrets.one("Configuration", "dapr-config-backend")
    assert api_rules(backend, "allowed") == {("state", "v1", "http")}
    frontend = with_secrets.one("Configuration", "dapr-config-frontend")
    assert api_rules(frontend, "allowed") == set()


def test_with_secrets_validates_clean(with_secrets: Rendered) -> None:
    assert findings_of(with_secrets) == []


# -- what daprd would ignore or refuse ----------------------------------------------------------

AUDIT_SUBSCRIPTION = {
    "name": "task-events-audit",
    "topic": "task-events",
    "routes": {"default": "/api/audit/task-events"},
    "scopes": ["backend"],
}


@pytest.fixture(scope="module")
def policies_and_grpc() -> Rendered:
    """Access control policies without a trust domain, gRPC API rules, and a second
    subscription to a topic for another app."""
    apps = copy.deepcopy(oke_values()["apps"])
    apps["backend"]["accessControl"] = {
        "enabled": True,
        "defaultAction": "deny",
        "trustDomain": "prod.example",
        "policies": [{"appId": "chat-api", "defaultAction": "allow", "namespace": "todo-ns"}],
    }
    configuration = {
        "accessControl": {
            "enabled": True,
            "defaultAction": "allow",
            "trustDomain": "cluster.local",
            "policies": [
                {"appId": "frontend", "defaultAction": "deny", "namespace": "todo-ns"},
                {
                    "appId": "backend",
                    "defaultAction": "allow",
                    "namespace": "todo-ns",
                    "trustDomain": "public",
                },
            ],
        },
        "api": {
            "allowed": [],
            "denied": [
                {"name": "state", "version": "v1", "protocol": "grpc"},
                {"name": "state", "version": "v1.0", "protocol": "http"},
            ],
        },
    }
    values = oke_with(apps=apps, configuration=configuration)
    values["subscriptions"] = [*values["subscriptions"], AUDIT_SUBSCRIPTION]
    rendered = render(4, values=values)
    assert rendered.returncode == 0, rendered.stderr
    return rendered


def test_a_policy_without_a_trust_domain_takes_the_sections(policies_and_grpc: Rendered) -> None:
    shared = policies_and_grpc.one("Configuration", "dapr-config-frontend")
    control = shared["spec"]["accessControl"]
    assert [p["trustDomain"] for p in control["policies"]] == ["cluster.local", "public"]
    own = policies_and_grpc.one("Configuration", "dapr-config-backend")
    (policy,) = own["spec"]["accessControl"]["policies"]
    assert policy["trustDomain"] == "prod.example"


def test_grpc_api_rules_use_grpc_versions(policies_and_grpc: Rendered) -> None:
    config = policies_and_grpc.one("Configuration", "dapr-config-chat-api")
    assert api_rules(config, "denied") >= {("state", "v1", "grpc"), ("state", "v1.0", "http")}


def test_two_subscriptions_to_one_topic_for_different_apps(policies_and_grpc: Rendered) -> None:
    names = {d.name for d in policies_and_grpc.of_kind("Subscription")}
    assert {"task-events-subscription", "task-events-audit"} <= names


def test_policies_grpc_rules_and_subscriptions_validate_clean(policies_and_grpc: Rendered) -> None:
    assert findings_of(policies_and_grpc) == []


@pytest.mark.parametrize("where", ["configuration", "apps"])
@pytest.mark.parametrize(
    "entry",
    [
        {"name": "state", "version": "v1.0", "protocol": "grpc"},  # HTTP's version form
        {"name": "lock", "version": "v1", "protocol": "grpc"},  # lock is only v1alpha1
        {"name": "state", "version": "v1"},  # no protocol: neither server applies it
    ],
    ids=str,
)
def test_api_rules_daprd_ignores_are_refused_by_the_schema(
    where: str, entry: dict[str, str]
) -> None:
    lists = {"allowed": [], "denied": [entry]}
    if where == "apps":
        apps = copy.deepcopy(oke_values()["apps"])
        apps["backend"]["api"] = lists
        values, pointer = oke_with(apps=apps), "'/apps/backend/api/denied/0"
    else:
        values, pointer = oke_with(configuration={"api": lists}), "'/configuration/api/denied/0"
    rendered = render(4, values=values)
    assert rendered.returncode != 0
    assert "values don't meet the specifications of the schema" in rendered.stderr
    assert pointer in rendered.stderr, rendered.stderr


# -- state isolation ----------------------------------------------------------------------------


def test_the_state_query_api_is_denied_to_every_app(oke: Rendered) -> None:
    for document in oke.of_kind("Configuration"):
        if document.name == TEST_CONFIG:
            continue
        assert api_rules(document.doc, "denied") >= STATE_QUERY, document.name


def test_the_state_query_api_can_be_left_on() -> None:
    rendered = render(4, values=oke_with(configuration={"denyStateQuery": False}))
    assert rendered.returncode == 0, rendered.stderr
    backend = rendered.one("Configuration", "dapr-config-backend")
    assert "api" not in backend["spec"]


# -- the helm test's identity -------------------------------------------------------------------


def test_the_test_pod_configuration_allows_only_metadata_and_shutdown(oke: Rendered) -> None:
    config = oke.one("Configuration", TEST_CONFIG)
    assert api_rules(config, "allowed") == TEST_API
    assert api_rules(config, "denied") == set()
    scopes = secret_scopes(config)
    assert set(scopes) == {"kubernetes", STORE}
    for scope in scopes.values():
        assert scope["defaultAccess"] == "deny" and not scope.get("allowedSecrets")
    (pod,) = oke.of_kind("Pod")
    assert pod.doc["metadata"]["annotations"]["dapr.io/config"] == TEST_CONFIG


def test_the_test_pod_runs_under_its_own_tokenless_identity(oke: Rendered) -> None:
    (account,) = oke.of_kind("ServiceAccount")
    assert account.doc["automountServiceAccountToken"] is False
    (pod,) = oke.of_kind("Pod")
    spec = pod.doc["spec"]
    assert spec["serviceAccountName"] == account.name
    assert spec["automountServiceAccountToken"] is False
    hooks = {
        d.kind: d.doc["metadata"]["annotations"]
        for d in oke.documents
        if d.template.startswith("todo-dapr/templates/tests/")
    }
    assert set(hooks) == {"Pod", "ServiceAccount", "Configuration", "NetworkPolicy"}
    for kind, hook in hooks.items():
        assert hook["helm.sh/hook"] == "test", kind
        weight = int(hook["helm.sh/hook-weight"])
        assert weight < 0 if kind != "Pod" else weight == 0


def test_the_test_pod_passes_the_restricted_pod_security_standard(oke: Rendered) -> None:
    (pod,) = oke.of_kind("Pod")
    spec = pod.doc["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in spec["containers"]:
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
    assert not spec.get("hostNetwork") and not spec.get("volumes")
    annotations = pod.doc["metadata"]["annotations"]
    assert annotations["dapr.io/sidecar-seccomp-profile-type"] == "RuntimeDefault"


def test_the_test_pod_loads_no_secret_store_and_reaches_no_api_server(oke: Rendered) -> None:
    components = oke.components()
    assert TEST_APP not in components[STORE]["scopes"]
    assert TEST_APP in components["kafka-pubsub"]["scopes"]
    meta = metadata_items(components["kafka-pubsub"])
    assert topic_scopes(meta["publishingScopes"]["value"])[TEST_APP] == set()
    assert topic_scopes(meta["subscriptionScopes"]["value"])[TEST_APP] == set()
    policy = oke.one("NetworkPolicy", f"todo-{TEST_APP}")
    assert "ingress" not in policy["spec"]
    assert egress_ports(policy).isdisjoint({443, 6443})


def test_the_test_pod_works_when_the_apps_api_is_restricted() -> None:
    allowed = [{"name": "state", "version": "v1", "protocol": "http"}]
    rendered = render(4, values=oke_with(configuration={"api": {"allowed": allowed, "denied": []}}))
    assert rendered.returncode == 0, rendered.stderr
    assert api_rules(rendered.one("Configuration", TEST_CONFIG), "allowed") == TEST_API
    backend = rendered.one("Configuration", "dapr-config-backend")
    assert api_rules(backend, "allowed") == {("state", "v1", "http")}


# The multi-arch index of curlimages/curl:8.11.1: what values.yaml pins by default.
CURL_DIGEST = "sha256:c1fe1679c34d9784c1b0d1e5f62ac0a79fca01fb6377cdd33e90473c6f9f9a69"


def test_the_test_image_is_pinned_by_digest_by_default() -> None:
    rendered = render(4, values={"tests": {"enabled": True}})
    assert rendered.returncode == 0, rendered.stderr
    (pod,) = rendered.of_kind("Pod")
    image = pod.doc["spec"]["containers"][0]["image"]
    assert image == f"docker.io/curlimages/curl:8.11.1@{CURL_DIGEST}"


def test_a_mirror_registry_keeps_the_digest() -> None:
    # OCIR: the registry is the region's host, the tenancy namespace starts the repository.
    mirror = {"registry": "fra.ocir.io", "repository": "tenancyns/curlimages/curl"}
    tests = {"enabled": True, "image": mirror}
    rendered = render(4, values={"tests": tests})
    assert rendered.returncode == 0, rendered.stderr
    (pod,) = rendered.of_kind("Pod")
    image = pod.doc["spec"]["containers"][0]["image"]
    assert image == f"fra.ocir.io/tenancyns/curlimages/curl:8.11.1@{CURL_DIGEST}"


def test_the_test_image_takes_a_registry_a_digest_and_pull_secrets() -> None:
    digest = "sha256:" + "a" * 64
    tests = copy.deepcopy(oke_values()["tests"])
    tests["image"].update({"registry": "mirror.example.com:5000", "digest": digest})
    tests["imagePullSecrets"] = ["mirror-pull"]
    rendered = render(4, values=oke_with(tests=tests))
    assert rendered.returncode == 0, rendered.stderr
    (pod,) = rendered.of_kind("Pod")
    image = pod.doc["spec"]["containers"][0]["image"]
    assert image == f"mirror.example.com:5000/curlimages/curl:8.11.1@{digest}"
    assert pod.doc["spec"]["imagePullSecrets"] == [{"name": "mirror-pull"}]


# -- no silent loss -----------------------------------------------------------------------------


def test_the_pubsub_has_no_circuit_breaker(oke: Rendered) -> None:
    (resiliency,) = oke.of_kind("Resiliency")
    target = resiliency.doc["spec"]["targets"]["components"]["kafka-pubsub"]
    assert "circuitBreaker" not in target["inbound"]
    assert "circuitBreaker" not in target["outbound"]
    breakers = resiliency.doc["spec"]["policies"].get("circuitBreakers", {})
    assert "pubsubBreaker" not in breakers


def test_a_pubsub_breaker_is_refused_while_dead_letters_are_published() -> None:
    resiliency = copy.deepcopy(oke_values()["resiliency"])
    resiliency["pubsub"]["circuitBreaker"]["enabled"] = True
    rendered = render(4, values=oke_with(resiliency=resiliency))
    assert rendered.returncode != 0
    assert "resiliency.pubsub.circuitBreaker.enabled:" in rendered.stderr


def test_a_pubsub_breaker_without_dead_letter_topics_is_outbound_only() -> None:
    values = oke_values()
    resiliency = copy.deepcopy(values["resiliency"])
    resiliency["pubsub"]["circuitBreaker"]["enabled"] = True
    subscriptions = [
        {k: v for k, v in s.items() if k != "deadLetterTopic"} for s in values["subscriptions"]
    ]
    rendered = render(4, values=oke_with(resiliency=resiliency, subscriptions=subscriptions))
    assert rendered.returncode == 0, rendered.stderr
    (document,) = rendered.of_kind("Resiliency")
    target = document.doc["spec"]["targets"]["components"]["kafka-pubsub"]
    assert target["outbound"]["circuitBreaker"] == "pubsubBreaker"
    assert "circuitBreaker" not in target["inbound"]
    for subscription in rendered.of_kind("Subscription"):
        assert "deadLetterTopic" not in subscription.doc["spec"]


def test_resiliency_timeouts_are_not_shorter_than_the_components(oke: Rendered) -> None:
    assert findings_of(oke) == []


def test_a_subscription_on_a_dead_letter_topic_renders_and_validates_clean(
    dlq_render: Rendered,
) -> None:
    subscription = dlq_render.one("Subscription", DLQ_SUBSCRIPTION["name"])
    assert subscription["spec"]["topic"] == "task-events-dlq"
    assert "deadLetterTopic" not in subscription["spec"]
    meta = metadata_items(dlq_render.components()["kafka-pubsub"])
    assert "task-events-dlq" in topic_scopes(meta["subscriptionScopes"]["value"])["backend"]
    assert findings_of(dlq_render) == []


def test_helm3_and_helm4_agree_on_the_dead_letter_subscription() -> None:
    values = oke_values()
    values["subscriptions"] = [*values["subscriptions"], DLQ_SUBSCRIPTION]
    four, three = (render(m, values=values) for m in HELMS)
    assert [d.doc for d in four.documents] == [d.doc for d in three.documents]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pubsub": {"deadLetterTopics": ["task-events"]}}, "pubsub.deadLetterTopics[0]:"),
        (
            {
                "subscriptions": [
                    {**DLQ_SUBSCRIPTION, "topic": "x-dlq", "deadLetterTopic": "x-dlq"},
                ],
                "pubsub": {"deadLetterTopics": ["x-dlq"]},
            },
            "subscriptions[0].deadLetterTopic:",
        ),
        ({"subscriptions": [{**DLQ_SUBSCRIPTION, "topic": "nowhere"}]}, "subscriptions[0].topic:"),
    ],
)
def test_dead_letter_mistakes_are_refused(change: dict[str, Any], message: str) -> None:
    values = oke_values()
    for key, value in change.items():
        values[key] = {**values[key], **value} if isinstance(value, dict) else value
    rendered = render(4, values=values)
    assert rendered.returncode != 0
    assert message in rendered.stderr, rendered.stderr


def test_a_listed_dead_letter_topic_is_allowed_and_subscribable() -> None:
    apps = copy.deepcopy(oke_values()["apps"])
    apps["backend"]["subscribes"] = ["orders-dlq"]
    rendered = render(
        4,
        values=oke_with(
            apps=apps,
            pubsub={"deadLetterTopics": ["orders-dlq"]},
        ),
    )
    assert rendered.returncode == 0, rendered.stderr
    meta = metadata_items(rendered.components()["kafka-pubsub"])
    assert "orders-dlq" in meta["allowedTopics"]["value"].split(",")
    assert topic_scopes(meta["subscriptionScopes"]["value"])["backend"] == {"orders-dlq"}


# -- one NetworkPolicy per app ------------------------------------------------------------------


def test_the_frontend_cannot_reach_kafka_or_postgres(oke: Rendered) -> None:
    frontend = oke.one("NetworkPolicy", "dapr-component-policy-frontend")
    assert frontend["spec"]["podSelector"] == {"matchLabels": {"dapr.io/app-id": "frontend"}}
    assert egress_ports(frontend).isdisjoint({9092, 5432})


def test_each_app_reaches_only_its_backends(oke: Rendered) -> None:
    notification = oke.one("NetworkPolicy", "dapr-component-policy-notification-service")
    assert 9092 in egress_ports(notification)
    assert egress_ports(notification).isdisjoint({5432, 6443})
    backend = oke.one("NetworkPolicy", "dapr-component-policy-backend")
    assert {9092, 5432, 6443} <= egress_ports(backend)


def test_the_backend_may_reach_the_trace_collector(oke: Rendered) -> None:
    backend = oke.one("NetworkPolicy", "dapr-component-policy-backend")
    collector = [
        rule for rule in backend["spec"]["egress"] if [p["port"] for p in rule["ports"]] == [4317]
    ]
    assert collector
    (peer,) = collector[0]["to"]
    assert peer == {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}}
    }


def test_raw_extra_rules_pass_through() -> None:
    egress = {
        "to": [
            {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
            {"podSelector": {"matchLabels": {"app": "cache"}}},
        ],
        "ports": [{"protocol": "UDP", "port": 8125}, {"port": 30000, "endPort": 30100}],
    }
    apps = copy.deepcopy(oke_values()["apps"])
    apps["frontend"]["networkPolicy"] = {"extraEgress": [egress]}
    rendered = render(4, values=oke_with(apps=apps))
    assert rendered.returncode == 0, rendered.stderr
    frontend = rendered.one("NetworkPolicy", "dapr-component-policy-frontend")
    assert frontend["spec"]["egress"][-1] == egress
    backend = rendered.one("NetworkPolicy", "dapr-component-policy-backend")
    assert egress not in backend["spec"]["egress"]
    assert findings_of(rendered) == []


def test_a_backwards_port_range_is_refused() -> None:
    rule = {"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}], "ports": [{"port": 9000, "endPort": 8000}]}
    rendered = render(4, values=oke_with(networkPolicy={"extraEgress": [rule]}))
    assert rendered.returncode != 0
    assert "networkPolicy.extraEgress[0].ports[0].endPort:" in rendered.stderr


def test_an_external_collector_needs_its_peers_named() -> None:
    configuration = copy.deepcopy(oke_values()["configuration"])
    configuration["tracing"]["otel"]["endpointAddress"] = "otlp.example.com:4318"
    rendered = render(4, values=oke_with(configuration=configuration))
    assert rendered.returncode != 0
    assert "networkPolicy.tracing:" in rendered.stderr
    rendered = render(
        4,
        values=oke_with(
            configuration=configuration,
            networkPolicy={"tracing": {"cidrs": ["203.0.113.0/24"], "namespaces": []}},
        ),
    )
    assert rendered.returncode == 0, rendered.stderr
    backend = rendered.one("NetworkPolicy", "dapr-component-policy-backend")
    assert {
        "to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
        "ports": [{"protocol": "TCP", "port": 4318}],
    } in backend["spec"]["egress"]


# -- labels and annotations ---------------------------------------------------------------------


def test_common_labels_and_annotations_reach_every_resource(with_secrets: Rendered) -> None:
    for document in with_secrets.documents:
        metadata = document.doc["metadata"]
        assert metadata["labels"]["team"] == "platform", document.name
        assert metadata["annotations"]["team.example.com/owner"] == "platform", document.name


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"commonLabels": {"app.kubernetes.io/name": "x"}}, "commonLabels.app.kubernetes.io/name:"),
        ({"commonAnnotations": {"helm.sh/hook": "x"}}, "commonAnnotations.helm.sh/hook:"),
    ],
)
def test_a_common_key_the_chart_sets_is_refused(values: dict[str, Any], message: str) -> None:
    rendered = render(4, values=oke_with(**values))
    assert rendered.returncode != 0
    assert message in rendered.stderr, rendered.stderr


# -- strictness ---------------------------------------------------------------------------------


def test_new_kinds_pass_the_strict_kubernetes_schema(with_secrets: Rendered) -> None:
    kinds = {"Role", "RoleBinding", "ServiceAccount", "NetworkPolicy", "Pod"}
    documents = [d for d in with_secrets.documents if d.kind in kinds]
    assert {d.kind for d in documents} == kinds
    for document in documents:
        kubernetes_validate.validate(document.doc, "1.34", strict=True)


@pytest.mark.parametrize(
    ("cidr", "valid"),
    [
        ("0.0.0.0/0", True),
        ("255.255.255.255/32", True),
        ("10.0.0.0/8", True),
        ("::/0", True),
        ("2001:db8::/32", True),
        ("fe80::1/128", True),
        ("1:2:3:4:5:6:7:8/64", True),
        ("300.1.1.1/99", False),
        ("256.0.0.0/8", False),
        ("10.0.0.0/33", False),
        ("010.0.0.0/8", False),
        ("10.0.0/8", False),
        ("2001:db8::/129", False),
        ("1::2::3/64", False),
        ("1:2:3:4:5:6:7:8:9/64", False),
        ("10.0.0.0/8\n", False),
    ],
)
def test_cidrs_are_checked_exactly(cidr: str, valid: bool) -> None:
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator({**schema["$defs"]["cidr"], "$defs": {}})
    assert validator.is_valid(cidr) is valid
