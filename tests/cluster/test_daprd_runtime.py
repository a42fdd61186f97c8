"""The chart's render loaded by a real daprd: the ``dev`` profile (Helm 4) pointed at the running
stack's Kafka and PostgreSQL, its Kubernetes secret store reading the real API server, one daprd
per app of the chart in standalone mode, each with an app (tests/cluster/app_server.py) behind it.

For each Dapr release the stack builds (1.16, 1.17, 1.18) the module starts backend, chat-api,
notification-service and frontend once and checks: delivery from a publisher to its declarative
subscriber; a handler that keeps failing (HTTP 500, or ``{"status": "RETRY"}``) is retried by the
chart's inbound resiliency and then dead-lettered, and the dead-letter subscriber gets it; state in
PostgreSQL and the refused state query API; secret scopes; the cron binding firing; component,
topic and subscription scopes.

Every daprd loads the same resources directory, with every Component, Subscription and Resiliency
the chart renders: standalone daprd applies ``scopes`` itself, so what each app loads is the
scopes' doing, as in a cluster.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from app_server import AppServer, Request
from chartutil import Rendered, metadata_items, profile_values, render

from tools.cluster import stack
from tools.cluster.daprd import Daprd, daprd_binary, start_daprd
from tools.cluster.kubeapi import KubeClient
from tools.cluster.postgres import postgres_bin_dir
from tools.cluster.processes import ClusterError

RELEASES = ("1.16", "1.17", "1.18")
HELM = 4
PROFILE = "dev"
NAMESPACE = stack.APP_NAMESPACE
APPS = ("backend", "chat-api", "notification-service", "frontend")

# Secrets created in the API server for the test (names of our own, so that nothing else using
# the namespace is touched): the state store's connection string, and one Secret backend may read.
DATABASE = "daprd_runtime"
DB_SECRET = "daprd-runtime-db"
DB_KEY = "database-url"
BACKEND_SECRET = "daprd-runtime-backend-keys"

# Routes of the chart's dev profile (subscriptions[].routes.default, scheduler.route).
TASK_EVENTS_ROUTE = "/api/events/task-events"
TASK_UPDATES_ROUTE = "/api/events/task-updates"
REMINDERS_ROUTE = "/api/events/reminders"
CRON_ROUTE = "/api/jobs/recurring"
# Dead-letter subscriptions the test adds through values (the chart subscribes nobody to a
# dead-letter topic by default): notification-service consumes its own dead letters.
DLQ_ROUTES = {
    "task-events-dlq": "/api/events/task-events-dlq",
    "reminders-dlq": "/api/events/reminders-dlq",
}
# The inbound policy of the test: 1 + 2 retries, 100 ms apart, 5 s per attempt.
INBOUND_RETRIES = 2
DELIVERY_DEADLINE_S = 30.0


def _dlq_subscription(topic: str, route: str) -> dict[str, Any]:
    return {
        "name": f"{topic}-subscription",
        "topic": topic,
        "routes": {"default": route, "rules": []},
        "bulkSubscribe": {"enabled": False, "maxMessagesCount": 100, "maxAwaitDurationMs": 1000},
        "metadata": {},
        "scopes": ["notification-service"],
    }


def stack_values(cluster: stack.StackInfo, release: str) -> dict[str, Any]:
    """Values on top of the dev profile that point it at the stack."""
    subscriptions = profile_values(PROFILE)["subscriptions"] + [
        _dlq_subscription(topic, route) for topic, route in DLQ_ROUTES.items()
    ]
    return {
        "daprVersion": release,
        "apps": {"backend": {"secrets": [BACKEND_SECRET]}},
        "pubsub": {
            "initTimeout": "20s",
            "kafka": {
                "brokers": [cluster.kafka_brokers],
                "auth": {"type": "none"},
                "tls": {"enabled": False},
            },
        },
        "stateStore": {"connectionString": {"name": DB_SECRET, "key": DB_KEY}},
        "scheduler": {"schedule": "@every 1s"},
        "subscriptions": subscriptions,
        # Give up on a failing handler fast: 3 attempts 100 ms apart, then the dead-letter topic.
        "resiliency": {
            "inbound": {
                "timeout": "5s",
                "retry": {
                    "policy": "constant",
                    "duration": "100ms",
                    "maxInterval": "5s",
                    "maxRetries": INBOUND_RETRIES,
                },
            }
        },
    }


def _uses_secret_ref(doc: dict[str, Any]) -> bool:
    return any("secretKeyRef" in item for item in doc["spec"].get("metadata") or [])


def write_resources(rendered: Rendered, directory: Path, secret_store: str) -> list[str]:
    """Every Component, Subscription and Resiliency of the render, one file each; returns the
    file names."""
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    for document in rendered.documents:
        if document.kind not in {"Component", "Subscription", "Resiliency"}:
            continue
        if "/templates/tests/" in document.template:
            continue
        doc = json.loads(json.dumps(document.doc))
        if document.kind == "Component" and _uses_secret_ref(doc):
            # Standalone mode: with no Dapr operator to resolve secretKeyRefs, daprd resolves
            # them through the component's auth.secretStore, and outside Kubernetes mode the
            # default is no store at all (the value would stay empty). Name the chart's own
            # Kubernetes secret store, which reads the same Secret from the API server.
            doc["auth"] = {"secretStore": secret_store}
        name = f"{document.kind.lower()}-{document.name}.yaml"
        (directory / name).write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        names.append(name)
    return names


def values_secret_store(rendered: Rendered) -> str:
    """The name of the chart's secretstores.kubernetes component."""
    (store,) = [
        d.name
        for d in rendered.of_kind("Component")
        if d.doc["spec"]["type"] == "secretstores.kubernetes"
    ]
    return store


