"""kubernetes-admission-policy-cel: ValidatingAdmissionPolicy CEL compiled as the API server
does (declared variables per field, spec.variables in order and typed by their results, exact
result types), and the fields validateValidatingAdmissionPolicySpec requires."""

from __future__ import annotations

from typing import Any

import yaml
from rule_check import check

from tools.core.findings import Finding, Severity
from tools.rules.kubernetes.admission_policy_cel import RULE

# Without matchConstraints (and a resource rule) the API server refuses any policy.
CONSTRAINTS = {
    "resourceRules": [
        {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}
    ]
}


def run(
    spec: dict[str, Any], kind: str = "ValidatingAdmissionPolicy", constraints: bool = True
) -> list[Finding]:
    if constraints:
        spec = {"matchConstraints": CONSTRAINTS, **spec}
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
    "auditAnnotations": [{"key": "k", "valueExpression": "'app ' + string(variables.id)"}],
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
        "validations": [{"expression": "variables.a"}],
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
    assert "must evaluate to bool but got string" in found[0].message
    assert "must evaluate to string but got bool" in found[2].message
    assert "must evaluate to one of [string null_type] but got bool" in found[3].message


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


def test_dynamic_results_are_refused_but_unknown_fields_pass() -> None:
    """compile.go accepts only the exact type (IsExactType): the API server refused this with
    `spec.validations[0].expression: Invalid value: "object.spec.whatever": must evaluate to
    bool but got dyn` (and `... messageExpression ... must evaluate to string but got dyn`).
    `object` is dyn, so a field name under it is not judged."""
    spec = {
        "validations": [{"expression": "object.spec.whatever", "messageExpression": "object.x"}]
    }
    expression, message = run(spec)
    assert expression.path == "/spec/validations/0/expression"
    assert "must evaluate to bool but got dyn" in expression.message
    assert message.path == "/spec/validations/0/messageExpression"
    assert "must evaluate to string but got dyn" in message.message
    converted = {
        "validations": [
            {"expression": "object.spec.whatever == 1", "messageExpression": "string(object.x)"}
        ],
        "auditAnnotations": [{"key": "k", "valueExpression": "true ? null : object.x"}],
    }
    (annotation,) = run(converted)
    assert "must evaluate to one of [string null_type] but got dyn" in annotation.message


def test_a_conditional_of_null_and_a_string_is_refused() -> None:
    """cel-go unifies null only with nullable types (checker/types.go
    internalIsAssignableNull): the API server refused `variables.id == '' ? null : 'x'` with
    `compilation failed: ... found no matching overload for '_?_:_' applied to '(bool, null,
    string)'`."""
    spec = {
        "variables": [{"name": "id", "expression": "'x'"}],
        "auditAnnotations": [
            {"key": "a", "valueExpression": "variables.id == '' ? null : 'x'"},
            {"key": "b", "valueExpression": "variables.id == '' ? 'x' : null"},
            {"key": "c", "valueExpression": "null"},
        ],
    }
    first, second = run(spec)
    assert first.path == "/spec/auditAnnotations/0/valueExpression"
    assert "'_?_:_' applied to '(bool, null_type, string)'" in first.message
    assert second.path == "/spec/auditAnnotations/1/valueExpression"


def test_variables_are_typed_by_their_own_result() -> None:
    """composition.go declares each variable with its compiled type (bool stays bool, a list
    of strings a list of strings); a variable read from `object` stays dyn."""
    spec = {
        "variables": [
            {"name": "flag", "expression": "true"},
            {"name": "names", "expression": "['a', 'b']"},
            {"name": "raw", "expression": "object.spec.flag"},
        ],
        "validations": [
            {"expression": "variables.flag", "messageExpression": "variables.names.max()"},
            {"expression": "variables.raw", "messageExpression": "variables.names[0]"},
        ],
    }
    (finding,) = run(spec)
    assert finding.path == "/spec/validations/1/expression"
    assert "must evaluate to bool but got dyn" in finding.message


def test_request_and_namespace_fields_are_typed() -> None:
    """compile.go BuildRequestType and BuildNamespaceType give the fields their types."""
    spec = {
        "validations": [
            {"expression": "request.dryRun", "messageExpression": "request.operation"},
            {"expression": "true", "messageExpression": "namespaceObject.metadata.name"},
            {"expression": "request.dryRun + 1 == 2"},
        ]
    }
    (finding,) = run(spec)
    assert finding.path == "/spec/validations/2/expression"
    assert "does not compile" in finding.message


