"""reference-unresolved: names that point outside the validated set."""

from __future__ import annotations

from rule_check import check

from tools.core.findings import Finding
from tools.rules.reference.unresolved import RULE

TEXT = """\
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {name: s}
spec: {pubsubname: pubsub, topic: t, route: /t}
scopes: [backend]
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec:
  type: state.redis
  version: v1
  metadata:
    - {name: outboxPublishPubsub, value: pubsub}
auth: {secretStore: vault}
scopes: [backend]
---
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: c}
spec:
  secrets:
    scopes:
      - {storeName: vault, defaultAccess: deny}
      - {storeName: kubernetes, defaultAccess: deny}
"""
DEFINED = """\
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: pubsub}
spec: {type: pubsub.redis, version: v1, metadata: []}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: vault}
spec: {type: secretstores.local.env, version: v1, metadata: []}
"""


def run(text: str) -> list[Finding]:
    return check(RULE, text)


def test_every_kind_of_reference_is_reported_as_a_warning() -> None:
    findings = run(TEXT)
    assert [f.path for f in findings] == [
        "/spec/pubsubname",
        "/auth/secretStore",
        "/spec/metadata/0/value",
        "/spec/secrets/scopes/0/storeName",
    ]
    assert all(f.severity.value == "warning" for f in findings)
    assert "pub/sub 'pubsub' is not defined" in findings[0].message


def test_defined_names_and_the_builtin_store_pass() -> None:
    assert run(TEXT + DEFINED) == []
