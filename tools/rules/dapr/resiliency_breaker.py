"""A circuit breaker under `spec.policies.circuitBreakers` that daprd refuses, or that does not
behave as written.

## Why

daprd decodes a breaker with dapr/kit `config.Decode` into `maxRequests` (uint32),
`interval` and `timeout` (durations: whole milliseconds or a Go duration) and `trip`, which
it compiles as CEL (see [docs/cel.md](../cel.md)). When a request fails in the closed state it
evaluates `trip` with five counts bound: `requests`, `totalSuccesses`, `totalFailures`,
`consecutiveSuccesses`, `consecutiveFailures`. An evaluation error, or a result that is not a
boolean, counts as "do not trip". The breaker library (sony/gobreaker) replaces a `timeout`
that is not above zero with 60s and treats a negative `interval` as 0.

## What happens at runtime

- `trip` that does not compile (`consecutiveFailures >>= 5`, `a = 1`, a type error such as
  `requests > "5" + 1`), a negative `maxRequests`, an unreadable `interval`/`timeout`: daprd
  logs `Could not read resiliency policy <name>` and stops reading the Resiliency; none of its
  targets is applied.
- `trip` that calls a function cel-go's standard environment does not define (`max(...)`,
  `lowerAscii()`): the checker reports "undeclared reference", daprd's loop declares the name
  as a variable, which does not define a function, and compiles again, forever. The sidecar
  hangs at start-up.
- `trip` that reads another name (`failures > 3`): it compiles, because daprd declares
  unknown names, but its evaluation fails, so the breaker never trips where that name decides.
- `trip` whose result is a number or a string: the breaker never opens.
- `timeout: 0s` or negative: the breaker stays open 60s, not what is written.
- `maxRequests` above 4294967295: only the low 32 bits are kept.
- Negative `interval` (warning): counts are never cleared, as with 0.

Compound expressions such as `consecutiveFailures > 5 || requests > 10` are fine.

## How to fix

Write `trip` with the five counts, comparison operators and `&&`/`||`, for example
`consecutiveFailures >= 5`; give `timeout` a positive Go duration.

## Source

dapr/dapr v1.18.3 `pkg/resiliency/breaker/circuitbreaker.go` (`CircuitBreaker`,
`Initialize`), `pkg/expr/expr.go` (`Expr.DecodeString` and its compile loop, `Expr.Eval`);
google/cel-go
v0.20.1 `checker/checker.go` (`checkCall`);
`pkg/resiliency/resiliency.go` (`decodePolicies`, `FromConfigurations`); dapr/kit
`config/decode.go` (`Decode`, `decodeString`); mitchellh/mapstructure `decodeUint`;
sony/gobreaker v0.5.0 `NewCircuitBreaker`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr import resiliency as rm
from tools.rules import Bundle, Rule

_UINT32_MAX = (1 << 32) - 1


def _max_requests(
    resource: Resource, name: str, value: Any, base: tuple[str, ...]
) -> Iterator[Finding]:
    if isinstance(value, bool) or not isinstance(value, int):
        return  # the schema rule reports a non-integer
    path = (*base, "maxRequests")
    if value < 0:
        yield RULE.finding(
            resource,
            f"circuit breaker '{name}': maxRequests {value} is negative and does not fit the "
            f"unsigned field daprd decodes it into. {rm.abandoned(resource)}.",
            path,
        )
    elif value > _UINT32_MAX:
        yield RULE.finding(
            resource,
            f"circuit breaker '{name}': maxRequests {value} does not fit 32 bits; daprd "
            f"keeps only the low bits ({value & _UINT32_MAX}, where 0 means 1).",
            path,
        )


def _durations(
    resource: Resource, name: str, body: dict[str, Any], base: tuple[str, ...]
) -> Iterator[Finding]:
    for field in ("interval", "timeout"):
        value = rm.scalar_text(body.get(field))
        if not value:
            continue
        path = (*base, field)
        fault, nanoseconds = rm.duration_fault(
            resource, f"circuit breaker '{name}': {field} '{value}'", value
        )
        if fault is not None:
            yield RULE.finding(resource, fault, path)
        elif field == "timeout" and nanoseconds <= 0:
            yield RULE.finding(
                resource,
                f"circuit breaker '{name}': timeout '{value}' is not above zero, so the "
                "breaker library replaces it with its default: the breaker stays open for "
                "60s. Write the time it should stay open.",
                path,
            )
        elif field == "interval" and nanoseconds < 0:
            yield RULE.finding(
                resource,
                f"circuit breaker '{name}': interval '{value}' is negative and is read as 0: "
                "the closed breaker never clears its counts. Write 0 if that is the intent.",
                path,
                severity=Severity.WARNING,
            )


def _trip(resource: Resource, name: str, raw: Any, base: tuple[str, ...]) -> Iterator[Finding]:
    value = rm.scalar_text(raw)
    if not value:
        return  # daprd then uses the default, consecutiveFailures > 5
    from tools.kubernetes import cel

    path = (*base, "trip")
    try:
        compiled = cel.compile_like_daprd(value, rm.TRIP_VARIABLES)
    except cel.CelUnavailable as exc:
        yield RULE.finding(resource, f"trip not checked: {exc}.", path, Severity.WARNING)
        return
    if compiled.unchecked:
        return  # nested deeper than the library can follow; see docs/cel.md
    if compiled.endless:
        yield RULE.finding(
            resource,
            f"circuit breaker '{name}': trip calls '{compiled.function}', {cel.ENDLESS}: the "
            "sidecar hangs at start-up, spinning a CPU core, and never becomes ready.",
            path,
        )
        return
    if compiled.error is not None:
        yield RULE.finding(
            resource,
            f"circuit breaker '{name}': trip is not valid CEL ({compiled.error}). "
            f"{rm.abandoned(resource)}.",
            path,
        )
        return
    known = ", ".join(sorted(rm.TRIP_VARIABLES))
    for unbound in compiled.unbound:
        yield RULE.finding(
            resource,
            f"circuit breaker '{name}': trip reads '{unbound}', which daprd does not bind "
            f"(it binds {known}). Evaluating that name fails, and a failed evaluation "
            "counts as 'do not trip'.",
            path,
        )
    if compiled.result not in {"BOOL", "DYN", ""}:
        yield RULE.finding(
            resource,
            f"circuit breaker '{name}': trip yields {compiled.result.lower()}, not a "
            "boolean; daprd trips only on true, so this breaker never opens. Write a "
            "comparison such as 'consecutiveFailures > 5'.",
            path,
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Resiliency"):
        return
    for name, body in rm.policies(resource, "circuitBreakers").items():
        if not isinstance(body, dict):
            continue
        base = ("spec", "policies", "circuitBreakers", str(name))
        yield from _max_requests(resource, str(name), body.get("maxRequests"), base)
        yield from _durations(resource, str(name), body, base)
        yield from _trip(resource, str(name), body.get("trip"), base)


RULE = Rule(
    id="dapr-resiliency-breaker",
    category="dapr",
    severity=Severity.ERROR,
    severity_note="; warning for a negative `interval`",
    summary="Resiliency circuit breaker that daprd refuses or that never trips",
    check=check,
    kinds=frozenset({"Resiliency"}),
)
