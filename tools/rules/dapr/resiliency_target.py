"""A target under `spec.targets` (an app, actor type or component) that names a policy no
Resiliency defines, or an actor target daprd refuses.

## Why

daprd stores target policy names as written and looks each one up only when a call is made.
Every Resiliency a sidecar loads shares one table of policies (with daprd's built-in
`DaprBuiltIn…Retries`), so a name defined in another Resiliency of the namespace counts; the
rule looks across all of them. Actor targets with a `circuitBreaker` need a
`circuitBreakerScope` of `type`, `id` or `both`; `circuitBreakerCacheSize` sizes an LRU cache
that refuses sizes below 1 (0 means the default).

## What happens at runtime

- A missing timeout or retry, or a missing breaker on an app or actor: the lookup finds
  nothing and the call runs without it. The `Default…Policy` policies do not apply either,
  because the target exists.
- A missing circuit breaker on a component: the first operation through the component
  dereferences a nil breaker and the sidecar panics.
- An actor breaker without a scope, or with another scope (`Type`), or a negative cache size:
  daprd logs `Could not read resiliency policy <name>` and stops reading the Resiliency; the
  targets it has not read yet (it reads them in random order) are never applied.
- A scope without a breaker (warning): it has no effect.

## How to fix

Define the policy under `spec.policies`, or correct the name; give actor breakers a scope.

## Source

dapr/dapr v1.18.3 `pkg/resiliency/resiliency.go`: `decodeTargets`,
`ParseActorCircuitBreakerScope`, `EndpointPolicy`, `ActorPreLockPolicy`,
`ComponentOutboundPolicy`/`ComponentInboundPolicy`, `circuitBreakerInstances.Get` and `newCB`
(the nil breaker); hashicorp/golang-lru v2 `simplelru.NewLRU` (a size below 1 is an error).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr import resiliency as rm
from tools.rules import Bundle, Rule

SCOPES = frozenset({"type", "id", "both"})
_WORDS = {"timeout": "time limit", "retry": "retries", "circuitBreaker": "circuit breaker"}


def _where(ref: rm.TargetRef) -> str:
    what = {"apps": "app", "actors": "actor type", "components": "component"}[ref.section]
    return f"{what} '{ref.target}'" + (f" ({ref.direction})" if ref.direction else "")


def _missing(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    defined = rm.defined_policies(bundle, resource)
    for ref in rm.target_refs(resource):
        kind = rm.policy_kind(ref.field)
        if ref.name in defined[kind]:
            continue
        if ref.section == "components" and ref.field == "circuitBreaker":
            consequence = (
                "daprd does not check target names when it loads them; the first call through "
                "this component looks the breaker up, finds nothing and panics (a nil "
                "breaker in pkg/resiliency circuitBreakerInstances.Get), which crashes the "
                "sidecar"
            )
        else:
            consequence = (
                "daprd does not check target names; it looks this one up at each call, finds "
                f"nothing and runs the call with no {_WORDS[ref.field]}, and the Default "
                "policies do not apply either because the target exists"
            )
        yield RULE.finding(
            resource,
            f"{_where(ref)} uses {ref.field} '{ref.name}', but no Resiliency defines a "
            f"{kind} policy of that name: {consequence}. Define it under "
            f"spec.policies.{kind} or fix the name.",
            ref.path,
        )


def _cache_size(
    resource: Resource, section: str, target: str, body: dict[str, Any]
) -> Iterator[Finding]:
    value = body.get("circuitBreakerCacheSize")
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        yield RULE.finding(
            resource,
            f"{section} target '{target}': circuitBreakerCacheSize {value} is negative; the "
            "LRU cache refuses a size below 1 (0 means the default). "
            f"{rm.abandoned(resource, in_targets=True)}.",
            ("spec", "targets", section, target, "circuitBreakerCacheSize"),
        )


def _actors(resource: Resource) -> Iterator[Finding]:
    actors = dm.dig(resource.doc, "spec", "targets", "actors")
    for section in ("apps", "actors"):
        entries = dm.dig(resource.doc, "spec", "targets", section)
        for target, body in (entries if isinstance(entries, dict) else {}).items():
            if isinstance(body, dict):
                yield from _cache_size(resource, section, str(target), body)
    for target, body in (actors if isinstance(actors, dict) else {}).items():
        if not isinstance(body, dict):
            continue
        breaker, scope = body.get("circuitBreaker"), body.get("circuitBreakerScope")
        base = ("spec", "targets", "actors", str(target))
        has_breaker = isinstance(breaker, str) and breaker
        if has_breaker and not scope:
            yield RULE.finding(
                resource,
                f"actor type '{target}' has a circuitBreaker but no circuitBreakerScope "
                "('type', 'id' or 'both'): daprd refuses it. "
                f"{rm.abandoned(resource, in_targets=True)}.",
                (*base, "circuitBreaker"),
            )
        elif has_breaker and isinstance(scope, str) and scope not in SCOPES:
            yield RULE.finding(
                resource,
                f"actor type '{target}': circuitBreakerScope '{scope}' is not 'type', 'id' "
                "or 'both' (lower case): daprd refuses it. "
                f"{rm.abandoned(resource, in_targets=True)}.",
                (*base, "circuitBreakerScope"),
            )
        elif scope and not has_breaker:
            yield RULE.finding(
                resource,
                f"actor type '{target}': circuitBreakerScope has no effect without a "
                "circuitBreaker.",
                (*base, "circuitBreakerScope"),
                severity=Severity.WARNING,
            )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Resiliency"):
        return
    yield from _missing(resource, bundle)
    yield from _actors(resource)


RULE = Rule(
    id="dapr-resiliency-target",
    category="dapr",
    severity=Severity.ERROR,
    severity_note="; warning for a scope without a breaker",
    summary="Resiliency target naming a missing policy, or an actor target daprd refuses",
    check=check,
    kinds=frozenset({"Resiliency"}),
)
