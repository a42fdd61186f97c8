"""kubernetes-workload-selector: the selector checks of the apps/v1 workload specs."""

from __future__ import annotations

from k8s_rule_util import errors, run
from pod_text import DEPLOYMENT

from tools.rules.kubernetes.workload_selector import RULE


def test_matching_selectors_pass() -> None:
    assert errors(RULE, DEPLOYMENT) == []
    expressions = DEPLOYMENT.replace(
        "selector: {matchLabels: {app: d}}",
        "selector: {matchExpressions: [{key: app, operator: In, values: [d, e]}, "
        "{key: tier, operator: DoesNotExist}]}",
    )
    assert errors(RULE, expressions) == []


def test_selector_must_match_the_template() -> None:
    (message,) = errors(RULE, DEPLOYMENT.replace("labels: {app: d}", "labels: {app: web}"))
    assert message == (
        "spec.template.metadata.labels: Invalid value: {app=web}: `selector` does not match "
        "template `labels`"
    )
    stateful = DEPLOYMENT.replace("kind: Deployment", "kind: StatefulSet").replace(
        "labels: {app: d}", "labels: {}"
    )
    (finding,) = run(RULE, stateful)
    assert finding.path == "/spec/template"


def test_empty_and_invalid_selectors() -> None:
    empty = DEPLOYMENT.replace("selector: {matchLabels: {app: d}}", "selector: {}")
    assert errors(RULE, empty) == [
        "spec.selector: Invalid value: {}: empty selector is invalid for deployment"
    ]
    daemon = empty.replace("kind: Deployment", "kind: DaemonSet")
    assert errors(RULE, daemon) == [
        "spec.selector: Invalid value: {}: empty selector is invalid for daemonset"
    ]
    bad = DEPLOYMENT.replace("matchLabels: {app: d}", "matchLabels: {app: -d}")
    (value,) = errors(RULE, bad)
    assert value.startswith('spec.selector.matchLabels: Invalid value: "-d"')