@dataclass
class Runtime:
    release: str
    rendered: Rendered
    daprd: dict[str, Daprd]
    apps: dict[str, AppServer]
    cluster: stack.StackInfo

    @property
    def pubsub(self) -> str:
        (name,) = [
            d.name
            for d in self.rendered.of_kind("Component")
            if d.doc["spec"]["type"] == "pubsub.kafka"
        ]
        return name


def _apply_secret(kube: KubeClient, name: str, data: dict[str, str]) -> None:
    result = kube.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": NAMESPACE},
            "type": "Opaque",
            "stringData": data,
        },
        force=True,
    )
    assert result.ok, f"creating Secret {NAMESPACE}/{name}: {result.message}"


@pytest.fixture(scope="module")
def backend_secret(cluster: stack.StackInfo, kube: KubeClient) -> Iterator[dict[str, str]]:
    """The Secrets in the API server: the connection string, and backend's own one."""
    data = {"api-key": secrets.token_hex(8), "region": "eu-frankfurt-1"}
    # A database of its own: what other cluster tests leave in the stack's database (the
    # parity test's state stores, a v1 migration level in dapr_metadata) cannot change what
    # these daprds find.
    _psql(cluster, f"DROP DATABASE IF EXISTS {DATABASE}", database=cluster.postgres_database)
    _psql(cluster, f"CREATE DATABASE {DATABASE}", database=cluster.postgres_database)
    _apply_secret(kube, DB_SECRET, {DB_KEY: cluster.postgres_dsn(database=DATABASE)})
    _apply_secret(kube, BACKEND_SECRET, data)
    try:
        yield data
    finally:
        for name in (DB_SECRET, BACKEND_SECRET):
            kube.delete("v1", "Secret", name, namespace=NAMESPACE)


