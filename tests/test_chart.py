"""The todo-dapr chart, rendered by real Helm 4 and Helm 3 for every profile in ci/."""

from __future__ import annotations

import re
from typing import Any

import kubernetes_validate
import pytest
import yaml
from chartutil import (
    CHART,
    NAMESPACE,
    PROFILES,
    RELEASE,
    lint,
    load_yaml,
    metadata_items,
    profile_file,
    render,
    render_profile,
    topic_scopes,
)

HELMS = (4, 3)
DAPR_KINDS = {"Component", "Subscription", "Configuration", "Resiliency"}
EXPECTED_TYPES = {
    "pubsub": "pubsub.kafka",
    "stateStore": "state.postgresql",
    "scheduler": "bindings.cron",
    "secretStore": "secretstores.kubernetes",
}
# Metadata fields that carry credentials in the components this chart renders.
SENSITIVE = re.compile(
    r"(?i)(pass|secret|token|credential|connectionstring|dsn|privatekey|clientkey|accesskey|apikey|"
    r"^url$|^saslusername$)"
)
CONTROL_PLANE_PORTS = {50001, 6500, 50005, 50006}


def profile_values(profile: str) -> dict[str, Any]:
    data = load_yaml(profile_file(profile).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_profiles_exist() -> None:
    assert {"dev", "oke", "spec"} <= set(PROFILES)


@pytest.mark.parametrize("major", HELMS)
@pytest.mark.parametrize("profile", PROFILES)
def test_profile_renders(major: int, profile: str) -> None:
    rendered = render_profile(major, profile)
    kinds = {d.kind for d in rendered.documents}
    assert {"Component", "Subscription", "Configuration", "Resiliency"} <= kinds
    for document in rendered.documents:
        assert document.template.startswith("todo-dapr/templates/"), document.template


@pytest.mark.parametrize("profile", PROFILES)
def test_helm4_and_helm3_render_the_same_resources(profile: str) -> None:
    four = [d.doc for d in render_profile(4, profile).documents]
    three = [d.doc for d in render_profile(3, profile).documents]
    assert four == three


@pytest.mark.parametrize("major", HELMS)
@pytest.mark.parametrize("profile", PROFILES)
def test_lint_strict_is_clean(major: int, profile: str) -> None:
    returncode, output = lint(major, profile)
    assert returncode == 0, output
    assert "[WARNING]" not in output and "[ERROR]" not in output, output


@pytest.mark.parametrize("major", HELMS)
def test_chart_defaults_render_and_lint(major: int) -> None:
    assert render(major).returncode == 0
    result = render(major, args=("--kube-version", "1.31.0"))
    assert result.returncode != 0 and "kubeVersion" in result.stderr


def test_one_resource_kind_per_template() -> None:
    for profile in PROFILES:
        kinds_by_template: dict[str, set[str]] = {}
        for document in render_profile(4, profile).documents:
            kinds_by_template.setdefault(document.template, set()).add(document.kind)
        assert all(len(kinds) == 1 for kinds in kinds_by_template.values()), kinds_by_template


@pytest.mark.parametrize("profile", PROFILES)
def test_the_four_components_and_their_types(profile: str) -> None:
    values = profile_values(profile)
    components = render_profile(4, profile).components()
    for key, component_type in EXPECTED_TYPES.items():
        name = values[key]["name"]
        assert name in components, f"{profile}: Component {name} ({key}) missing"
        assert components[name]["spec"]["type"] == component_type
    assert (
        components[values["stateStore"]["name"]]["spec"]["version"]
        == values["stateStore"]["version"]
    )
    for component in components.values():
        assert component["apiVersion"] == "dapr.io/v1alpha1"


@pytest.mark.parametrize("profile", PROFILES)
def test_sensitive_fields_only_by_secret_reference(profile: str) -> None:
    components = render_profile(4, profile).components()
    seen_refs = 0
    for name, component in components.items():
        for item in component["spec"]["metadata"]:
            if "secretKeyRef" in item:
                seen_refs += 1
                assert set(item["secretKeyRef"]) == {"name", "key"}
                assert "value" not in item
            elif SENSITIVE.search(item["name"]):
                pytest.fail(f"{profile}: {name}.{item['name']} is a literal value")
    state = metadata_items(components[profile_values(profile)["stateStore"]["name"]])
    assert "secretKeyRef" in state["connectionString"]
    assert seen_refs >= 1


@pytest.mark.parametrize("profile", PROFILES)
def test_metadata_values_are_strings(profile: str) -> None:
    for component in render_profile(4, profile).components().values():
        for item in component["spec"]["metadata"]:
            if "value" in item:
                assert isinstance(item["value"], str), item


@pytest.mark.parametrize("profile", PROFILES)
def test_every_component_and_subscription_is_scoped(profile: str) -> None:
    for document in render_profile(4, profile).documents:
        if document.kind in {"Component", "Subscription", "Resiliency"}:
            scopes = document.doc.get("scopes")
            assert isinstance(scopes, list) and scopes, f"{document.kind} {document.name}"
            assert all(isinstance(s, str) and s for s in scopes)


@pytest.mark.parametrize("profile", PROFILES)
def test_every_subscriber_loads_its_pubsub(profile: str) -> None:
    rendered = render_profile(4, profile)
    components = rendered.components()
    subscriptions = rendered.of_kind("Subscription")
    assert subscriptions
    for document in subscriptions:
        spec = document.doc["spec"]
        pubsub = components[spec["pubsubname"]]
        assert pubsub["spec"]["type"].startswith("pubsub.")
        meta = metadata_items(pubsub)
        allowed = set(meta["allowedTopics"]["value"].split(","))
        subscribing = topic_scopes(meta["subscriptionScopes"]["value"])
        publishing = topic_scopes(meta["publishingScopes"]["value"])
        assert spec["topic"] in allowed
        assert spec["deadLetterTopic"] in allowed
        for app in document.doc["scopes"]:
            assert app in pubsub["scopes"], f"{app} cannot load {spec['pubsubname']}"
            assert spec["topic"] in subscribing.get(app, set())
            # The sidecar publishes dead letters itself, under the subscriber's publishing scope.
            assert spec["deadLetterTopic"] in publishing.get(app, set())


@pytest.mark.parametrize("profile", PROFILES)
def test_topic_scopes_cover_every_app_of_the_pubsub(profile: str) -> None:
    pubsub = render_profile(4, profile).components()[profile_values(profile)["pubsub"]["name"]]
    meta = metadata_items(pubsub)
    for field in ("publishingScopes", "subscriptionScopes"):
        # An app missing from a scope list would be unrestricted on every allowed topic.
        assert set(topic_scopes(meta[field]["value"])) == set(pubsub["scopes"]), field
    assert "consumerGroup" not in meta, "one shared group splits messages between apps"


@pytest.mark.parametrize("profile", PROFILES)
def test_kafka_settings_are_real_dapr_fields(profile: str) -> None:
    values = profile_values(profile)
    meta = metadata_items(render_profile(4, profile).components()[values["pubsub"]["name"]])
    assert {"compressionType", "enableIdempotence"}.isdisjoint(meta)
    assert meta["compression"]["value"] in {"none", "gzip", "snappy", "lz4", "zstd"}
    # -1: the consumer retries a failing message until it is delivered or dead-lettered; with
    # a bound it would move past the message once the retries run out (common/component/kafka).
    assert meta["backOffMaxRetries"]["value"] == "-1"
    if meta["backOffPolicy"]["value"] == "exponential":
        assert meta["backOffMaxElapsedTime"]["value"] == "0"
    if values["pubsub"]["kafka"]["auth"]["type"] == "password":
        assert meta["saslMechanism"]["value"] in {"SHA-256", "SHA-512", "PLAINTEXT"}
        if meta["saslMechanism"]["value"] == "PLAINTEXT":  # SASL/PLAIN only over TLS
            assert "disableTls" not in meta
        assert "secretKeyRef" in meta["saslPassword"]
    else:
        assert "saslPassword" not in meta and "saslMechanism" not in meta


def test_profiles_match_their_purpose() -> None:
    dev = metadata_items(render_profile(4, "dev").components()["kafka-pubsub"])
    assert dev["authType"]["value"] == "none"
    assert not render_profile(4, "dev").of_kind("NetworkPolicy")
    oke = metadata_items(render_profile(4, "oke").components()["kafka-pubsub"])
    assert oke["authType"]["value"] == "password"
    assert oke["saslMechanism"]["value"] == "SHA-256"
    assert "disableTls" not in oke
    assert render_profile(4, "oke").of_kind("NetworkPolicy")
    config = render_profile(4, "oke").one("Configuration", "dapr-config-backend")
    assert "otel" in config["spec"]["tracing"]
    spec = render_profile(4, "spec").components()
    assert set(spec) == {"kafka-pubsub", "statestore", "scheduler", "kubernetes-secrets"}
    assert set(spec["kafka-pubsub"]["scopes"]) == {"backend", "chat-api", "notification-service"}
    assert set(spec["statestore"]["scopes"]) == {"backend", "chat-api"}
    assert set(spec["kubernetes-secrets"]["scopes"]) == {"backend", "chat-api", "frontend"}
    assert spec["scheduler"]["scopes"] == ["backend"]


@pytest.mark.parametrize("profile", PROFILES)
def test_each_configuration_denies_every_secret_store(profile: str) -> None:
    rendered = render_profile(4, profile)
    values = profile_values(profile)
    configs = rendered.of_kind("Configuration")
    assert configs
    for document in configs:
        spec = document.doc["spec"]
        assert "level" not in spec.get("logging", {})
        scopes = {s["storeName"]: s for s in spec["secrets"]["scopes"]}
        assert scopes["kubernetes"] == {"storeName": "kubernetes", "defaultAccess": "deny"}
        store = scopes[values["secretStore"]["name"]]
        assert store["defaultAccess"] == "deny"
        # Nothing a component references is granted: the operator resolves secretKeyRefs.
        assert not store.get("allowedSecrets"), document.name


@pytest.mark.parametrize("profile", [p for p in PROFILES if p != "dev"])
def test_networkpolicy_allows_dns_and_control_plane(profile: str) -> None:
    values = profile_values(profile)
    policies = render_profile(4, profile).of_kind("NetworkPolicy")
    if not values["networkPolicy"]["enabled"]:
        assert not policies
        return
    selected = set()
    for policy in policies:
        spec = policy.doc["spec"]
        assert set(spec["policyTypes"]) == {"Ingress", "Egress"}
        selected.add(spec["podSelector"]["matchLabels"]["dapr.io/app-id"])
        dns = [
            rule
            for rule in spec["egress"]
            if {(p["protocol"], p["port"]) for p in rule["ports"]} >= {("UDP", 53), ("TCP", 53)}
        ]
        assert dns, "no DNS egress"
        control = [
            rule
            for rule in spec["egress"]
            if any(
                peer.get("namespaceSelector", {})
                .get("matchLabels", {})
                .get("kubernetes.io/metadata.name")
                == values["networkPolicy"]["controlPlaneNamespace"]
                for peer in rule["to"]
            )
        ]
        assert control and {p["port"] for p in control[0]["ports"]} >= CONTROL_PLANE_PORTS
        for rule in spec["egress"]:
            assert rule.get("to"), f"an egress rule without peers opens every destination: {rule}"
    assert {k for k, a in values["apps"].items() if a.get("enabled", True)} <= selected


@pytest.mark.parametrize("profile", PROFILES)
def test_labels_and_namespace(profile: str) -> None:
    for document in render_profile(4, profile).documents:
        metadata = document.doc["metadata"]
        assert metadata["namespace"] == NAMESPACE
        labels = metadata["labels"]
        assert labels["app.kubernetes.io/instance"] == RELEASE
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["app.kubernetes.io/name"] == "todo-dapr"
        assert labels["app.kubernetes.io/part-of"]
        # the Dapr release the profile targets, not the chart's appVersion
        assert labels["app.kubernetes.io/version"] == profile_values(profile)["daprVersion"]
        assert labels["helm.sh/chart"] == f"todo-dapr-{_chart()['version']}"


def _chart() -> dict[str, Any]:
    data = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_chart_metadata() -> None:
    chart = _chart()
    assert chart["apiVersion"] == "v2"
    assert chart["kubeVersion"] == ">=1.32.0-0"
    assert re.fullmatch(r"1\.1[6-8]", str(chart["appVersion"]))


def test_helm_test_pod() -> None:
    rendered = render_profile(4, "oke")
    pods = rendered.of_kind("Pod")
    assert len(pods) == 1 and pods[0].template.endswith(
        "templates/tests/test-components-loaded.yaml"
    )
    pod = pods[0].doc
    annotations = pod["metadata"]["annotations"]
    assert annotations["helm.sh/hook"] == "test"
    assert annotations["dapr.io/enabled"] == "true"
    app_id = annotations["dapr.io/app-id"]
    components = rendered.components()
    checked = pod["spec"]["containers"][0]["env"][0]["value"].split()
    assert checked and set(checked) <= set(components)
    for name in checked:
        assert app_id in components[name]["scopes"], f"test app cannot load {name}"
    script = pod["spec"]["containers"][0]["command"][-1]
    assert "api=http://localhost:3500/v1.0" in script
    assert '"$api/metadata"' in script
    # The sidecar is shut down on every way out, or the pod would run until the hook times out.
    assert re.search(r"trap '[^']*-X POST \"\$api/shutdown\"[^']*' EXIT", script), script
    assert "-m " in script, "every curl call has a time limit"
    context = pod["spec"]["containers"][0]["securityContext"]
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"]["drop"] == ["ALL"]
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert pod["spec"]["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    assert pod["spec"]["containers"][0]["resources"]["limits"]
    image = pod["spec"]["containers"][0]["image"]
    assert not image.endswith(":latest") and ":" in image
    assert not render_profile(4, "spec").of_kind("Pod")


@pytest.mark.parametrize(
    ("profile", "kind"), [("oke", "Pod"), ("oke", "NetworkPolicy"), ("dev", "Pod")]
)
def test_kubernetes_resources_pass_strict_schema(profile: str, kind: str) -> None:
    documents = render_profile(4, profile).of_kind(kind)
    assert documents
    for document in documents:
        kubernetes_validate.validate(document.doc, "1.34", strict=True)


def test_strict_kubernetes_schema_can_fail() -> None:
    policy = dict(render_profile(4, "oke").of_kind("NetworkPolicy")[0].doc)
    policy["spec"] = {**policy["spec"], "podSelectr": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(policy, "1.34", strict=True)


# --- derivation and cross-reference checks on values dicts ---------------------------------------


def test_a_new_subscriber_is_added_to_the_pubsub_scopes() -> None:
    values = {
        "apps": {"audit": {"enabled": True}},
        "subscriptions": [
            {
                "name": "audit-task-events",
                "topic": "task-events",
                "routes": {"default": "/audit"},
                "deadLetterTopic": "audit-dlq",
                "scopes": ["audit"],
            }
        ],
    }
    rendered = render(4, values=values)
    assert rendered.returncode == 0, rendered.stderr
    pubsub = rendered.components()["kafka-pubsub"]
    assert "audit" in pubsub["scopes"]
    meta = metadata_items(pubsub)
    assert topic_scopes(meta["subscriptionScopes"]["value"])["audit"] == {"task-events"}
    assert topic_scopes(meta["publishingScopes"]["value"])["audit"] == {"audit-dlq"}
    assert "audit-dlq" in meta["allowedTopics"]["value"].split(",")


DEFAULT_SUBSCRIPTIONS = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))[
    "subscriptions"
]
SECOND_TASK_EVENTS_SUBSCRIPTION = {
    "name": "task-events-audit",
    "topic": "task-events",
    "routes": {"default": "/api/audit"},
    "scopes": ["backend", "notification-service"],
}
TWO_POLICIES_FOR_ONE_CALLER = {
    "enabled": True,
    "defaultAction": "deny",
    "trustDomain": "public",
    "policies": [
        {"appId": "backend", "defaultAction": "allow", "namespace": "todo"},
        {"appId": "backend", "defaultAction": "deny", "namespace": "todo", "trustDomain": "x"},
    ],
}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {
                "subscriptions": [
                    {
                        "name": "s",
                        "topic": "task-events",
                        "routes": {"default": "/x"},
                        "deadLetterTopic": "dlq",
                        "scopes": ["ghost"],
                    }
                ]
            },
            'subscriptions[0].scopes: app "ghost" is not an enabled app',
        ),
        (
            {
                "subscriptions": [
                    {
                        "name": "s",
                        "topic": "orders",
                        "routes": {"default": "/x"},
                        "deadLetterTopic": "dlq",
                        "scopes": ["backend"],
                    }
                ]
            },
            'subscriptions[0].topic: "orders" is neither in pubsub.topics',
        ),
        (
            {"apps": {"backend": {"publishes": ["orders"]}}},
            'apps.backend.publishes: topic "orders" is not in pubsub.topics',
        ),
        (
            {"apps": {"notification-service": {"enabled": False}}},
            'subscriptions[0].scopes: app "notification-service" is not an enabled app',
        ),
        (
            {"pubsub": {"enabled": False}},
            "subscriptions[0] (task-events-subscription): pubsub.enabled is false",
        ),
        (
            {"pubsub": {"extraMetadata": [{"name": "saslUsername", "value": "app"}]}},
            'pubsub.extraMetadata[0].name: "saslUsername" repeats metadata field "saslUsername"',
        ),
        (
            {"networkPolicy": {"enabled": True}},
            "networkPolicy.kafka: give cidrs or namespaces",
        ),
        (
            {"scheduler": {"schedule": "0 0 * * FRI-MON"}},
            'scheduler.schedule: the range "FRI-MON" in "0 0 * * FRI-MON" runs backwards (5 > 1)',
        ),
        (
            # 08 is eight, not an invalid octal number read as zero
            {"scheduler": {"schedule": "0 08-3 * * *"}},
            'scheduler.schedule: the range "08-3" in "0 08-3 * * *" runs backwards (8 > 3)',
        ),
        (
            {"pubsub": {"kafka": {"auth": {"type": "none"}}}},
            "pubsub.kafka.tls.enabled is true but pubsub.kafka.auth.type is none",
        ),
        (
            {"secretStore": {"name": "kubernetes"}},
            "secretStore.name",
        ),
        (
            {"apps": {"backend": {"stateStore": False}, "chat-api": {"stateStore": False}}},
            "stateStore: no enabled app uses it",
        ),
        (
            # daprd keeps one subscription per pub/sub, topic and app: the second never routes
            {"subscriptions": [*DEFAULT_SUBSCRIPTIONS, SECOND_TASK_EVENTS_SUBSCRIPTION]},
            'subscriptions[3].scopes: app "notification-service" already receives topic '
            '"task-events" from subscriptions[0] (task-events-subscription)',
        ),
        (
            # daprd keeps the last policy of a caller (appId, namespace) and drops the others
            {"configuration": {"accessControl": TWO_POLICIES_FOR_ONE_CALLER}},
            'configuration.accessControl.policies[1]: app "backend" in namespace "todo" already '
            "has a policy, configuration.accessControl.policies[0]",
        ),
        (
            {
                "tests": {
                    "enabled": True,
                    "resources": {
                        "requests": {"cpu": "1", "memory": "64Mi"},
                        "limits": {"cpu": "999m", "memory": "64Mi"},
                    },
                }
            },
            'tests.resources.requests.cpu: "1" is above tests.resources.limits.cpu "999m"',
        ),
        (
            {"apps": {"chat-api": {"accessControl": TWO_POLICIES_FOR_ONE_CALLER}}},
            'apps.chat-api.accessControl.policies[1]: app "backend" in namespace "todo"',
        ),
    ],
)
@pytest.mark.parametrize("major", HELMS)
def test_inconsistent_values_are_refused(major: int, values: dict[str, Any], message: str) -> None:
    rendered = render(major, values=values)
    assert rendered.returncode != 0
    assert message in rendered.stderr, rendered.stderr
    assert "Traceback" not in rendered.stderr


