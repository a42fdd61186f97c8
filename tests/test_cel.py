"""tools.kubernetes.cel: parse and check parity with cel-go v0.20.1 as dapr/dapr pkg/expr uses it,
and with cel-go v0.26.0 in the Kubernetes 1.34 environment for ValidatingAdmissionPolicy.

The expected outcomes follow cel-go's grammar (parser/gen/CEL.g4), its parser's own checks
(reserved words, macro arguments, literal ranges, optional syntax off by default) and its
checker; daprd declares every free name as dyn, so only type errors it can prove fail. The
same table picked the library: docs/cel.md.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tools.kubernetes.cel import (
    MAX_LENGTH,
    PolicyCompiled,
    compile_admission_policy_expression,
    compile_like_daprd,
    go_type_name,
    variable_type,
)

VALID = [
    'event.type == "x" && event.data.priority > 2',
    "has(event.data.x)",
    'event.type.startsWith("a")',
    "[1,2].all(x, x > 0)",
    'event.type == "a" ? true : false',
    '"a\\"b\\n\\x41\\u00e9\\101" == event.type',
    'b"abc" != b"\\xff"',
    "event.n == 1u",
    "consecutiveFailures > 5 || requests > 10",
    'r"raw\\d" == event.type',
    "'''multi\nline''' != event.type",
    "event.data.items.exists(i, i.id == 3)",
    "size(event.data.list) > 0",
    'event.type in ["a", "b"]',
    '{"a": 1}["a"] == 1',
    'event.id.matches("^[a-z]+$")',
    "-1 < 0 && !false",
    "0x1F == 31 && 0x1Fu == 31u",
    "1.5e3 > .5",
    '// a comment\nevent.type == "x"',
    "null == event.data.missing",
    "int(event.data.p) >= 2",
    'event["type"] == "x"',
    'event.data.tags.filter(t, t.startsWith("a")).size() > 0',
]

INVALID = [
    "consecutiveFailures >>= 5",
    'event.type = "x"',
    '(event.type == "x"',
    'event.type == "x")',
    'event.type == "x" &&',
    "event.",
    "event.type == 'x",
    '"\\q" == event.type',
    "has(event)",
    "[1,2].all(1, true)",
    'event.type == "x" and true',
    "1 + + 2 == 3",
    "if == 1",
    'event.?type == "x"',
    'event.type == "x" ;',
    "99999999999999999999 > 1",
    "18446744073709551616u > 1u",
    '"\\u00" == event.type',
    '1 + "a" == event.x',
    "size(1) > 0",
    'true && "x"',
    "event.a * 2 >= 5u",  # cross-type numeric overloads are filtered out unless enabled
    "",
]


@pytest.mark.parametrize("expression", VALID)
def test_cel_go_accepts(expression: str) -> None:
    compiled = compile_like_daprd(expression, {"event"})
    assert compiled.error is None, compiled.error


@pytest.mark.parametrize("expression", INVALID)
def test_cel_go_refuses(expression: str) -> None:
    assert compile_like_daprd(expression, {"event"}).error


def test_free_names_compile_but_are_reported() -> None:
    compiled = compile_like_daprd("foo.bar > 1 && [1].all(x, x > y) && event.a", {"event"})
    assert compiled.error is None
    assert compiled.unbound == ("foo", "y")
    assert compiled.result == "BOOL"
    assert compile_like_daprd("event.x + 1", {"event"}).result == "INT"


def test_errors_name_the_cause_and_place() -> None:
    error = compile_like_daprd('foo + 1 == "a"', {"event"}).error
    assert error is not None and error.startswith("at 1:") and "_==_" in error
    assert "longer than" in str(compile_like_daprd("a" * (MAX_LENGTH + 1), {"a"}).error)


CHECK_ALL = """
import sys
from tools.core.resources import load_text
from tools.rules import Bundle, all_rules
doc = "apiVersion: dapr.io/v1alpha1\\nkind: Resiliency\\nmetadata: {name: r}\\n"
doc += "spec: {policies: {circuitBreakers: {cb: {TRIP}}}, targets: {}}\\n"
resources = load_text(doc, "t.yaml").resources
findings = [f for rule in all_rules() for r in resources for f in rule.check(r, Bundle(resources))]
print("cel_expr_python.cel" in sys.modules)
"""


@pytest.mark.parametrize(("trip", "loaded"), [("", "False"), ("trip: requests > 1", "True")])
def test_the_library_loads_only_for_a_cel_field(trip: str, loaded: str) -> None:
    code = CHECK_ALL.replace("TRIP", trip)
    result = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    assert result.stdout.decode().strip() == loaded


@pytest.mark.parametrize(
    ("expression", "function"),
    [("max(event.a, 3) > 5", "max"), ('event.type.lowerAscii() == "a"', "lowerAscii")],
)
def test_undefined_functions_make_the_compile_loop_endless(expression: str, function: str) -> None:
    compiled = compile_like_daprd(expression, {"event"})
    assert compiled.endless and compiled.function == function
    assert not compile_like_daprd("foo > 1", {"event"}).endless


def test_deep_nesting_gets_no_verdict() -> None:
    # cel-go accepts 40 levels (its limit is 250); cel-cpp stops at 32, so no error is claimed.
    compiled = compile_like_daprd("(" * 40 + "event" + ")" * 40 + " == 1", {"event"})
    assert compiled.unchecked and compiled.error is None


# --- ValidatingAdmissionPolicy (the Kubernetes environment) ---------------------------------


@pytest.mark.parametrize(
    ("result", "declared"),
    [
        ("BOOL", "BOOL"),
        ("LIST<STRING>", "LIST<STRING>"),
        ("MAP<STRING, LIST<optional_type<INT>>>", "MAP<STRING, LIST<DYN>>"),
        ("optional_type<INT>", "DYN"),
        ("TYPE<INT>", "DYN"),
        ("NULL", "NULL"),
        ("", "DYN"),
    ],
)
def test_a_variable_is_declared_as_composition_go_converts_its_type(
    result: str, declared: str
) -> None:
    """convertCelTypeToDeclType: primitives kept, lists and maps element by element, the rest
    (and a failed compile) dyn."""
    assert variable_type(result) == declared


def test_type_names_are_printed_as_cel_go_prints_them() -> None:
    assert go_type_name("MAP<STRING, LIST<INT>>") == "map(string, list(int))"
    assert go_type_name("NULL") == "null_type"
    assert go_type_name("DYN") == "dyn"


def test_a_conditional_of_null_and_a_string_is_refused_as_cel_go_does() -> None:
    """checker/types.go internalIsAssignableNull: null unifies with nullable types only."""
    refused = compile_admission_policy_expression("true ? null : 'x'", ["object"])
    assert refused.error and "'_?_:_'" in refused.error and not refused.unchecked
    typed = compile_admission_policy_expression("true ? null : timestamp(1)", ["object"])
    assert typed.error is None and typed.result == "TIMESTAMP"


def test_typed_request_fields_and_variables() -> None:
    assert compile_admission_policy_expression("request.operation", ["request"]).result == "STRING"
    assert compile_admission_policy_expression("request.options", ["request"]).result == "DYN"
    declared = {"object": "DYN", "variables.names": "LIST<STRING>"}
    compiled = compile_admission_policy_expression("variables.names.max()", declared)
    assert compiled.result == "STRING"
    assert compile_admission_policy_expression("cel.bind(x, 1, x)", ["object"]).error


# The API server (k8s v1.34.4, CompositedCompiler in the 1.33 compatibility environment)
# compiles each of these to bool; cel-cpp types them otherwise, so no verdict is given.
QUALIFIED_DECLARED = {
    "object": "DYN",
    "request": "DYN",
    "namespaceObject": "DYN",
    "variables.labels": "DYN",
    "variables.n": "INT",
}


@pytest.mark.parametrize(
    "expression",
    [
        "has(request.namespace)",
        "has(namespaceObject.metadata.labels)",
        "has(request.userInfo.username)",
        "has(variables.labels)",
        "has(variables.n)",
        "has(variables.n) && true",
        "has (request . namespace)",
    ],
)
def test_has_on_a_field_declared_as_a_qualified_name_gets_no_verdict(expression: str) -> None:
    """cel-go never resolves has()'s operand as a qualified name (containers.ToQualifiedName
    refuses a test-only select), so `has(request.namespace)` is a bool there; cel-cpp reads
    the declared variable `request.namespace` and types has() as a string."""
    compiled = compile_admission_policy_expression(expression, QUALIFIED_DECLARED)
    assert compiled == PolicyCompiled(error=None, unchecked=True)


@pytest.mark.parametrize(
    "expression",
    ["has(request.userInfo)", "has(request.userInfo.extra.foo)", "has(variables.labels.foo)"],
)
def test_has_on_a_field_below_or_above_a_qualified_name_is_checked(expression: str) -> None:
    compiled = compile_admission_policy_expression(expression, QUALIFIED_DECLARED)
    assert compiled == PolicyCompiled(error=None, result="BOOL")


def test_a_syntax_error_beside_a_qualified_has_is_still_reported() -> None:
    compiled = compile_admission_policy_expression("has(request.namespace) &&", ["request"])
    assert compiled.error and "Syntax error" in compiled.error and not compiled.unchecked


@pytest.mark.parametrize(
    "expression",
    [
        "[1].all(i, v, v > 0)",
        "object.all(k, v, true)",
        "[1].exists(i, v, v > 0)",
        "[1].exists_one(i, v, v > 0)",
        "[1].transformList(i, v, v).size() > 0",
        "[1].transformList(i, v, v > 0, v).size() > 0",
        "{1: 2}.transformMap(k, v, v).size() > 0",
        "{1: 2}.transformMapEntry(k, v, {k: v}).size() > 0",
    ],
)
def test_two_variable_comprehensions_get_no_verdict(expression: str) -> None:
    """ext.TwoVarComprehensions is in the 1.33 compatibility environment (base.go), so the API
    server compiles these to bool; cel-cpp's binding has no such macros."""
    compiled = compile_admission_policy_expression(expression, ["object"])
    assert compiled == PolicyCompiled(error=None, unchecked=True)
