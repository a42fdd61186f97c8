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
from collections.abc import Iterable
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

# The Kubernetes CEL library beyond cel-go's standard functions, as (name, member, arity,
# result); arguments are dyn. From k8s.io/apiserver pkg/cel/library: lists.go, regex.go,
# urls.go, authz.go, quantity.go, ip.go, cidr.go, format.go, semver_test-free semverlib.go,
# sets.go; the strings, bindings and optional extensions come from cel-go's ext package.
_K8S_FUNCTIONS: tuple[tuple[str, bool, int, str], ...] = (
    # lists.go
    ("isSorted", True, 0, "BOOL"),
    ("sum", True, 0, "DYN"),
    ("min", True, 0, "DYN"),
    ("max", True, 0, "DYN"),
    # regex.go
    ("find", True, 1, "STRING"),
    ("findAll", True, 1, "LIST_STRING"),
    ("findAll", True, 2, "LIST_STRING"),
    # urls.go
    ("url", False, 1, "DYN"),
    ("isURL", False, 1, "BOOL"),
    ("getScheme", True, 0, "STRING"),
    ("getHost", True, 0, "STRING"),
    ("getHostname", True, 0, "STRING"),
    ("getPort", True, 0, "STRING"),
    ("getEscapedPath", True, 0, "STRING"),
    ("getQuery", True, 0, "DYN"),
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


# No verdict where cel-cpp and the API server's cel-go part: lists.go also defines indexOf
# and lastIndexOf on lists, but cel-cpp's strings extension owns those names (strings only)
# and refuses a second declaration; and cel-cpp refuses a conditional with null on one side
# (`c ? 'text' : null`), which Kubernetes documents for auditAnnotations.
_NO_VERDICT = re.compile(
    r"no matching overload for '(indexOf|lastIndexOf)'"
    r"|no matching overload for '_\?_:_' applied to '\([^)]*null_type"
)


@dataclass(frozen=True)
class PolicyCompiled:
    """One ValidatingAdmissionPolicy expression compiled as the API server would.

    ``error`` is the compiler's first message (the API server refuses the policy);
    ``undeclared`` the first name the expression reads that is not declared for it (a typo
    such as ``objet``, or ``variables.x`` without an earlier ``spec.variables`` entry ``x``);
    ``function`` is set instead when that name is called (a function neither CEL nor the
    Kubernetes library this module declares defines); ``result`` the checked result type
    (``BOOL``, ``STRING``, ``DYN``...). ``unchecked``: nested too deep for cel-cpp.
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
    results = {
        "BOOL": t.BOOL,
        "STRING": t.STRING,
        "INT": t.INT,
        "DOUBLE": t.DOUBLE,
        "DYN": t.DYN,
        "LIST_STRING": t.List(t.STRING),
    }
    grouped: dict[str, list[Any]] = {}
    for name, member, arity, result in _K8S_FUNCTIONS:
        params = [t.DYN] * (arity + (1 if member else 0))
        overload_id = f"k8s_{name}_{'member' if member else 'global'}_{arity}"
        grouped.setdefault(name, []).append(
            cel.Overload(overload_id, results[result], params, member)
        )
    return tuple(cel.FunctionDecl(name, overloads) for name, overloads in grouped.items())


@lru_cache(maxsize=64)
def _policy_environment(names: frozenset[str]) -> Any:
    cel = _library()
    ext = "cel_expr_python.ext.ext_"
    return cel.NewEnv(
        variables=dict.fromkeys(names, cel.Type.DYN),
        extensions=[
            importlib.import_module(f"{ext}strings").ExtStrings(),
            importlib.import_module(f"{ext}bindings").ExtBindings(),
            importlib.import_module(f"{ext}optional").ExtOptional(),
        ],
        functions=list(_k8s_declarations()),
    )


def compile_admission_policy_expression(expression: str, declared: Iterable[str]) -> PolicyCompiled:
    """Compile ``expression`` with exactly the variables ``declared`` (each dyn; a variable of
    a policy's ``spec.variables`` is declared as ``variables.<name>``)."""
    return _compile_policy(expression, frozenset(declared))


@lru_cache(maxsize=1024)
def _compile_policy(expression: str, declared: frozenset[str]) -> PolicyCompiled:
    if len(expression) > MAX_LENGTH:
        return PolicyCompiled(error=f"longer than {MAX_LENGTH} characters")
    environment = _policy_environment(declared)
    try:
        compiled = environment.compile(expression)
    except Exception as exc:  # the library raises RuntimeError with the checker's issues
        message = str(exc)
        if _RECURSION.search(message) or _NO_VERDICT.search(message):
            return PolicyCompiled(error=None, unchecked=True)
        issues = [line for line in message.split("\n") if line.startswith(("ERROR", "INV"))]
        references = _UNDECLARED.findall(message)
        first = _first_error(message)
        if references and len(references) >= len(issues):
            name = references[0]
            # A call `name(` or `.name(`: a function, not a variable.
            if re.search(rf"(^|[^A-Za-z0-9_]){re.escape(name)}\s*\(", expression):
                return PolicyCompiled(error=first, function=name)
            return PolicyCompiled(error=first, undeclared=name)
        return PolicyCompiled(error=first)
    return PolicyCompiled(error=None, result=compiled.return_type().name())
