"""Compiling CEL the way daprd does (dapr/dapr pkg/expr/expr.go, ``Expr.DecodeString``).

daprd compiles a circuit-breaker ``trip`` and a Subscription rule ``match`` with cel-go. It
declares no variable up front: each time the checker reports "undeclared reference to 'x'",
it declares ``x`` as a dynamic variable and compiles again. So only syntax errors and type
errors the checker can prove (``1 + "a"``, ``size(1)``) make the compile fail; a name the
evaluation never binds compiles, and fails only when the expression is evaluated.

The compiler here is Google's cel-cpp through the ``cel-expr-python`` package (see
docs/cel.md for why this library). It is imported on the first CEL field, never before, so
runs without a Resiliency or Subscription rule do not load it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

# An expression longer than this is not compiled (cel-go refuses expressions above 100,000
# code points by default; a manifest field this long is a mistake either way).
MAX_LENGTH = 100_000

# Why a call to a function outside CEL's standard library never finishes compiling in daprd;
# the rules add what that does to their resource.
ENDLESS = (
    "a function daprd's CEL environment does not define (it has only the standard functions). "
    "daprd's compile loop (pkg/expr) declares the name as a variable, which does not define a "
    "function, and compiles again, forever"
)

_UNDECLARED = re.compile(r"undeclared reference to '([A-Za-z_][A-Za-z0-9_.]*)'")
_RECURSION = re.compile(r"recursion limit exceeded|max recursion depth")
_LOCATION = re.compile(r"^ERROR: <input>:(\d+:\d+): ")


@dataclass(frozen=True)
class Compiled:
    """The outcome of compiling one expression.

    ``error`` is the compiler's first message when the compile fails (daprd fails too);
    ``unbound`` the top-level names the expression reads that the caller does not bind at
    evaluation; ``result`` the checked result type (``BOOL``, ``DYN``, ``INT``...), empty when
    the compile failed. ``endless`` marks a call to a function the environment does not define:
    pkg/expr declares the name as a variable, which does not define the function, and compiles
    again with the same outcome, forever. ``unchecked`` means the expression nests deeper
    than cel-cpp allows (32 levels); cel-go allows 250, so no verdict is given.
    """

    error: str | None
    unbound: tuple[str, ...] = ()
    result: str = ""
    endless: bool = False
    unchecked: bool = False

    @property
    def function(self) -> str:
        """The undefined function an endless compile stumbles on."""
        found = _UNDECLARED.search(self.error or "") if self.endless else None
        return found.group(1) if found else ""


class CelUnavailable(RuntimeError):
    """The CEL library is not installed."""


@cache
def _library() -> Any:
    try:
        return importlib.import_module("cel_expr_python.cel")
    except ImportError as exc:  # a broken install: the rules report it, once per run
        raise CelUnavailable(
            "the cel-expr-python package is not installed; CEL fields cannot be checked"
        ) from exc


def _first_error(message: str) -> str:
    """``INVALID_ARGUMENT: ERROR: <input>:1:21: Syntax error: ...`` -> ``at 1:21: Syntax
    error: ...``; an issue other than an undeclared name comes first, as it is the cause."""
    text = message.removeprefix("INVALID_ARGUMENT: ")
    issues = [line.strip() for line in text.split("\n") if line.startswith("ERROR")]
    causes = [line for line in issues if "undeclared reference" not in line]
    first = (causes or issues or [text.strip()])[0]
    match = _LOCATION.match(first)
    if match:
        first = f"at {match.group(1)}: {first[match.end() :]}"
    return first.removesuffix(" [INVALID_ARGUMENT]")


def compile_like_daprd(expression: str, bound: Iterable[str]) -> Compiled:
    """Compile ``expression`` as pkg/expr does; report names outside ``bound``."""
    return _compile(expression, frozenset(bound))


@lru_cache(maxsize=64)
def _environment(names: frozenset[str]) -> Any:
    """A cel-cpp environment with ``names`` declared as dyn (building one costs milliseconds;
    the same few sets recur: the breaker counts, ``event``)."""
    cel = _library()
    return cel.NewEnv(variables=dict.fromkeys(names, cel.Type.DYN))


@lru_cache(maxsize=1024)
def _compile(expression: str, bound: frozenset[str]) -> Compiled:
    if len(expression) > MAX_LENGTH:
        return Compiled(error=f"longer than {MAX_LENGTH} characters")
    declared: set[str] = set(bound)
    unbound: list[str] = []
    # Each round declares at least one new name, and no expression names more identifiers
    # than it has characters, so this ends; in practice it takes one or two rounds.
    for _ in range(len(expression) + 1):
        try:
            compiled = _environment(frozenset(declared)).compile(expression)
        except Exception as exc:  # the library raises RuntimeError with the checker's issues
            message = str(exc)
            if _RECURSION.search(message):
                return Compiled(error=None, unchecked=True)
            references = _UNDECLARED.findall(message)
            issues = [line for line in message.split("\n") if line.startswith(("ERROR", "INV"))]
            if not references or len(references) < len(issues):
                return Compiled(error=_first_error(message))  # pkg/expr returns any other issue
            names = [n for n in dict.fromkeys(references) if n not in declared]
            if not names:  # declared already, still undeclared: a function, not a variable
                return Compiled(error=_first_error(message), endless=True)
            for name in names:
                declared.add(name)
                root = name.split(".", 1)[0]
                if root not in bound and root not in unbound:
                    unbound.append(root)
            continue
        return Compiled(error=None, unbound=tuple(unbound), result=compiled.return_type().name())
    return Compiled(error="the expression declares too many names")


# --- ValidatingAdmissionPolicy -------------------------------------------------------------
#
# The API server compiles each expression of a ValidatingAdmissionPolicy with cel-go in the
# Kubernetes CEL environment (k8s.io/apiserver pkg/cel/environment base.go, plus
# pkg/admission/plugin/cel/compile.go for the variables) and refuses the policy when one
# does not compile or does not yield its kind's type. Here every variable is declared as dyn
# (no OpenAPI schema of the matched kinds is at hand), so field names under `object` are not
# checked; names, syntax, the library's functions and the result types that the checker can
# prove are.

# The variables compile.go declares (`authorizer.requestResource` is one qualified name).
ADMISSION_OBJECTS = ("object", "oldObject", "request", "namespaceObject")
ADMISSION_PARAMS = "params"
ADMISSION_AUTHORIZER = ("authorizer", "authorizer.requestResource")

# compile.go declares `request` and `namespaceObject` with object types (BuildRequestType,
# BuildNamespaceType); their typed fields are declared here as qualified names, which the
# checker resolves before the dyn root, so `request.operation` is a string as on the API
# server. The object-typed fields in between (`request.userInfo`) stay dyn.
_GVK = ("group", "version", "kind")
_GVR = ("group", "version", "resource")
_TYPED_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "request": (
        *((f"request.kind.{f}", "STRING") for f in _GVK),
        *((f"request.resource.{f}", "STRING") for f in _GVR),
        ("request.subResource", "STRING"),
        *((f"request.requestKind.{f}", "STRING") for f in _GVK),
        *((f"request.requestResource.{f}", "STRING") for f in _GVR),
        ("request.requestSubResource", "STRING"),
        ("request.name", "STRING"),
        ("request.namespace", "STRING"),
        ("request.operation", "STRING"),
        ("request.userInfo.username", "STRING"),
        ("request.userInfo.uid", "STRING"),
        ("request.userInfo.groups", "LIST<STRING>"),
        ("request.userInfo.extra", "MAP<STRING, LIST<STRING>>"),
        ("request.dryRun", "BOOL"),
    ),
    "namespaceObject": (
        ("namespaceObject.spec.finalizers", "LIST<STRING>"),
        ("namespaceObject.status.conditions", "LIST<DYN>"),
        ("namespaceObject.status.phase", "STRING"),
        *(
            (f"namespaceObject.metadata.{f}", "STRING")
            for f in ("name", "generateName", "namespace", "UID", "resourceVersion")
        ),
        ("namespaceObject.metadata.labels", "MAP<STRING, STRING>"),
        ("namespaceObject.metadata.annotations", "MAP<STRING, STRING>"),
        ("namespaceObject.metadata.creationTimestamp", "TIMESTAMP"),
        ("namespaceObject.metadata.deletionTimestamp", "TIMESTAMP"),
        ("namespaceObject.metadata.deletionGracePeriodSeconds", "INT"),
        ("namespaceObject.metadata.generation", "INT"),
        ("namespaceObject.metadata.finalizers", "LIST<STRING>"),
    ),
}

# The types convertCelTypeToDeclType (composition.go) keeps for a variable; any other type
# (an opaque type such as optional_type, a type value) becomes dyn.
_KEPT = frozenset(
    {"ANY", "BOOL", "BYTES", "DOUBLE", "DURATION", "INT", "NULL", "STRING", "TIMESTAMP", "UINT"}
)


def _split_type(name: str) -> tuple[str, list[str]]:
    """``MAP<STRING, LIST<INT>>`` -> (``MAP``, [``STRING``, ``LIST<INT>``]) (one pass)."""
    start = name.find("<")
    if start < 0 or not name.endswith(">"):
        return name, []
    params: list[str] = []
    depth, begin = 0, start + 1
    for i in range(start + 1, len(name) - 1):
        char = name[i]
        if char == "<":
            depth += 1
        elif char == ">":
            depth -= 1
        elif char == "," and depth == 0:
            params.append(name[begin:i].strip())
            begin = i + 1
    params.append(name[begin : len(name) - 1].strip())
    return name[:start], params


def variable_type(result: str) -> str:
    """The type a ``spec.variables`` entry gets from its compiled result type, as
    composition.go ``convertCelTypeToDeclType`` converts it: primitives kept, lists and maps
    converted element by element, anything else (or no result: a failed compile) dyn."""
    base, params = _split_type(result)
    if not params:
        return base if base in _KEPT else "DYN"
    if base == "LIST" and len(params) == 1:
        return f"LIST<{variable_type(params[0])}>"
    if base == "MAP" and len(params) == 2:
        return f"MAP<{variable_type(params[0])}, {variable_type(params[1])}>"
    return "DYN"


def go_type_name(result: str) -> str:
    """A cel-cpp type name as cel-go prints it (``LIST<INT>`` -> ``list(int)``,
    ``NULL`` -> ``null_type``), for messages that quote the API server."""
    base, params = _split_type(result)
    named = {"NULL": "null_type", "ANY": "any", "TYPE": "type"}.get(base, base.lower())
    if not params:
        return named
    return f"{named}({', '.join(go_type_name(p) for p in params)})"


def _cel_type(name: str) -> Any:
    """A type name as ``variable_type`` spells it -> the cel-cpp type."""
    t = _library().Type
    base, params = _split_type(name)
    if base == "LIST" and len(params) == 1:
        return t.List(_cel_type(params[0]))
    if base == "MAP" and len(params) == 2:
        return t.Map(_cel_type(params[0]), _cel_type(params[1]))
    return getattr(t, base) if base in _KEPT - {"ANY"} else t.DYN


# The Kubernetes CEL library beyond cel-go's standard functions, as (name, member, arity,
# result); arguments are dyn (the list functions come typed, below). From k8s.io/apiserver
# pkg/cel/library: lists.go, regex.go,
# urls.go, authz.go, quantity.go, ip.go, cidr.go, format.go, semver_test-free semverlib.go,
# sets.go; the strings and optional extensions come from cel-go's ext package (base.go adds no
# bindings extension: `cel.bind` is not declared).
_K8S_FUNCTIONS: tuple[tuple[str, bool, int, str], ...] = (
    # regex.go
    ("find", True, 1, "STRING"),
    ("findAll", True, 1, "LIST<STRING>"),
    ("findAll", True, 2, "LIST<STRING>"),
    # urls.go
    ("url", False, 1, "DYN"),
    ("isURL", False, 1, "BOOL"),
    ("getScheme", True, 0, "STRING"),
    ("getHost", True, 0, "STRING"),
    ("getHostname", True, 0, "STRING"),
    ("getPort", True, 0, "STRING"),
    ("getEscapedPath", True, 0, "STRING"),
    ("getQuery", True, 0, "MAP<STRING, LIST<STRING>>"),
    # authz.go
    ("path", True, 1, "DYN"),
    ("group", True, 1, "DYN"),
    ("serviceAccount", True, 2, "DYN"),
    ("resource", True, 1, "DYN"),
    ("subresource", True, 1, "DYN"),
    ("namespace", True, 1, "DYN"),
    ("name", True, 1, "DYN"),
    ("check", True, 1, "DYN"),
    ("allowed", True, 0, "BOOL"),
    ("reason", True, 0, "STRING"),
    ("errored", True, 0, "BOOL"),
    ("error", True, 0, "STRING"),
    ("fieldSelector", True, 1, "DYN"),
    ("labelSelector", True, 1, "DYN"),
    # quantity.go
    ("quantity", False, 1, "DYN"),
    ("isQuantity", False, 1, "BOOL"),
    ("sign", True, 0, "INT"),
    ("isGreaterThan", True, 1, "BOOL"),
    ("isLessThan", True, 1, "BOOL"),
    ("compareTo", True, 1, "INT"),
    ("add", True, 1, "DYN"),
    ("sub", True, 1, "DYN"),
    ("asInteger", True, 0, "INT"),
    ("asApproximateFloat", True, 0, "DOUBLE"),
    ("isInteger", True, 0, "BOOL"),
    # ip.go
    ("ip", False, 1, "DYN"),
    ("isIP", False, 1, "BOOL"),
    ("ip.isCanonical", False, 1, "BOOL"),
    ("family", True, 0, "INT"),
    ("isUnspecified", True, 0, "BOOL"),
    ("isLoopback", True, 0, "BOOL"),
    ("isLinkLocalMulticast", True, 0, "BOOL"),
    ("isLinkLocalUnicast", True, 0, "BOOL"),
    ("isGlobalUnicast", True, 0, "BOOL"),
    # cidr.go
    ("cidr", False, 1, "DYN"),
    ("isCIDR", False, 1, "BOOL"),
    ("containsIP", True, 1, "BOOL"),
    ("containsCIDR", True, 1, "BOOL"),
    ("ip", True, 0, "DYN"),
    ("masked", True, 0, "DYN"),
    ("prefixLength", True, 0, "INT"),
    # format.go
    *(
        (f"format.{name}", False, 0, "DYN")
        for name in (
            "dns1123Label",
            "dns1123Subdomain",
            "dns1035Label",
            "qualifiedName",
            "dns1123LabelPrefix",
            "dns1123SubdomainPrefix",
            "dns1035LabelPrefix",
            "labelValue",
            "uri",
            "uuid",
            "byte",
            "date",
            "datetime",
        )
    ),
    ("format.named", False, 1, "DYN"),
    ("validate", True, 1, "DYN"),
    # semverlib.go
    ("semver", False, 1, "DYN"),
    ("semver", False, 2, "DYN"),
    ("isSemver", False, 1, "BOOL"),
    ("isSemver", False, 2, "BOOL"),
    ("major", True, 0, "INT"),
    ("minor", True, 0, "INT"),
    ("patch", True, 0, "INT"),
    # sets.go
    ("sets.contains", False, 2, "BOOL"),
    ("sets.equivalent", False, 2, "BOOL"),
    ("sets.intersects", False, 2, "BOOL"),
)


# lists.go declares isSorted, min and max on a list of each comparable type and sum on a list
# of each summable type, yielding the element type (so `['a', 'b'].max()` is a string).
_COMPARABLE = ("INT", "UINT", "DOUBLE", "BOOL", "DURATION", "TIMESTAMP", "STRING", "BYTES")
_SUMMABLE = ("INT", "UINT", "DOUBLE", "DURATION")
_LIST_FUNCTIONS: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("isSorted", _COMPARABLE, "BOOL"),
    ("sum", _SUMMABLE, None),
    ("max", _COMPARABLE, None),
    ("min", _COMPARABLE, None),
)

# No verdict where cel-cpp and the API server's cel-go part: lists.go also defines indexOf
# and lastIndexOf on lists, but cel-cpp's strings extension owns those names (strings only)
# and refuses a second declaration. (A conditional with `null` on one side and a string on
# the other is refused by both: cel-go's checker unifies `null` only with nullable types,
# checker/types.go internalIsAssignableNull.)
_NO_VERDICT = re.compile(r"no matching overload for '(indexOf|lastIndexOf)'")

# The two-variable comprehensions of cel-go's ext.TwoVarComprehensions, which the 1.33
# compatibility environment has (pkg/cel/environment/base.go) and cel-cpp's Python binding
# lacks: cel-cpp reads `[1].all(i, v, v > 0)` as a call of an undeclared `all`.
_TWO_VARIABLE = frozenset(
    {"all", "exists", "exists_one", "transformList", "transformMap", "transformMapEntry"}
)

# The roots whose fields are declared as qualified names (the typed fields of `request` and
# `namespaceObject`, and `variables.<name>`). cel-go never resolves the operand of `has()` as a
# qualified name (containers.ToQualifiedName refuses a test-only select), so
# `has(request.namespace)` tests the field of `request` and is a bool; cel-cpp resolves it as
# the variable `request.namespace` and types `has()` as that variable's type.
_QUALIFIED_ROOTS = ("request.", "namespaceObject.", "variables.")


def _is_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char == "_")


def _has_operands(expression: str) -> Iterator[str]:
    """The dotted operand of each `has(...)` macro, whitespace dropped (`has (a . b)` ->
    `a.b`); an operand that is not a plain dotted name ends at its first other character.
    One pass."""
    n, start = len(expression), 0
    while True:
        at = expression.find("has", start)
        if at < 0:
            return
        start = at + 3
        if at > 0 and (_is_word(expression[at - 1]) or expression[at - 1] == "."):
            continue
        i = start
        while i < n and expression[i].isspace():
            i += 1
        if i >= n or expression[i] != "(":
            continue
        i += 1
        parts: list[str] = []
        while i < n and (
            _is_word(expression[i]) or expression[i] == "." or expression[i].isspace()
        ):
            if not expression[i].isspace():
                parts.append(expression[i])
            i += 1
        start = i
        yield "".join(parts)


def _has_on_qualified(expression: str, declared: tuple[tuple[str, str], ...]) -> bool:
    """Whether the expression applies `has()` to a name declared qualified (see
    _QUALIFIED_ROOTS): cel-cpp and cel-go part there."""
    if "has" not in expression:
        return False
    names = {name for name, _ in declared if name.startswith(_QUALIFIED_ROOTS)}
    return any(operand in names for operand in _has_operands(expression))


@dataclass(frozen=True)
class PolicyCompiled:
    """One ValidatingAdmissionPolicy expression compiled as the API server would.

    ``error`` is the compiler's first message (the API server refuses the policy);
    ``undeclared`` the first name the expression reads that is not declared for it (a typo
    such as ``objet``, or ``variables.x`` without an earlier ``spec.variables`` entry ``x``);
    ``function`` is set instead when that name is called (a function neither CEL nor the
    Kubernetes library this module declares defines); ``result`` the checked result type
    (``BOOL``, ``STRING``, ``DYN``, ``LIST<INT>``...). ``unchecked``: nested too deep for
    cel-cpp, a list function cel-cpp cannot declare, a two-variable comprehension
    (``all(i, v, ...)``, ``transformMap``...) cel-cpp lacks, or ``has()`` on a field declared
    as a qualified name (``has(request.namespace)``, ``has(variables.x)``), which cel-cpp
    types as the field.
    """

    error: str | None
    undeclared: str = ""
    function: str = ""
    result: str = ""
    unchecked: bool = False


@cache
def _k8s_declarations() -> tuple[Any, ...]:
    cel = _library()
    t = cel.Type
    grouped: dict[str, list[Any]] = {}
    for name, member, arity, result in _K8S_FUNCTIONS:
        params = [t.DYN] * (arity + (1 if member else 0))
        overload_id = f"k8s_{name}_{'member' if member else 'global'}_{arity}"
        grouped.setdefault(name, []).append(
            cel.Overload(overload_id, _cel_type(result), params, member)
        )
    for name, elements, fixed in _LIST_FUNCTIONS:
        for element in elements:
            result = _cel_type(fixed or element)
            overload_id = f"k8s_list_{element.lower()}_{name}"
            grouped.setdefault(name, []).append(
                cel.Overload(overload_id, result, [t.List(_cel_type(element))], True)
            )
    return tuple(cel.FunctionDecl(name, overloads) for name, overloads in grouped.items())


def _with_typed_fields(declared: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """``declared`` plus the typed fields of ``request`` and ``namespaceObject`` when those
    are declared, sorted (a cache key)."""
    out = dict(declared)
    for root, fields in _TYPED_FIELDS.items():
        if root in out:
            out.update(fields)
    return tuple(sorted(out.items()))


@lru_cache(maxsize=64)
def _typed_policy_environment(declared: tuple[tuple[str, str], ...]) -> Any:
    cel = _library()
    ext = "cel_expr_python.ext.ext_"
    return cel.NewEnv(
        variables={name: _cel_type(kind) for name, kind in declared},
        extensions=[
            importlib.import_module(f"{ext}strings").ExtStrings(version=2),
            importlib.import_module(f"{ext}optional").ExtOptional(),
        ],
        functions=list(_k8s_declarations()),
    )


def _policy_environment(names: frozenset[str]) -> Any:
    """An environment declaring ``names`` as dyn (the typed fields of ``request`` and
    ``namespaceObject`` as compile.go types them)."""
    return _typed_policy_environment(_with_typed_fields(dict.fromkeys(names, "DYN")))


def compile_admission_policy_expression(
    expression: str, declared: Iterable[str] | Mapping[str, str]
) -> PolicyCompiled:
    """Compile ``expression`` with exactly the variables ``declared``: a mapping from each
    name to its type as ``variable_type`` spells it, or names, each dyn. A variable of a
    policy's ``spec.variables`` is declared as ``variables.<name>``, with the type
    ``variable_type`` gives its own compiled result (as composition.go declares it)."""
    if not isinstance(declared, Mapping):
        declared = dict.fromkeys(declared, "DYN")
    return _compile_policy(expression, _with_typed_fields(declared))


@lru_cache(maxsize=1024)
def _compile_policy(expression: str, declared: tuple[tuple[str, str], ...]) -> PolicyCompiled:
    if len(expression) > MAX_LENGTH:
        return PolicyCompiled(error=f"longer than {MAX_LENGTH} characters")
    environment = _typed_policy_environment(declared)
    # Where cel-cpp types `has()` unlike cel-go, only a syntax error is a verdict.
    qualified_has = _has_on_qualified(expression, declared)
    try:
        compiled = environment.compile(expression)
    except Exception as exc:  # the library raises RuntimeError with the checker's issues
        message = str(exc)
        if _RECURSION.search(message) or _NO_VERDICT.search(message):
            return PolicyCompiled(error=None, unchecked=True)
        references = _UNDECLARED.findall(message)
        if _TWO_VARIABLE.intersection(references):
            return PolicyCompiled(error=None, unchecked=True)
        first = _first_error(message)
        if qualified_has and "Syntax error" not in first:
            return PolicyCompiled(error=None, unchecked=True)
        issues = [line for line in message.split("\n") if line.startswith(("ERROR", "INV"))]
        if references and len(references) >= len(issues):
            name = references[0]
            # A call `name(` or `.name(`: a function, not a variable.
            if re.search(rf"(^|[^A-Za-z0-9_]){re.escape(name)}\s*\(", expression):
                return PolicyCompiled(error=first, function=name)
            return PolicyCompiled(error=first, undeclared=name)
        return PolicyCompiled(error=first)
    if qualified_has:
        return PolicyCompiled(error=None, unchecked=True)
    return PolicyCompiled(error=None, result=compiled.return_type().name())
