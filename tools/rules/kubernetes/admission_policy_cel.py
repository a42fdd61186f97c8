"""A ValidatingAdmissionPolicy the API server refuses for its CEL or its required parts: a
CEL syntax error, a name that is not declared for that field (`objet`, `variables.x` without an
earlier `spec.variables` entry `x`, `authorizer` in a `messageExpression`), a function the
Kubernetes CEL environment lacks (`cel.bind`, `sort()`), a type error (`c ? null : 'text'`), a
result of other than its field's exact type (a validation that yields a string, or `dyn`: a
bare `object.spec.flag`); and a policy without `spec.matchConstraints`, without a resource
rule in it, or with neither `validations` nor `auditAnnotations`.

## Why

`ValidateValidatingAdmissionPolicy` (kubernetes `pkg/apis/admissionregistration/validation/
validation.go`, through `validateValidatingAdmissionPolicySpec`) requires `matchConstraints`
with at least one `resourceRules` entry ("at least one resourceRule must be defined to provide
type information") and at least one validation or audit annotation, and compiles every
expression when the policy is created or updated: `validateMatchCondition`,
`validateVariable`, `validateValidation` (with `validateMessageExpression`) and
`validateAuditAnnotation`, each through `CompileCELExpression` in k8s.io/apiserver
`pkg/admission/plugin/cel/compile.go`. That function declares `object`, `oldObject` and
`params` as dyn, `request` and `namespaceObject` with object types (`BuildRequestType`,
`BuildNamespaceType`: `request.operation` is a string); `params` only when the policy has a
`paramKind`; `authorizer` and `authorizer.requestResource` everywhere but in a
`messageExpression`; and, through the composited compiler (`composition.go`), `variables`
with one field per `spec.variables` entry, added in order as each compiles, typed by its
expression's result (`convertCelTypeToDeclType`). So a variable may read only the variables
before it, and `matchConditions`, compiled by a stateless compiler, cannot read `variables`
at all. The result must be exactly (`IsExactType`) its field's type: `bool` for
`matchConditions` and `validations[].expression`, `string` for `messageExpression`, `string`
or `null` for `auditAnnotations[].valueExpression`; `dyn` is none of these. A new
expression compiles in the environment of the previous minor version
(`environment.DefaultCompatibilityVersion`, `pkg/cel/environment/base.go`): strings extension
version 2, no bindings extension, and no lists extension (added in 1.34).

The validator compiles with Google's cel-cpp (see [docs/cel.md](../cel.md)), with cel-go's
strings (version 2) and optional extensions and the Kubernetes library's functions (lists,
regex, URLs, authorizer, quantity, IP, CIDR, format, semver, sets), most declared with dynamic
arguments. The matched kinds' OpenAPI schemas are not loaded, as the API server does not load
them to validate a policy either: a misspelt field (`object.metadata.anotations`) is not
caught. `list.indexOf` and `list.lastIndexOf` get no verdict (cel-cpp's strings extension owns
those names), nor do two-variable comprehensions (`all(i, v, ...)`, `transformMap(k, v, ...)`;
the API server has cel-go's `ext.TwoVarComprehensions`, the cel-cpp binding lacks them), nor
`has()` on a typed field of `request` or `namespaceObject` or on a variable
(`has(request.namespace)`, `has(variables.x)`: cel-go tests the field and yields a bool,
cel-cpp types it as the field), nor a dyn result that reads a variable defined by such an
expression. A list or map literal of mixed
element types (`[1, 'a']`), which the API server refuses (`HomogeneousAggregateLiterals`), is
typed `list(dyn)` here and judged only by its result; literal checks on `duration()`,
`timestamp()` and regular expressions and the cost limit are not made.

## What happens at runtime

The API server refuses the policy (`kubectl apply` and `helm install` fail with
`spec.validations[0].expression: Invalid value: ...: compilation failed: ...` or `must evaluate
to bool but got dyn`). A policy stored before an upgrade that changed the environment is kept,
and its broken expression fails each request it matches, as its `failurePolicy` says.

## How to fix

Give the policy `matchConstraints.resourceRules` and at least one validation or audit
annotation. Declare what an expression reads under `spec.variables` before it is read, spell
the top-level names as the API server declares them, read `authorizer` outside
`messageExpression`, and make each expression yield its field's exact type: compare a field
of `object` (`object.spec.flag == true`), convert it in a message (`string(object.x)`), and
give both branches of a conditional one type.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule

if TYPE_CHECKING:
    from tools.kubernetes.cel import PolicyCompiled

GROUP = "admissionregistration.k8s.io"

# field -> (the types compile.go accepts, as cel-cpp names them; how the API server says it)
_BOOL = (frozenset({"BOOL"}), "bool")
_STRING = (frozenset({"STRING"}), "string")
_STRING_OR_NULL = (frozenset({"STRING", "NULL"}), "one of [string null_type]")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _entries(spec: dict[str, Any], field: str) -> list[tuple[int, dict[str, Any]]]:
    items = spec.get(field)
    if not isinstance(items, list):
        return []
    return [(i, item) for i, item in enumerate(items) if isinstance(item, dict)]


def _declared(
    *, params: bool, authorizer: bool, variables: dict[str, str] | None
) -> dict[str, str]:
    from tools.kubernetes import cel

    names = dict.fromkeys(cel.ADMISSION_OBJECTS, "DYN")
    if params:
        names[cel.ADMISSION_PARAMS] = "DYN"
    if authorizer:
        names.update(dict.fromkeys(cel.ADMISSION_AUTHORIZER, "DYN"))
    for variable, kind in (variables or {}).items():
        names[f"variables.{variable}"] = kind
    return names


def _why_undeclared(
    name: str, where: str, variables: dict[str, str] | None, later: set[str]
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
    declared: dict[str, str],
    expected: tuple[frozenset[str], str] | None,
    variables: dict[str, str] | None,
    later: set[str],
    uncertain: frozenset[str] = frozenset(),
    results: list[PolicyCompiled] | None = None,
) -> Iterator[Finding]:
    """Compile one expression and report why the API server refuses it; append the outcome
    to ``results``. A dyn result is not judged when the expression reads a variable in
    ``uncertain`` (compiled without a verdict: dyn here, maybe typed on the API server)."""
    text = _text(expression)
    if text is None:
        return  # a missing or empty expression is the schema's and the API server's "Required"
    from tools.kubernetes import cel

    try:
        compiled = cel.compile_admission_policy_expression(text, declared)
    except cel.CelUnavailable as exc:
        yield RULE.finding(resource, f"{where} not checked: {exc}.", path, Severity.WARNING)
        return
    if results is not None:
        results.append(compiled)
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
    if compiled.result.upper() in allowed:
        return
    if "DYN" in compiled.result and any(f"variables.{n}" in text for n in uncertain):
        return
    got = cel.go_type_name(compiled.result)
    hint = (
        " (a field of object, oldObject or params is dyn: convert it, e.g. with string() "
        "or a comparison)"
        if got == "dyn"
        else ""
    )
    yield RULE.finding(
        resource,
        f"{where} must evaluate to {label} but got {got}{hint}; {refused}.",
        path,
    )


def _required(resource: Resource, spec: dict[str, Any]) -> Iterator[Finding]:
    """What validateValidatingAdmissionPolicySpec requires besides the expressions."""
    refused = "the API server refuses the policy"
    constraints = spec.get("matchConstraints")
    if constraints is None:
        yield RULE.finding(
            resource,
            "spec.matchConstraints is required (Required value): it names the resources the "
            f"policy applies to; {refused}.",
            ("spec",),
        )
    elif isinstance(constraints, dict):
        rules = constraints.get("resourceRules")
        if rules is None or (isinstance(rules, list) and not rules):
            yield RULE.finding(
                resource,
                "spec.matchConstraints.resourceRules is required (Required value): at least "
                f"one rule must give the expressions their types; {refused}.",
                ("spec", "matchConstraints"),
            )
    validations, annotations = spec.get("validations"), spec.get("auditAnnotations")
    if (validations is None or validations == []) and (annotations is None or annotations == []):
        yield RULE.finding(
            resource,
            "spec.validations: Required value: validations or auditAnnotations must contain "
            f"at least one item; {refused}.",
            ("spec",),
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.group != GROUP or resource.kind != "ValidatingAdmissionPolicy":
        return
    spec = resource.doc.get("spec")
    if not isinstance(spec, dict):
        return
    yield from _required(resource, spec)
    params = isinstance(spec.get("paramKind"), dict)

    names = [
        (i, v["name"]) for i, v in _entries(spec, "variables") if isinstance(v.get("name"), str)
    ]

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

    # composition.go: each variable compiles with the variables before it, then is declared
    # with its own result type (convertCelTypeToDeclType; dyn when it does not compile).
    from tools.kubernetes import cel

    typed: dict[str, str] = {}
    uncertain: set[str] = set()
    for i, variable in _entries(spec, "variables"):
        later = {n for j, n in names if j >= i}
        results: list[PolicyCompiled] = []
        yield from _check(
            resource,
            variable.get("expression"),
            ("spec", "variables", i, "expression"),
            where=f"variables[{i}]",
            declared=_declared(params=params, authorizer=True, variables=typed),
            expected=None,
            variables=typed,
            later=later,
            results=results,
        )
        name = variable.get("name")
        if not isinstance(name, str):
            continue
        outcome = results[0] if results else None
        typed[name] = cel.variable_type(outcome.result if outcome else "")
        text = _text(variable.get("expression")) or ""
        if (
            outcome is None
            or outcome.unchecked
            or any(f"variables.{other}" in text for other in uncertain)
        ):
            uncertain.add(name)
        else:
            uncertain.discard(name)
    unsure = frozenset(uncertain)

    full = _declared(params=params, authorizer=True, variables=typed)
    message = _declared(params=params, authorizer=False, variables=typed)
    for i, validation in _entries(spec, "validations"):
        base = ("spec", "validations", i)
        yield from _check(
            resource,
            validation.get("expression"),
            (*base, "expression"),
            where=f"validations[{i}].expression",
            declared=full,
            expected=_BOOL,
            variables=typed,
            later=set(),
            uncertain=unsure,
        )
        yield from _check(
            resource,
            validation.get("messageExpression"),
            (*base, "messageExpression"),
            where=f"validations[{i}].messageExpression",
            declared=message,
            expected=_STRING,
            variables=typed,
            later=set(),
            uncertain=unsure,
        )
    for i, annotation in _entries(spec, "auditAnnotations"):
        yield from _check(
            resource,
            annotation.get("valueExpression"),
            ("spec", "auditAnnotations", i, "valueExpression"),
            where=f"auditAnnotations[{i}].valueExpression",
            declared=full,
            expected=_STRING_OR_NULL,
            variables=typed,
            later=set(),
            uncertain=unsure,
        )


RULE = Rule(
    id="kubernetes-admission-policy-cel",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="ValidatingAdmissionPolicy CEL or required fields that the API server refuses",
    check=check,
    kinds=frozenset({"ValidatingAdmissionPolicy"}),
)
