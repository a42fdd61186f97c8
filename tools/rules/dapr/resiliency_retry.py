"""A retry policy under `spec.policies.retries` that daprd refuses, ignores or changes.

## Why

daprd decodes each retry policy with dapr/kit `retry.DecodeConfig` over its defaults
(constant, 5s, unlimited retries), then parses the `matching` status-code lists itself.

- `policy` is `constant` or `exponential`, in any case.
- `duration` and `maxInterval` are a whole number of milliseconds or a Go duration, as for
  timeouts (dapr/kit `config.decodeString`: `strconv.Atoi`, then `time.ParseDuration`).
- `matching.httpStatusCodes` (100-599) and `matching.gRPCStatusCodes` (0-16) are lists of
  codes and `start-end` ranges separated by commas. Empty items are skipped; spaces are not
  allowed (`strconv.Atoi(" 502")` fails); a code is converted to int32 before the range check.
- A constant policy waits `duration` between attempts and ignores `maxInterval`; an
  exponential one starts at 500ms, grows up to `maxInterval` and ignores `duration`.
- `maxRetries` -1 means unlimited, and so does any other negative value.
- The built-in policies `DaprBuiltInServiceRetries`, `DaprBuiltInActorRetries`,
  `DaprBuiltInActorReminderRetries` and `DaprBuiltInInitializationRetries` may be overridden,
  but with at least 3 retries; `DaprBuiltInActorNotFoundRetries` may not be overridden.

## What happens at runtime

- Unknown `policy`, unreadable duration, malformed status list: daprd logs
  `Could not read resiliency policy <name>` and stops reading the Resiliency; none of its
  targets is applied.
- A negative `duration`/`maxInterval`: the back-off waits no time and retries run back to back.
- An override of a built-in policy with fewer than 3 retries (or with no `maxRetries`, which
  is unlimited, -1): daprd logs a warning and uses 3. An override of
  `DaprBuiltInActorNotFoundRetries`: daprd logs a warning and keeps its own policy.
- A field the policy does not use (warning): it has no effect.

## How to fix

Use the spelling and forms above: `policy: exponential`, `maxInterval: 15s`,
`httpStatusCodes: "500,502-504"`.

## Source

dapr/dapr v1.18.3 `pkg/resiliency/resiliency.go` (`decodePolicies`, `isBuiltInPolicy`,
`isProtectedPolicy`, `FromConfigurations`), `pkg/resiliency/retry.go`
(`ParseRetryConditionMatch`, `parsePatterns`, `compilePattern`); dapr/kit `retry/retry.go`
(`DefaultConfig`, `DecodeConfig`, `NewBackOff`, `PolicyType.DecodeString`) and
`config/decode.go` (`decodeString`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr import resiliency as rm
from tools.rules import Bundle, Rule

POLICIES = frozenset({"constant", "exponential"})
# The field each policy ignores: constant waits `duration`; exponential grows from 500ms up
# to `maxInterval` (dapr/kit retry Config.NewBackOff).
UNUSED_BY = {"constant": "maxInterval", "exponential": "duration"}


def _policy(body: dict[str, Any]) -> str:
    value = rm.scalar_text(body.get("policy"))
    return value.lower() if value else "constant"


def _check_policy(
    resource: Resource, name: str, body: dict[str, Any], base: tuple[str, ...]
) -> Iterator[Finding]:
    if name in rm.PROTECTED_RETRIES:
        yield RULE.finding(
            resource,
            f"retry '{name}' overrides a built-in policy daprd protects: it logs a warning, "
            "ignores this definition and keeps its own (5 retries, 1s apart). Remove it.",
            base,
        )
        return
    policy = rm.scalar_text(body.get("policy"))
    if policy and policy.lower() not in POLICIES:
        yield RULE.finding(
            resource,
            f"retry '{name}': policy '{policy}' is neither 'constant' nor 'exponential'. "
            f"{rm.abandoned(resource)}.",
            (*base, "policy"),
        )
    yield from _durations(resource, name, body, base)
    yield from _max_retries(resource, name, body, base)
    matching = body.get("matching")
    if isinstance(matching, dict):
        for field, valid in (
            ("httpStatusCodes", rm.HTTP_CODES),
            ("gRPCStatusCodes", rm.GRPC_CODES),
        ):
            text = rm.scalar_text(matching.get(field))
            problem = rm.status_codes_problem(text, valid) if text is not None else None
            if problem is not None:
                yield RULE.finding(
                    resource,
                    f"retry '{name}': matching.{field} {problem} (write codes and ranges "
                    f"separated by commas, without spaces, such as '500,502-504'). "
                    f"{rm.abandoned(resource)}.",
                    (*base, "matching", field),
                )


def _durations(
    resource: Resource, name: str, body: dict[str, Any], base: tuple[str, ...]
) -> Iterator[Finding]:
    policy = _policy(body)
    for field in ("duration", "maxInterval"):
        value = rm.scalar_text(body.get(field))
        if not value:
            continue  # empty is left out when daprd re-encodes the spec: the default applies
        path = (*base, field)
        fault, nanoseconds = rm.duration_fault(
            resource, f"retry '{name}': {field} '{value}'", value
        )
        if fault is not None:
            yield RULE.finding(resource, fault, path)
        elif nanoseconds < 0:
            yield RULE.finding(
                resource,
                f"retry '{name}': {field} '{value}' is negative, so the back-off waits no time "
                "at all and retries run back to back. Use a positive duration.",
                path,
            )
        elif UNUSED_BY.get(policy) == field:
            yield RULE.finding(
                resource,
                f"retry '{name}': {field} has no effect with policy '{policy}' "
                + (
                    "(it waits 'duration' between attempts)."
                    if policy == "constant"
                    else "(it starts at 500ms and grows up to 'maxInterval')."
                ),
                path,
                severity=Severity.WARNING,
            )


def _max_retries(
    resource: Resource, name: str, body: dict[str, Any], base: tuple[str, ...]
) -> Iterator[Finding]:
    value = body.get("maxRetries")
    if isinstance(value, bool) or (value is not None and not isinstance(value, int)):
        return  # the schema rule reports a non-integer
    if isinstance(value, int) and value < -1:
        yield RULE.finding(
            resource,
            f"retry '{name}': maxRetries {value}: daprd retries forever for any negative "
            "value; write -1 to say so, or a limit.",
            (*base, "maxRetries"),
            severity=Severity.WARNING,
        )
    effective = -1 if value is None else value
    if name in rm.BUILT_IN_RETRIES and effective < 3:
        written = "no maxRetries (unlimited)" if value is None else f"maxRetries {value}"
        yield RULE.finding(
            resource,
            f"retry '{name}' overrides a built-in policy with {written}; daprd allows no "
            "fewer than 3 for built-in policies: it logs a warning and uses 3. Set "
            "maxRetries to 3 or more.",
            (*base, "maxRetries") if value is not None else base,
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Resiliency"):
        return
    for name, body in rm.policies(resource, "retries").items():
        if isinstance(body, dict):
            yield from _check_policy(
                resource, str(name), body, ("spec", "policies", "retries", str(name))
            )


RULE = Rule(
    id="dapr-resiliency-retry",
    category="dapr",
    severity=Severity.ERROR,
    severity_note="; warning for fields without effect and for `maxRetries` below -1",
    summary="Resiliency retry policy that daprd refuses, ignores or changes",
    check=check,
    kinds=frozenset({"Resiliency"}),
)
