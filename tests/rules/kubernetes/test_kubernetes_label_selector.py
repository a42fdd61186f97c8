"""kubernetes-label-selector: ValidateLabelSelector on NetworkPolicy selectors."""

from __future__ import annotations

from k8s_rule_util import errors, run

from tools.rules.kubernetes.label_selector import RULE

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: todo}
spec:
  podSelector: SELECTOR
  egress:
    - to:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
"""


def selector(value: str) -> list[str]:
    return errors(RULE, POLICY.replace("SELECTOR", value))


def test_valid_selectors_pass() -> None:
    assert selector("{}") == []
    assert selector("{matchLabels: {app.kubernetes.io/name: todo, tier: ''}}") == []
    assert selector("{matchLabels: {app: " + "a" * 63 + "}}") == []
    assert selector("{matchExpressions: [{key: dapr.io/app-id, operator: In, values: [a]}]}") == []
    assert selector("{matchExpressions: [{key: app, operator: DoesNotExist}]}") == []


def test_label_values_and_keys() -> None:
    (long_value,) = selector("{matchLabels: {app: " + "a" * 64 + "}}")
    assert "must be no more than 63 characters" in long_value
    assert len(selector("{matchLabels: {'bad key!': x}}")) == 1
    assert len(selector("{matchLabels: {app: -x}}")) == 1
    (prefix,) = selector("{matchLabels: {Example.com/app: x}}")
    assert "prefix part" in prefix


def test_expression_operators_and_values() -> None:
    (missing,) = selector("{matchExpressions: [{key: app, operator: In, values: []}]}")
    assert missing == (
        "spec.podSelector.matchExpressions[0].values: Required value: must be specified when "
        "`operator` is 'In' or 'NotIn'"
    )
    (extra,) = selector("{matchExpressions: [{key: app, operator: Exists, values: [x]}]}")
    assert "Forbidden: may not be specified when `operator` is 'Exists'" in extra
    (operator,) = selector("{matchExpressions: [{key: app, operator: Equals, values: [x]}]}")
    assert 'operator: Invalid value: "Equals": not a valid selector operator' in operator
    (value,) = selector("{matchExpressions: [{key: app, operator: In, values: ['a b']}]}")
    assert "values[0]" in value


def test_peer_selectors_are_checked() -> None:
    text = POLICY.replace("SELECTOR", "{}").replace("kube-system", "Kube System")
    (finding,) = run(RULE, text)
    assert (
        finding.path
        == "/spec/egress/0/to/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name"
    )
