"""Issue 21, items 2 and 3, through the real helm: verified database TLS in everything the chart
shows, new consumer groups start at the oldest retained message, and the inbound (delivery)
timeout is a per-subscriber value checked against the Kafka consumer's rebalance budget."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from chartutil import CHART, Rendered, load_yaml, metadata_items, profile_file, render

from tools.core.context import RunContext
from tools.validate import Source, validate

ROOT = CHART.parent.parent
HELMS = (4, 3)
SUBSCRIBER = "notification-service"


def oke(**changes: Any) -> dict[str, Any]:
    values = load_yaml(profile_file("oke").read_text(encoding="utf-8"))
    assert isinstance(values, dict)
    values = copy.deepcopy(values)
    for key, change in changes.items():
        values[key] = change
    return values


def with_handler_timeout(app: str, timeout: str) -> dict[str, Any]:
    values = oke()
    values["apps"][app]["handlerTimeout"] = timeout
    return values


def with_inbound(**inbound: Any) -> dict[str, Any]:
    values = oke()
    values["resiliency"]["inbound"] = {**values["resiliency"]["inbound"], **inbound}
    return values


def findings_of(rendered: Rendered) -> list[str]:
    context = RunContext(dapr_sidecar_drop_all=True)
    report = validate([Source("rendered.yaml", rendered.stdout, "test")], context=context)
    return [f"{f.severity.name} {f.rule}: {f.message}" for f in report.findings]


def resiliencies(rendered: Rendered) -> dict[str, dict[str, Any]]:
    return {d.name: d.doc for d in rendered.of_kind("Resiliency")}


# -- item 2: sslmode=verify-full wherever a connection string is shown ---------------------------


def test_no_example_connection_string_asks_for_less_than_verify_full() -> None:
    files = [
        ROOT / "README.md",
        ROOT / "docs" / "publishing.md",
        CHART / "README.md",
        CHART / "values.yaml",
        CHART / "templates" / "NOTES.txt",
        *sorted((CHART / "ci").glob("*-values.yaml")),
    ]
    weak = ("sslmode=require", "sslmode=disable", "sslmode=prefer", "sslmode=verify-ca")
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not [w for w in weak if w in text], path
    notes = (CHART / "templates" / "NOTES.txt").read_text(encoding="utf-8")
    assert "?sslmode=verify-full" in notes
    assert "sslmode=verify-full" in (CHART / "ci" / "oke-values.yaml").read_text(encoding="utf-8")
    readme = (CHART / "README.md").read_text(encoding="utf-8")
    for needed in ("configTLS", "distroless/static", "sslrootcert", "dapr.io/volume-mounts"):
        assert needed in readme


def test_the_profiles_own_connection_strings_are_judged_by_the_rule() -> None:
    # A Secret rendered next to the chart's state store, as a user might add one: the
    # validator reads it through the Component's secretKeyRef.
    rendered = render(4, profile="oke")
    assert rendered.returncode == 0, rendered.stderr
    secret = (
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: app-secrets, namespace: todo-ns}\n"
        'stringData:\n  database-url: "postgres://u:p@ep-x.neon.tech/todo?sslmode=require"\n'
    )
    report = validate([Source("rendered.yaml", rendered.stdout + secret, "test")])
    tls = [f for f in report.findings if f.rule == "security-postgres-tls"]
    assert len(tls) == 1 and "sslmode=require" in tls[0].message
    assert "u:p@" not in tls[0].message


# -- item 3: new consumer groups start at the oldest message ---------------------------------------


# Every profile but "spec", which keeps the user's spec values (initialOffset newest) as written.
@pytest.mark.parametrize(
    "profile", [None, "oke", "oci-streaming", "dev", "dapr116", "dapr117", "dapr118"]
)
def test_new_consumer_groups_start_at_the_oldest_retained_message(profile: str | None) -> None:
    rendered = render(4, profile=profile)
    assert rendered.returncode == 0, rendered.stderr
    meta = metadata_items(rendered.components()["kafka-pubsub"])
    assert meta["initialOffset"]["value"] == "oldest"


# -- item 3: the delivery timeout per subscriber, within the rebalance budget -------------------


@pytest.mark.parametrize("major", HELMS)
def test_by_default_one_resiliency_carries_the_delivery_policy(major: int) -> None:
    rendered = render(major, profile="oke")
    assert rendered.returncode == 0, rendered.stderr
    (name,) = resiliencies(rendered)
    spec = resiliencies(rendered)[name]["spec"]
    inbound = spec["targets"]["components"]["kafka-pubsub"]["inbound"]
    assert inbound == {"timeout": "pubsubDeliveryTimeout", "retry": "pubsubDeliveryRetry"}
    assert spec["policies"]["timeouts"]["pubsubDeliveryTimeout"] == "15s"
    assert spec["policies"]["retries"]["pubsubDeliveryRetry"]["maxRetries"] == 2
    # publishing keeps its own policy
    outbound = spec["targets"]["components"]["kafka-pubsub"]["outbound"]
    assert outbound == {"timeout": "pubsubTimeout", "retry": "pubsubRetry"}


@pytest.mark.parametrize("major", HELMS)
def test_a_subscriber_with_its_own_handler_timeout_gets_its_own_resiliency(major: int) -> None:
    rendered = render(major, values=with_handler_timeout(SUBSCRIBER, "18s"))
    assert rendered.returncode == 0, rendered.stderr
    found = resiliencies(rendered)
    own = found[f"todo-resiliency-{SUBSCRIBER}"]
    assert own["scopes"] == [SUBSCRIBER]
    assert own["spec"]["policies"]["timeouts"]["pubsubDeliveryTimeout"] == "18s"
    # the rest of the target set is the same, so the app loses nothing by leaving the shared one
    assert set(own["spec"]["targets"]["components"]) == {"kafka-pubsub", "statestore"}
    shared = found["todo-resiliency"]
    assert SUBSCRIBER not in shared["scopes"] and "backend" in shared["scopes"]
    assert shared["spec"]["policies"]["timeouts"]["pubsubDeliveryTimeout"] == "15s"


def test_the_per_app_resiliency_validates_clean_and_helm_versions_agree() -> None:
    values = with_handler_timeout(SUBSCRIBER, "18s")
    four, three = render(4, values=values), render(3, values=values)
    assert four.returncode == three.returncode == 0
    assert resiliencies(four) == resiliencies(three)
    assert findings_of(four) == []


@pytest.mark.parametrize(
    ("values", "path", "said"),
    [
        # 40s x 3 attempts + 0.75s + 1.125s of back-off
        (with_handler_timeout(SUBSCRIBER, "40s"), f"apps.{SUBSCRIBER}.handlerTimeout:", "121.9s"),
        (
            with_inbound(
                retry={
                    "policy": "exponential",
                    "duration": "1s",
                    "maxInterval": "5s",
                    "maxRetries": 5,
                }
            ),
            "resiliency.inbound.timeout:",
            "15s x 6 attempts",
        ),
        # constant: 20s x 3 + 2 x 1s = 62s
        (
            with_inbound(
                timeout="20s",
                retry={
                    "policy": "constant",
                    "duration": "1s",
                    "maxInterval": "5s",
                    "maxRetries": 2,
                },
            ),
            "resiliency.inbound.timeout:",
            "62.0s",
        ),
        (with_handler_timeout(SUBSCRIBER, "1m"), f"apps.{SUBSCRIBER}.handlerTimeout:", "x 3"),
    ],
)
def test_a_delivery_budget_past_the_rebalance_timeout_is_refused(
    values: dict[str, Any], path: str, said: str
) -> None:
    rendered = render(4, values=values)
    assert rendered.returncode != 0
    assert path in rendered.stderr and said in rendered.stderr
    assert "Rebalance.Timeout" in rendered.stderr


def test_budgets_just_inside_the_limit_render() -> None:
    # constant: 19s x 3 + 2 x 1s = 59s
    constant = {"policy": "constant", "duration": "1s", "maxInterval": "5s", "maxRetries": 2}
    assert render(4, values=with_inbound(timeout="19s", retry=constant)).returncode == 0
    # exponential: 19s x 3 + 0.75s + 1.125s = 58.9s; mixed units parse (1m = 60s is refused)
    assert render(4, values=with_handler_timeout(SUBSCRIBER, "19000ms")).returncode == 0
    assert render(4, values=with_handler_timeout(SUBSCRIBER, "0.3m")).returncode == 0


def test_a_handler_timeout_on_an_app_that_receives_nothing_is_refused() -> None:
    rendered = render(4, values=with_handler_timeout("backend", "5s"))
    assert rendered.returncode != 0
    assert "apps.backend.handlerTimeout: backend receives no pub/sub messages" in rendered.stderr


def _frontend_timeout(*, resiliency: bool = True, pubsub: bool = True) -> dict[str, Any]:
    values = with_handler_timeout("frontend", "10s")
    values["resiliency"]["enabled"] = resiliency
    if not pubsub:
        values["pubsub"]["enabled"] = False
        values["subscriptions"] = []
        for app in values["apps"].values():
            app["publishes"], app["subscribes"] = [], []
    return values


# frontend uses neither the pub/sub nor the state store, so the resiliency loop never sees it.
@pytest.mark.parametrize("major", HELMS)
@pytest.mark.parametrize(
    ("values", "said"),
    [
        (_frontend_timeout(), "no subscription scopes it"),
        (_frontend_timeout(resiliency=False), "no subscription scopes it"),
        (_frontend_timeout(pubsub=False), "pubsub.enabled is false"),
        (_frontend_timeout(resiliency=False, pubsub=False), "pubsub.enabled is false"),
    ],
)
def test_a_handler_timeout_outside_the_resiliency_loop_is_refused(
    major: int, values: dict[str, Any], said: str
) -> None:
    rendered = render(major, values=values)
    assert rendered.returncode != 0
    assert "apps.frontend.handlerTimeout: frontend receives no pub/sub messages" in rendered.stderr
    assert said in rendered.stderr
    # without the timeout the same values render
    values = copy.deepcopy(values)
    del values["apps"]["frontend"]["handlerTimeout"]
    fine = render(major, values=values)
    assert fine.returncode == 0, fine.stderr


@pytest.mark.parametrize("major", [3, 4])
def test_a_handler_timeout_without_resiliency_is_refused(major: int) -> None:
    values = with_handler_timeout(SUBSCRIBER, "10s")
    values["resiliency"]["enabled"] = False
    rendered = render(major, values=values)
    assert rendered.returncode != 0
    assert f"apps.{SUBSCRIBER}.handlerTimeout: resiliency.enabled is false" in rendered.stderr


def test_the_schema_refuses_a_bad_handler_timeout() -> None:
    rendered = render(4, values=with_handler_timeout(SUBSCRIBER, "soon"))
    assert rendered.returncode != 0
    assert "handlerTimeout" in rendered.stderr


def test_every_profile_declares_the_delivery_policy() -> None:
    for path in sorted(Path(CHART / "ci").glob("*-values.yaml")):
        values = load_yaml(path.read_text(encoding="utf-8"))
        assert "inbound" in values["resiliency"], path


def test_the_readme_states_release_specific_facts_per_release() -> None:
    # dapr/dapr go.mod: pgx v5.9.2 from v1.16.17, v1.17.11 and v1.18.0 (v5.7.4 before);
    # deadLetterPublishTimeout exists only from v1.18.0 (pkg/runtime/subscription).
    readme = " ".join((CHART / "README.md").read_text(encoding="utf-8").split())
    assert "v5.9.2 in 1.16.17+, 1.17.11+ and 1.18, v5.7.4 before" in readme
    assert "latest 1.16 patches" not in readme
    assert "from 1.18.0 it gets a deadline of its own, 30 s (`deadLetterPublishTimeout`" in readme
    assert "on 1.16 and 1.17 `sendToDeadLetter` publishes under the context" in readme