def test_extra_metadata_is_rendered_quoted_and_by_reference() -> None:
    values = {
        "stateStore": {
            "extraMetadata": [
                {"name": "maxConns", "value": "8"},
                {"name": "password", "secretKeyRef": {"name": "pg", "key": "pw"}},
            ]
        }
    }
    rendered = render(4, values=values)
    assert rendered.returncode == 0, rendered.stderr
    meta = metadata_items(rendered.components()["statestore"])
    assert meta["maxConns"] == {"name": "maxConns", "value": "8"}
    assert meta["password"]["secretKeyRef"] == {"name": "pg", "key": "pw"}
    for document in rendered.of_kind("Configuration"):
        store = next(
            s for s in document.doc["spec"]["secrets"]["scopes"] if s["storeName"] != "kubernetes"
        )
        assert "pg" not in store.get("allowedSecrets", []), "a component's Secret is never granted"


def test_components_can_be_renamed_and_switched_off() -> None:
    values = {
        "pubsub": {"name": "events"},
        "scheduler": {"enabled": False},
        "subscriptions": [
            {
                "name": "only",
                "topic": "reminders",
                "routes": {
                    "default": "/r",
                    "rules": [{"match": 'event.type == "x"', "path": "/x"}],
                },
                "deadLetterTopic": "reminders-dlq",
                "bulkSubscribe": {
                    "enabled": True,
                    "maxMessagesCount": 50,
                    "maxAwaitDurationMs": 200,
                },
                "scopes": ["notification-service"],
            }
        ],
    }
    rendered = render(4, values=values)
    assert rendered.returncode == 0, rendered.stderr
    assert set(rendered.components()) == {"events", "statestore", "kubernetes-secrets"}
    (subscription,) = rendered.of_kind("Subscription")
    assert subscription.doc["spec"]["pubsubname"] == "events"
    assert subscription.doc["spec"]["routes"]["rules"] == [
        {"match": 'event.type == "x"', "path": "/x"}
    ]
    assert subscription.doc["spec"]["bulkSubscribe"] == {
        "enabled": True,
        "maxMessagesCount": 50,
        "maxAwaitDurationMs": 200,
    }
    resiliency = rendered.of_kind("Resiliency")[0].doc
    assert "events" in resiliency["spec"]["targets"]["components"]


def test_statestore_v2_uses_table_prefix() -> None:
    rendered = render(4, values={"stateStore": {"version": "v2", "tablePrefix": "todo_"}})
    assert rendered.returncode == 0, rendered.stderr
    state = rendered.components()["statestore"]
    assert state["spec"]["version"] == "v2"
    meta = metadata_items(state)
    assert meta["tablePrefix"]["value"] == "todo_" and "tableName" not in meta