def _start_daprd(
    run_dir: Path,
    release: str,
    cluster: stack.StackInfo,
    *,
    app_id: str,
    resources: Path,
    config_file: Path,
    app_port: int | None,
) -> Daprd:
    """start_daprd, once more if another process took one of the free ports it chose before
    daprd could bind it (daprd then exits with "could not listen on any endpoint")."""
    for attempt in (1, 2):
        try:
            return start_daprd(
                run_dir,
                daprd_binary(release),
                app_id=app_id,
                resources_dir=resources,
                config_file=config_file,
                app_port=app_port,
                # KUBECONFIG: the Kubernetes secret store's client. NAMESPACE: what the
                # injector sets in a pod; the secrets API reads from it when the request names
                # no namespace (without it, GET /v1.0/secrets answers 500 ERR_SECRET_GET
                # "namespace is missing on metadata and NAMESPACE env variable, and no default
                # namespace is set"). It also keeps only the resources of that namespace.
                env={"KUBECONFIG": cluster.kubeconfig, "NAMESPACE": NAMESPACE},
            )
        except ClusterError as exc:
            if attempt == 2 or "could not listen on any endpoint" not in str(exc):
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="module", params=RELEASES, ids=[f"dapr{r}" for r in RELEASES])
def runtime(
    request: pytest.FixtureRequest,
    cluster: stack.StackInfo,
    backend_secret: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Runtime]:
    release: str = request.param
    values = stack_values(cluster, release)
    # Rendered into the stack's namespace: daprd resolves a secretKeyRef in the component's
    # namespace, and NAMESPACE (below) keeps the resources of that namespace, as in a pod.
    rendered = render(HELM, profile=PROFILE, values=values, args=("--namespace", NAMESPACE))
    assert rendered.returncode == 0, rendered.stderr
    work = tmp_path_factory.mktemp(f"daprd-{release}")
    resources = work / "resources"
    write_resources(rendered, resources, values_secret_store(rendered))
    configuration = profile_values(PROFILE)["configuration"]["name"]
    apps = {app_id: AppServer(app_id) for app_id in APPS}
    # A handler that always fails (HTTP 500) and one that asks for a retry: both end up in
    # their subscription's dead-letter topic after the inbound retries.
    apps["notification-service"].respond(TASK_EVENTS_ROUTE, 500, {"error": "boom"})
    apps["notification-service"].respond(REMINDERS_ROUTE, 200, {"status": "RETRY"})
    started: dict[str, Daprd] = {}
    run_dir = work / "run"
    run_dir.mkdir()

    def start(app_id: str) -> None:
        config_file = work / f"configuration-{app_id}.yaml"
        config_file.write_text(
            yaml.safe_dump(rendered.one("Configuration", f"{configuration}-{app_id}")),
            encoding="utf-8",
        )
        started[app_id] = _start_daprd(
            run_dir,
            release,
            cluster,
            app_id=app_id,
            resources=resources,
            config_file=config_file,
            app_port=apps[app_id].port,
        )

    try:
        for app in apps.values():
            app.start()
        # One after the other: start_daprd picks free ports before daprd binds them, so
        # daprds started side by side can be handed the same port.
        for app_id in APPS:
            start(app_id)
        yield Runtime(release, rendered, dict(started), apps, cluster)
    finally:
        for daprd in started.values():
            daprd.stop()
        for app in apps.values():
            app.stop()


# --- helpers -------------------------------------------------------------------------------


