"""A CEL expression of a ValidatingAdmissionPolicy that the API server does not compile: a
syntax error, a name that is not declared for that field (`objet`, `variables.x` without an
earlier `spec.variables` entry `x`, `authorizer` in a `messageExpression`), a function the
Kubernetes CEL environment lacks, a type error, or a result of the wrong type (a validation
that yields a string, a `messageExpression` that yields a bool).

## Why

`ValidateValidatingAdmissionPolicy` (kubernetes `pkg/apis/admissionregistration/validation/
validation.go`) compiles every expression when the policy is created or updated:
`validateMatchCondition`, `validateVariable`, `validateValidation` (with
`validateMessageExpression`) and `validateAuditAnnotation`, each through
`CompileCELExpression` in k8s.io/apiserver `pkg/admission/plugin/cel/compile.go`. That
function declares `object`, `oldObject`, `request` and `namespaceObject`; `params` only
when the policy has a `paramKind`; `authorizer` and `authorizer.requestResource` everywhere
but in a `messageExpression`; and, through the composited compiler (`composition.go`),
`variables` with one field per `spec.variables` entry, added in order as each compiles. So a
variable may read only the variables before it, and `matchConditions`, compiled by a
stateless compiler, cannot read `variables` at all. A compiled expression must yield exactly
its field's type: `bool` for `matchConditions` and `validations[].expression`, `string` for
`messageExpression`, `string` or `null` for `auditAnnotations[].valueExpression`.

The validator compiles with Google's cel-cpp (see [docs/cel.md](../cel.md)), with cel-go's
strings, bindings and optional extensions and the Kubernetes library's functions (lists,
regex, URLs, authorizer, quantity, IP, CIDR, format, semver, sets) declared with dynamic
arguments. Every variable is declared `dyn`: the matched kinds' OpenAPI schemas are not
loaded, so a misspelt field (`object.metadata.anotations`) is not caught here, and a result
the API server could type from the schema (`object.spec.replicas`, an int) is judged only
when cel-cpp can prove it without one. `list.indexOf` and `list.lastIndexOf` get no verdict
(cel-cpp's strings extension owns those names), nor does a conditional with `null` on one
side (`c ? 'text' : null`, which cel-cpp refuses), nor do two-variable comprehensions
(`all(i, v, ...)`, Kubernetes 1.33+), which cel-cpp's parser refuses. The cost limit the API
server also enforces is not estimated.

## What happens at runtime

The API server refuses the policy (`kubectl apply` and `helm install` fail with
`spec.validations[0].expression: Invalid value: ...: compilation failed: ...`). A policy
stored before an upgrade that changed the environment is kept, and its broken expression
fails each request it matches, as its `failurePolicy` says.

## How to fix

Declare what an expression reads under `spec.variables` before it is read, spell the top-level
names as the API server declares them, read `authorizer` outside `messageExpression`, and
make each expression yield its field's type (`string(x)` in a message, a comparison in a
validation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule

GROUP = "admissionregistration.k8s.io"

# field -> (the types compile.go accepts, as cel-cpp names them; how the API server says it)
_BOOL = (frozenset({"BOOL"}), "bool")
_STRING = (frozenset({"STRING"}), "string")
_STRING_OR_NULL = (frozenset({"STRING", "NULL", "NULL_TYPE"}), "string or null")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _entries(spec: dict[str, Any], field: str) -> list[tuple[int, dict[str, Any]]]:
    items = spec.get(field)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _declared(
    *, params: bool, authorizer: bool, variables: tuple[str, ...] | None
) -> frozenset[str]:
    from tools.kubernetes import cel

    names = set(cel.ADMISSION_OBJECTS)
    if params:
        names.add(cel.ADMISSION_PARAMS)
    if authorizer:
        names.update(cel.ADMISSION_AUTHORIZER)
    for variable in variables or ():
        names.add(f"variables.{variable}")
    return frozenset(names)


def _why_undeclared(
    name: str, where: str, variables: tuple[str, ...] | None, later: set[str]
) -> str:
    root = name.split(".", 1)[0]
    if root == "variables":
        field = name.split(".")[1] if "." in name else ""
        if variables is None:
            return (
                f"{where} cannot read variables (the API server compiles match conditions "
                "without them)"
            )
        if field in later:
            return (
                f"variables.{field} is declared after this expression; a variable may read only "
                "the variables before it in spec.variables"
            )
        return f"variables.{field} is not declared in spec.variables"
    if root == "authorizer":
        return f"{where} cannot read authorizer (the API server does not declare it there)"
    if root == "params":
        return "params is declared only when the policy has a spec.paramKind"
    return (
        f"'{root}' is not a variable the API server declares (object, oldObject, request, "
        "namespaceObject, params, authorizer, variables)"
    )


def _check(
    resource: Resource,
    expression: Any,
    path: tuple[str | int, ...],
    *,
    where: str,
    declared: frozenset[str],
    expected: tuple[frozenset[str], str] | None,
    variables: tuple[str, ...] | None,
    later: set[str],
) -> Iterator[Finding]:
    text = _text(expression)
    if text is None:
        return  # a missing or empty expression is the schema's and the API server's "Required"
    from tools.kubernetes import cel

    try:
        compiled = cel.compile_admission_policy_expression(text, declared)
    except cel.CelUnavailable as exc:
        yield RULE.finding(resource, f"{where} not checked: {exc}.", path, Severity.WARNING)
        return
    if compiled.unchecked:
        return
    refused = "the API server refuses the policy"
    if compiled.function:
        yield RULE.finding(
            resource,
            f"{where} calls '{compiled.function}', which neither CEL nor the Kubernetes CEL "
            f"library defines (with these arguments); {refused}.",
            path,
        )
        return
    if compiled.undeclared:
        reason = _why_undeclared(compiled.undeclared, where, variables, later)
        yield RULE.finding(
            resource, f"{where} reads an undeclared name: {reason}; {refused}.", path
        )
        return
    if compiled.error is not None:
        yield RULE.finding(
            resource, f"{where} does not compile ({compiled.error}); {refused}.", path
        )
        return
    if expected is None:
        return
    allowed, label = expected
    result = compiled.result.upper()
    if result and result != "DYN" and result not in allowed:
        yield RULE.finding(
            resource,
            f"{where} must evaluate to {label} but yields {compiled.result.lower()}; {refused}.",
            path,
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.group != GROUP or resource.kind != "ValidatingAdmissionPolicy":
        return
    spec = resource.doc.get("spec")
    if not isinstance(spec, dict):
        return
    params = isinstance(spec.get("paramKind"), dict)

    names = [
        (i, v["name"]) for i, v in _entries(spec, "variables") if isinstance(v.get("name"), str)
    ]
    all_names = tuple(name for _, name in names)

    match = _declared(params=params, authorizer=True, variables=None)
    for i, condition in _entries(spec, "matchConditions"):
        yield from _check(
            resource,
            condition.get("expression"),
            ("spec", "matchConditions", i, "expression"),
            where=f"matchConditions[{i}]",
            declared=match,
            expected=_BOOL,
            variables=None,
            later=set(),
        )

    for i, variable in _entries(spec, "variables"):
        before = tuple(n for j, n in names if j < i)
        later = {n for j, n in names if j >= i}
        yield from _check(
            resource,
            variable.get("expression"),
            ("spec", "variables", i, "expression"),
            where=f"variables[{i}]",
            declared=_declared(params=params, authorizer=True, variables=before),
            expected=None,
            variables=before,
            later=later,
        )

    full = _declared(params=params, authorizer=True, variables=all_names)
    message = _declared(params=params, authorizer=False, variables=all_names)
    for i, validation in _entries(spec, "validations"):
        base = ("spec", "validations", i)
        yield from _check(
            resource,
            validation.get("expression"),
            (*base, "expression"),
            where=f"validations[{i}].expression",
            declared=full,
            expected=_BOOL,
            variables=all_names,
            later=set(),
        )
        yield from _check(
            resource,
            validation.get("messageExpression"),
            (*base, "messageExpression"),
            where=f"validations[{i}].messageExpression",
            declared=message,
            expected=_STRING,
            variables=all_names,
            later=set(),
        )
    for i, annotation in _entries(spec, "auditAnnotations"):
        yield from _check(
            resource,
            annotation.get("valueExpression"),
            ("spec", "auditAnnotations", i, "valueExpression"),
            where=f"auditAnnotations[{i}].valueExpression",
            declared=full,
            expected=_STRING_OR_NULL,
            variables=all_names,
            later=set(),
        )


RULE = Rule(
    id="kubernetes-admission-policy-cel",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="ValidatingAdmissionPolicy CEL that the API server does not compile",
    check=check,
    kinds=frozenset({"ValidatingAdmissionPolicy"}),
)
