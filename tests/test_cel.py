"""tools.kubernetes.cel: parse and check parity with cel-go v0.20.1 as dapr/dapr pkg/expr uses it.

The expected outcomes follow cel-go's grammar (parser/gen/CEL.g4), its parser's own checks
(reserved words, macro arguments, literal ranges, optional syntax off by default) and its
checker; daprd declares every free name as dyn, so only type errors it can prove fail. The
same table picked the library: docs/cel.md.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tools.kubernetes.cel import MAX_LENGTH, compile_like_daprd

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
