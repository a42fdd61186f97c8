"""`spec.accessControl` that daprd refuses or reads differently from what it says:

- a policy without `appId`, `trustDomain` or `namespace`;
- a `defaultAction` or operation `action` other than `allow`/`deny` (any case);
- an `httpVerb` that is not an upper-case verb (`GET`, `POST`...) or `*`;
- two policies for the same `appId` and `namespace`.

## Why

`ParseAccessControlSpec` in `pkg/acl/acl.go` (dapr/dapr 1.18) returns "invalid access control
spec. missing trustdomain for apps ..., missing namespace for apps ..." when a policy lacks one
of those fields, and stores policies in a map keyed by app ID and namespace. The lookup,
`isOperationAllowedByAccessControlPolicy`, allows a call only when the action is
`strings.EqualFold(action, "allow")`, and matches verbs by `commonv1pb.HTTPExtension_Verb`
`String()` names, which are upper case.

## What happens at runtime

- Missing field: `FromConfig` in `pkg/runtime/config.go` returns the error and the sidecar
  exits at start-up.
- `permit`, `allowed`, `yes`...: the call is denied.
- `get`: the verb entry never matches, so the policy's `defaultAction` decides instead.
- Duplicate app and namespace: the later policy replaces the earlier one, silently.

## How to fix

Give every policy `appId`, `trustDomain` (`public` unless you changed the trust domain) and
`namespace`; write actions as `allow`/`deny`, verbs as `GET`, `POST`, ... or `*`; keep one
policy per app and namespace.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

# The verbs of commonv1pb.HTTPExtension_Verb, as their String() spells them, and the wildcard.
HTTP_VERBS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "*"}
)
_ACTIONS = ("allow", "deny")


def _action_problem(value: object, field: str = "action") -> str | None:
    if not isinstance(value, str) or value.lower() in _ACTIONS:
        return None
    return (
        f'{field} "{value}" is neither allow nor deny: daprd allows only what compares equal to '
        '"allow" (in any case), so this silently means deny. Write allow or deny.'
    )


def _policy(
    resource: Resource, index: int, policy: dict[str, object], seen: dict[tuple[str, str], int]
) -> Iterator[Finding]:
    base = ("spec", "accessControl", "policies", index)
    app = policy.get("appId")
    missing = [
        f
        for f in ("appId", "trustDomain", "namespace")
        if not isinstance(policy.get(f), str) or policy.get(f) == ""
    ]
    if missing:
        yield RULE.finding(
            resource,
            f"access control policy {index} has no {', '.join(missing)}: daprd refuses the whole "
            "access control spec and the sidecar exits at start-up. Every policy needs appId, "
            'trustDomain ("public" unless you changed it) and namespace.',
            base,
        )
    elif isinstance(app, str):
        key = (app, str(policy["namespace"]))
        if key in seen:
            yield RULE.finding(
                resource,
                f'policies {seen[key]} and {index} are both for app "{app}" in namespace '
                f'"{key[1]}": daprd keeps only the last one, so policy {seen[key]} is silently '
                "ignored. Merge them.",
                (*base, "appId"),
            )
        seen[key] = index
    problem = _action_problem(policy.get("defaultAction"))
    if problem:
        yield RULE.finding(
            resource, f"default{problem[0].upper()}{problem[1:]}", (*base, "defaultAction")
        )
    operations = policy.get("operations")
    for op_index, operation in enumerate(operations if isinstance(operations, list) else []):
        if not isinstance(operation, dict):
            continue
        op_path = (*base, "operations", op_index)
        problem = _action_problem(operation.get("action"))
        if problem:
            yield RULE.finding(resource, problem, (*op_path, "action"))
        verbs = operation.get("httpVerb")
        for verb_index, verb in enumerate(verbs if isinstance(verbs, list) else []):
            if not isinstance(verb, str) or verb in HTTP_VERBS:
                continue
            fix = (
                f'write "{verb.upper()}"'
                if verb.upper() in HTTP_VERBS
                else "use GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH or *"
            )
            yield RULE.finding(
                resource,
                f'httpVerb "{verb}" never matches: daprd compares verbs with their upper-case '
                f"names, so this entry is silently ignored and the policy's defaultAction "
                f"applies instead; {fix}.",
                (*op_path, "httpVerb", verb_index),
            )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    spec = dm.dig(resource.doc, "spec", "accessControl")
    if not isinstance(spec, dict):
        return
    problem = _action_problem(spec.get("defaultAction"), "defaultAction")
    if problem:
        yield RULE.finding(resource, problem, ("spec", "accessControl", "defaultAction"))
    policies = spec.get("policies")
    seen: dict[tuple[str, str], int] = {}
    for index, policy in enumerate(policies if isinstance(policies, list) else []):
        if isinstance(policy, dict):
            yield from _policy(resource, index, policy, seen)


RULE = Rule(
    id="dapr-access-control",
    category="dapr",
    severity=Severity.ERROR,
    summary="Access control policy daprd refuses or reads differently than written",
    check=check,
    kinds=frozenset({"Configuration"}),
)
