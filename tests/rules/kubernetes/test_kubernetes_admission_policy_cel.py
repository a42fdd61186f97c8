"""kubernetes-admission-policy-cel: ValidatingAdmissionPolicy CEL compiled as the API server
does (declared variables per field, spec.variables in order, result types)."""

from __future__ import annotations

from typing import Any

import yaml
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.kubernetes.admission_policy_cel import RULE


def run(spec: dict[str, Any], kind: str = "ValidatingAdmissionPolicy") -> list[Finding]:
    doc = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": kind,
        "metadata": {"name": "p"},
        "spec": spec,
    }
    return check(RULE, yaml.safe_dump(doc))


GOOD: dict[str, Any] = {
    "matchConditions": [
        {
            "name": "dapr",
            "expression": "has(object.metadata.annotations) && "
            "object.metadata.annotations['dapr.io/enabled'].trim().lowerAscii() == 'true'",
        },
        {"name": "authz", "expression": "!authorizer.requestResource.check('get').allowed()"},
    ],
    "variables": [
        {"name": "a", "expression": "object.metadata.annotations"},
        {"name": "id", "expression": "'x' in variables.a ? variables.a['x'] : ''"},
        {"name": "apps", "expression": "['backend', 'chat-api']"},
    ],
    "validations": [
        {
            "expression": "variables.id in variables.apps && [1, 2].isSorted() && "
            "quantity('1Gi').isGreaterThan(quantity('1Mi'))",
            "messageExpression": "'set dapr.io/app-id to one of ' + variables.apps.join(', ')",
        },
        {"expression": "request.operation == 'CREATE' && oldObject == null"},
    ],
    "auditAnnotations": [{"key": "k", "valueExpression": "variables.id == '' ? null : 'x'"}],
}


def test_a_good_policy_compiles_clean() -> None:
    assert run(GOOD) == []


def test_a_typo_in_a_top_level_name_is_refused() -> None:
    (finding,) = run({"validations": [{"expression": "objet.metadata.name == 'x'"}]})
    assert finding.severity is Severity.ERROR
    assert finding.path == "/spec/validations/0/expression"
    assert "'objet'" in finding.message and "refuses the policy" in finding.message


def test_a_syntax_error_is_refused() -> None:
    (finding,) = run({"validations": [{"expression": "object.metadata.name =="}]})
    assert "does not compile" in finding.message


def test_an_undeclared_variable_is_refused() -> None:
    spec = {
        "variables": [{"name": "a", "expression": "1"}],
        "validations": [{"expression": "variables.b == 1"}],
    }
    (finding,) = run(spec)
    assert "variables.b is not declared" in finding.message


def test_a_variable_may_read_only_earlier_variables() -> None:
    spec = {
        "variables": [
            {"name": "a", "expression": "variables.b + 1"},
            {"name": "b", "expression": "1"},
        ],
        "validations": [{"expression": "variables.a > 1 && variables.b == 1"}],
    }
    (finding,) = run(spec)
    assert finding.path == "/spec/variables/0/expression"
    assert "declared after" in finding.message


def test_match_conditions_cannot_read_variables() -> None:
    spec = {
        "variables": [{"name": "a", "expression": "true"}],
        "matchConditions": [{"name": "m", "expression": "variables.a"}],
    }
    (finding,) = run(spec)
    assert finding.path == "/spec/matchConditions/0/expression"
    assert "cannot read variables" in finding.message


def test_message_expression_cannot_read_the_authorizer() -> None:
    spec = {
        "validations": [
            {"expression": "true", "messageExpression": "authorizer.requestResource.reason()"}
        ]
    }
    (finding,) = run(spec)
    assert finding.path == "/spec/validations/0/messageExpression"
    assert "cannot read authorizer" in finding.message


def test_params_need_a_param_kind() -> None:
    spec = {"validations": [{"expression": "params.max > 1"}]}
    (finding,) = run(spec)
    assert "paramKind" in finding.message
    with_kind = {**spec, "paramKind": {"apiVersion": "v1", "kind": "ConfigMap"}}
    assert run(with_kind) == []


def test_result_types_are_checked() -> None:
    spec = {
        "matchConditions": [{"name": "m", "expression": "'yes'"}],
        "validations": [{"expression": "1 + 1", "messageExpression": "1 == 1"}],
        "auditAnnotations": [{"key": "k", "valueExpression": "true"}],
    }
    found = run(spec)
    assert [f.path for f in found] == [
        "/spec/matchConditions/0/expression",
        "/spec/validations/0/expression",
        "/spec/validations/0/messageExpression",
        "/spec/auditAnnotations/0/valueExpression",
    ]
    assert "must evaluate to bool but yields string" in found[0].message
    assert "must evaluate to string but yields bool" in found[2].message


def test_unknown_functions_and_type_errors_are_refused() -> None:
    spec = {
        "validations": [
            {"expression": "object.metadata.name.frobnicate()"},
            {"expression": "1 + 'a' == 2"},
        ]
    }
    unknown, types = run(spec)
    assert "'frobnicate'" in unknown.message
    assert "does not compile" in types.message


def test_dynamic_results_and_unknown_fields_pass() -> None:
    """Variables are dyn: a field name or a dyn result is not judged (see the rule's page)."""
    spec = {
        "validations": [{"expression": "object.spec.whatever", "messageExpression": "object.x"}]
    }
    assert run(spec) == []


def test_hostile_input_does_not_crash() -> None:
    assert run({"validations": "x", "variables": [1, None, {"name": 3}]}) == []
    assert run({"validations": [{"expression": 7}, {"expression": "   "}]}) == []
    deep = {"matchConditions": [{"name": "m", "expression": "(" * 200 + "true" + ")" * 200}]}
    assert run(deep) == []  # deeper than cel-cpp follows: no verdict, no crash
    assert run({"validations": [{"expression": "x" * 200_000}]})[0].severity is Severity.ERROR


def test_other_kinds_are_not_checked() -> None:
    assert (
        run({"validations": [{"expression": "objet"}]}, kind="ValidatingAdmissionPolicyBinding")
        == []
    )