def test_functions_outside_the_environment_for_new_expressions() -> None:
    """New expressions compile in the environment of the previous minor version
    (environment.DefaultCompatibilityVersion): no cel.bind, no lists extension (1.34), strings
    version 2 (no reverse). The API server refused each with an undeclared reference."""
    spec = {
        "validations": [
            {"expression": "[2, 1].sort()[0] == 1"},
            {"expression": "object.a.reverse() == 'x'"},
            {"expression": "[1, 2].isSorted() && ['a'].join(',') == 'a'"},
        ]
    }
    sort, reverse = run(spec)
    assert "calls 'sort'" in sort.message
    assert "calls 'reverse'" in reverse.message


def test_match_constraints_and_a_validation_are_required() -> None:
    """validateValidatingAdmissionPolicySpec: the API server refused these with
    `spec.matchConstraints: Required value`, `spec.matchConstraints.resourceRules: Required
    value` and `spec.validations: Required value: validations or auditAnnotations must contain
    at least one item`."""
    (missing,) = run({"validations": [{"expression": "true"}]}, constraints=False)
    assert missing.path == "/spec"
    assert "spec.matchConstraints is required" in missing.message
    no_rules = {"matchConstraints": {"namespaceSelector": {}}, "validations": []}
    rules, empty = run(no_rules, constraints=False)
    assert rules.path == "/spec/matchConstraints"
    assert "resourceRules is required" in rules.message
    assert "validations or auditAnnotations must contain at least one item" in empty.message
    assert run({"auditAnnotations": [{"key": "k", "valueExpression": "'v'"}]}) == []


def test_hostile_input_does_not_crash() -> None:
    assert run({"validations": "x", "variables": [1, None, {"name": 3}]}) == []
    assert run({"validations": [{"expression": 7}, {"expression": "   "}]}) == []
    deep = {
        "matchConditions": [{"name": "m", "expression": "(" * 200 + "true" + ")" * 200}],
        "validations": [{"expression": "true"}],
    }
    assert run(deep) == []  # deeper than cel-cpp follows: no verdict, no crash
    assert run({"validations": [{"expression": "x" * 200_000}]})[0].severity is Severity.ERROR


def test_other_kinds_are_not_checked() -> None:
    assert (
        run({"validations": [{"expression": "objet"}]}, kind="ValidatingAdmissionPolicyBinding")
        == []
    )


def test_has_on_typed_request_namespace_and_variable_fields_is_accepted() -> None:
    """The API server compiles each of these to bool (cel-go's has() never reads its operand
    as a qualified name); cel-cpp typed them as the field, so they were refused as a
    non-bool result. No verdict now."""
    spec = {
        "variables": [
            {"name": "labels", "expression": "object.metadata.labels"},
            {"name": "n", "expression": "1"},
            {"name": "h", "expression": "has(request.namespace)"},
        ],
        "validations": [
            {"expression": "has(request.namespace)"},
            {"expression": "has(namespaceObject.metadata.labels)"},
            {"expression": "has(request.userInfo.username)"},
            {"expression": "has(variables.labels)"},
            {"expression": "has(variables.n)"},
            {"expression": "variables.h"},
        ],
    }
    assert run(spec) == []


def test_two_variable_comprehensions_are_accepted() -> None:
    """ext.TwoVarComprehensions is in the 1.33 compatibility environment (pkg/cel/environment/
    base.go): the API server compiles these to bool. They were refused as reading an
    undeclared name, and `variables.two` as "got dyn"; cel-cpp lacks the macros, so no
    verdict, and a variable defined with one is not judged by a dyn result."""
    expressions = [
        "[1].all(i, v, v > 0)",
        "object.all(k, v, true)",
        "[1].exists(i, v, v > 0)",
        "[1].exists_one(i, v, v > 0)",
        "[1].transformList(i, v, v).size() > 0",
        "{1: 2}.transformMap(k, v, v).size() > 0",
        "{1: 2}.transformMapEntry(k, v, {k: v}).size() > 0",
    ]
    spec = {
        "variables": [{"name": "two", "expression": "[1].all(i, v, v > 0)"}],
        "validations": [
            *({"expression": e} for e in expressions),
            {"expression": "variables.two"},
        ],
    }
    assert run(spec) == []


def test_a_dyn_result_not_reading_an_unchecked_variable_is_still_refused() -> None:
    spec = {
        "variables": [{"name": "two", "expression": "object.all(k, v, true)"}],
        "validations": [{"expression": "variables.two"}, {"expression": "object.spec.flag"}],
    }
    (finding,) = run(spec)
    assert finding.path == "/spec/validations/1/expression"
    assert "must evaluate to bool but got dyn" in finding.message