def _call(daprd: Daprd, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    status, raw = daprd.request(method, path, body)
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def _carrying(marker: str, route: str | None = None) -> Callable[[Request], bool]:
    """A predicate: a POST (to ``route``) whose CloudEvent's data carries ``marker``."""

    def match(request: Request) -> bool:
        if request.method != "POST" or (route is not None and request.path != route):
            return False
        data = request.body.get("data") if isinstance(request.body, dict) else None
        return isinstance(data, dict) and data.get("marker") == marker

    return match


def _publish(runtime: Runtime, app_id: str, topic: str, data: Any) -> tuple[int, Any]:
    return _call(runtime.daprd[app_id], "POST", f"v1.0/publish/{runtime.pubsub}/{topic}", data)


def _log(daprd: Daprd, needle: str) -> list[dict[str, Any]]:
    return [r for r in daprd.log_records() if needle in str(r.get("msg", ""))]


# --- tests ---------------------------------------------------------------------------------


def test_each_app_loads_exactly_its_scoped_components(runtime: Runtime) -> None:
    """Component scopes: every daprd read the same directory; each loaded only its own."""
    expected = {
        "backend": {
            ("kafka-pubsub", "pubsub.kafka"),
            ("statestore", "state.postgresql"),
            ("scheduler", "bindings.cron"),
            ("kubernetes-secrets", "secretstores.kubernetes"),
        },
        "chat-api": {
            ("kafka-pubsub", "pubsub.kafka"),
            ("statestore", "state.postgresql"),
            ("kubernetes-secrets", "secretstores.kubernetes"),
        },
        "notification-service": {("kafka-pubsub", "pubsub.kafka")},
        "frontend": {("kubernetes-secrets", "secretstores.kubernetes")},
    }
    loaded = {
        app_id: {(c["name"], c["type"]) for c in daprd.metadata().get("components") or []}
        for app_id, daprd in runtime.daprd.items()
    }
    assert loaded == expected
    for daprd in runtime.daprd.values():
        assert daprd.metadata()["runtimeVersion"].startswith(runtime.release + ".")


def test_each_app_loads_the_render_without_errors(runtime: Runtime) -> None:
    """No error in any daprd's log but the name resolver our slim build leaves out; the
    connection string resolved through the secret store; the Resiliency loaded by the apps in
    its scopes only."""
    resiliency = [d.name for d in runtime.rendered.of_kind("Resiliency")]
    assert resiliency == ["todo-resiliency"]
    for app_id, daprd in runtime.daprd.items():
        records = daprd.log_records()
        errors = [
            r["msg"]
            for r in records
            if r.get("level") in {"error", "fatal"} and "nr (mdns/v1)" not in r["msg"]
        ]
        assert errors == [], app_id
        messages = [str(r.get("msg", "")) for r in records]
        assert not [m for m in messages if "secret store that isn't loaded" in m], app_id
        loading = [m for m in messages if m.startswith("Loading Resiliency configuration: ")]
        in_scope = app_id in {"backend", "chat-api", "notification-service"}
        assert loading == (
            ["Loading Resiliency configuration: todo-resiliency"] if in_scope else []
        )


def test_declarative_subscriptions_reach_only_the_scoped_app(runtime: Runtime) -> None:
    """Subscription scopes: notification-service has every subscription, with the chart's
    routes and dead-letter topics; no other app has any."""
    expected = {
        ("task-events", TASK_EVENTS_ROUTE, "task-events-dlq"),
        ("task-updates", TASK_UPDATES_ROUTE, "task-updates-dlq"),
        ("reminders", REMINDERS_ROUTE, "reminders-dlq"),
        ("task-events-dlq", DLQ_ROUTES["task-events-dlq"], ""),
        ("reminders-dlq", DLQ_ROUTES["reminders-dlq"], ""),
    }
    for app_id, daprd in runtime.daprd.items():
        subscriptions = daprd.metadata().get("subscriptions") or []
        found = {
            (s["topic"], tuple(r["path"] for r in s["rules"]), s["deadLetterTopic"])
            for s in subscriptions
        }
        assert {(s["pubsubname"], s["type"]) for s in subscriptions} <= {
            (runtime.pubsub, "DECLARATIVE")
        }
        wanted = (
            {(t, (r,), d) for t, r, d in expected} if app_id == "notification-service" else set()
        )
        assert found == wanted, app_id


def test_publish_reaches_the_subscriber(runtime: Runtime) -> None:
    marker = uuid.uuid4().hex
    data = {"marker": marker, "task": {"id": 42, "title": "write the test"}}
    assert _publish(runtime, "backend", "task-updates", data) == (204, None)
    subscriber = runtime.apps["notification-service"]
    got = subscriber.wait_for(_carrying(marker), deadline_s=DELIVERY_DEADLINE_S)
    assert [r.path for r in got] == [TASK_UPDATES_ROUTE]
    event = got[0].body
    assert event["data"] == data
    assert event["topic"] == "task-updates"
    assert event["pubsubname"] == runtime.pubsub
    assert event["source"] == "backend"
    assert event["type"] == "com.dapr.event.sent"
    assert event["specversion"] == "1.0"
    assert got[0].header("Content-Type") == "application/cloudevents+json"
    # Nobody else subscribes to it.
    for app_id in ("backend", "chat-api", "frontend"):
        assert runtime.apps[app_id].requests(_carrying(marker)) == []


@pytest.mark.parametrize(
    ("publisher", "topic"),
    [
        ("chat-api", "reminders"),  # a topic of the pub/sub, not in chat-api's publishingScopes
        ("notification-service", "task-events"),  # a subscriber publishes its dead letters only
        ("backend", "task-events-typo"),  # not in allowedTopics
    ],
)
def test_publish_outside_the_topic_scopes_is_refused(
    runtime: Runtime, publisher: str, topic: str
) -> None:
    status, body = _publish(runtime, publisher, topic, {"marker": uuid.uuid4().hex})
    assert (status, body["errorCode"], body["message"]) == (
        403,
        "ERR_PUBSUB_FORBIDDEN",
        f"topic {topic} is not allowed for app id {publisher}",
    )


def test_publish_without_the_pubsub_in_scope_is_refused(runtime: Runtime) -> None:
    status, body = _publish(runtime, "frontend", "task-events", {"marker": uuid.uuid4().hex})
    assert (status, body["errorCode"], body["message"]) == (
        404,
        "ERR_PUBSUB_NOT_FOUND",
        f"pubsub {runtime.pubsub} is not found",
    )


@pytest.mark.parametrize(
    ("topic", "route", "dead_letter"),
    [
        # notification-service answers this route with HTTP 500, always.
        ("task-events", TASK_EVENTS_ROUTE, "task-events-dlq"),
        # ...and this one with 200 {"status": "RETRY"}, always.
        ("reminders", REMINDERS_ROUTE, "reminders-dlq"),
    ],
)
def test_failing_handler_is_retried_then_dead_lettered(
    runtime: Runtime, topic: str, route: str, dead_letter: str
) -> None:
    """The chart's inbound policy retries the delivery; then daprd publishes the message to the
    subscription's deadLetterTopic, and the dead-letter subscription (added in the values)
    delivers it."""
    marker = uuid.uuid4().hex
    data = {"marker": marker, "task": {"id": 7}}
    assert _publish(runtime, "backend", topic, data) == (204, None)
    subscriber = runtime.apps["notification-service"]
    dead = subscriber.wait_for(
        _carrying(marker, DLQ_ROUTES[dead_letter]), deadline_s=DELIVERY_DEADLINE_S
    )
    assert len(dead) == 1, f"{dead_letter} never delivered {marker}"
    attempts = subscriber.requests(_carrying(marker, route))
    # 1 + resiliency.inbound.retry.maxRetries attempts, all before the dead letter.
    assert len(attempts) == 1 + INBOUND_RETRIES
    assert all(a.at < dead[0].at for a in attempts)
    # The same CloudEvent every time, and the dead letter is that CloudEvent as it was: same
    # id (handlers can deduplicate on it), same data, still naming the original topic.
    assert len({a.body["id"] for a in attempts}) == 1
    assert dead[0].body["id"] == attempts[0].body["id"]
    assert dead[0].body["data"] == data
    assert dead[0].body["topic"] == topic
    assert dead[0].body["source"] == "backend"
    # Dead-lettered once, and not redelivered by the Kafka consumer afterwards.
    time.sleep(1.0)
    assert len(subscriber.requests(_carrying(marker))) == 2 + INBOUND_RETRIES
    # The waits were the chart's pubsubDeliveryRetry (constant, resiliency.inbound.retry.duration).
    retrying = _log(runtime.daprd["notification-service"], "component[kafka-pubsub] input")
    assert {r["msg"] for r in retrying} == {
        "Error processing operation component[kafka-pubsub] input. Retrying in 100ms…"
    }


def _psql(
    cluster: stack.StackInfo, sql: str, *, database: str | None = None, **variables: str
) -> str:
    argv = [str(postgres_bin_dir() / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
    for name, value in variables.items():
        argv += ["-v", f"{name}={value}"]
    done = subprocess.run(
        [*argv, "-d", cluster.postgres_dsn(database=database or DATABASE)],
        input=sql,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_state_is_kept_in_postgres_per_app(runtime: Runtime) -> None:
    key = f"todo-{uuid.uuid4().hex}"
    value = {"title": "buy milk", "done": False, "tags": ["home"]}
    backend = runtime.daprd["backend"]
    saved = _call(backend, "POST", "v1.0/state/statestore", [{"key": key, "value": value}])
    assert saved == (204, None)
    assert _call(backend, "GET", f"v1.0/state/statestore/{key}") == (200, value)
    # The row in PostgreSQL: table stateStore.tableName, the key prefixed with the app ID
    # (keyPrefix appid), the value as JSONB.
    row = _psql(
        runtime.cluster,
        "SELECT value::text FROM dapr_state WHERE key = :'k';",
        k=f"backend||{key}",
    )
    assert json.loads(row) == value
    # chat-api uses the same store and table, but not backend's keys.
    assert _call(runtime.daprd["chat-api"], "GET", f"v1.0/state/statestore/{key}") == (204, None)


def test_state_store_is_not_loaded_outside_its_scopes(runtime: Runtime) -> None:
    status, body = _call(runtime.daprd["notification-service"], "GET", "v1.0/state/statestore/k")
    assert (status, body["errorCode"], body["message"]) == (
        500,
        "ERR_STATE_STORE_NOT_CONFIGURED",
        "state store statestore is not configured",
    )


QUERY = {"filter": {"EQ": {"title": "buy milk"}}}
QUERY_PATH = "v1.0-alpha1/state/statestore/query"


def test_state_query_api_is_refused(runtime: Runtime) -> None:
    """configuration.denyStateQuery: daprd does not serve the route at all, so the request
    falls through to service invocation, which finds no app ID in it."""
    status, body = _call(runtime.daprd["backend"], "POST", QUERY_PATH, QUERY)
    assert (status, body) == (
        404,
        {
            "errorCode": "ERR_DIRECT_INVOKE",
            "message": "failed getting app id either from the URL path or the header dapr-app-id",
        },
    )


def test_state_query_api_answers_without_the_denial(runtime: Runtime, tmp_path: Path) -> None:
    """The control of the test above: the same app's Configuration without its api.denied
    rules, and the same request is answered by the state store."""
    configuration = runtime.rendered.one("Configuration", "dapr-config-chat-api")
    configuration = json.loads(json.dumps(configuration))
    assert [r["name"] for r in configuration["spec"]["api"]["denied"]] == ["state", "state"]
    del configuration["spec"]["api"]
    config_file = tmp_path / "configuration.yaml"
    config_file.write_text(yaml.safe_dump(configuration), encoding="utf-8")
    resources = tmp_path / "resources"
    write_resources(runtime.rendered, resources, values_secret_store(runtime.rendered))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    daprd = _start_daprd(
        run_dir,
        runtime.release,
        runtime.cluster,
        app_id="chat-api",
        resources=resources,
        config_file=config_file,
        app_port=None,
    )
    try:
        status, body = _call(daprd, "POST", QUERY_PATH, QUERY)
    finally:
        daprd.stop()
    assert status == 200, body
    assert isinstance(body["results"], list)


def test_secrets_api_follows_the_configuration(
    runtime: Runtime, backend_secret: dict[str, str]
) -> None:
    store = values_secret_store(runtime.rendered)
    backend, frontend = runtime.daprd["backend"], runtime.daprd["frontend"]
    # Granted by apps.backend.secrets, and read from the API server.
    assert _call(backend, "GET", f"v1.0/secrets/{store}/{BACKEND_SECRET}") == (200, backend_secret)
    # Not granted: the connection string's Secret to backend, backend's Secret to frontend.
    for daprd, name in ((backend, DB_SECRET), (frontend, BACKEND_SECRET)):
        assert _call(daprd, "GET", f"v1.0/secrets/{store}/{name}") == (
            403,
            {
                "errorCode": "ERR_PERMISSION_DENIED",
                "message": f'access denied by policy to get "{name}" from "{store}"',
            },
        )
    # notification-service is not in the store's scopes: it has no secret store at all.
    notification = runtime.daprd["notification-service"]
    assert _call(notification, "GET", f"v1.0/secrets/{store}/{BACKEND_SECRET}") == (
        500,
        {
            "errorCode": "ERR_SECRET_STORES_NOT_CONFIGURED",
            "message": "secret store is not configured",
        },
    )


def test_cron_binding_fires_on_the_scheduler_app_only(runtime: Runtime) -> None:
    assert metadata_items(runtime.rendered.components()["scheduler"])["schedule"]["value"] == (
        "@every 1s"
    )
    backend = runtime.apps["backend"]
    since = time.monotonic()
    ticks = backend.wait_for(
        lambda r: r.method == "POST" and r.path == CRON_ROUTE and r.at >= since,
        deadline_s=5.0,
        count=2,
    )
    assert len(ticks) >= 2
    # No OPTIONS probe of the route: the chart sets the binding's direction to input.
    assert backend.requests(lambda r: r.method == "OPTIONS") == []
    for app_id in ("chat-api", "notification-service", "frontend"):
        assert runtime.apps[app_id].requests(lambda r: r.path == CRON_ROUTE) == []
