"""An entry of `spec.api.allowed` or `spec.api.denied` that daprd drops: no `protocol`, a
protocol other than `http` (any case) or exactly `grpc`, or a gRPC entry whose `name` and
`version` are not an API daprd 1.18 has.

## Why

The HTTP server (`setupRoutes` in `pkg/api/http/server.go`) keeps the rules returned by
`APIAccessRules.GetRulesByProtocol` (`pkg/config/configuration.go`), which compares the
lower-cased protocol with `http`. The gRPC server (`apiAccessRuleToMap` in
`pkg/api/grpc/endpoints.go`) keeps rules whose protocol is exactly `grpc` and looks up
`<name>.<version>` in its endpoint table (`state.v1`, `invoke.v1`, `workflows.v1beta1`, ...);
a key not in the table adds no method.

## What happens at runtime

The entry has no effect, without a log line. In an allow-list this can open everything: when
no gRPC entry survives, the gRPC allow-list is empty and every gRPC API stays available.
gRPC versions are `v1`, `v1alpha1`..., not the HTTP `v1.0`.

## Dapr releases

The gRPC endpoint table follows `--dapr-version`: `jobs.v1` and `actors.v1alpha1` are in
`pkg/api/grpc/endpoints.go` from 1.18 on, so a gRPC rule naming them matches no method on 1.16
and 1.17, and the message says "added in Dapr 1.18". The chart refuses such a rule in its
values (`configuration.api.*`, `apps.<id>.api.*`) when `daprVersion` is older than the release
that added the API (`todo-dapr.grpcApiSince` in `templates/_helpers.tpl`, kept equal to
`GRPC_SINCE` by the tests).

## How to fix

```yaml
api:
  allowed:
    - {name: state, version: v1.0, protocol: http}
    - {name: state, version: v1, protocol: grpc}
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule


def _protocol_problem(protocol: object) -> str | None:
    if protocol is None or protocol == "":
        return (
            "has no protocol, so it applies to neither API: daprd keeps HTTP rules whose "
            'protocol is "http" and gRPC rules whose protocol is exactly "grpc". Add '
            "protocol: http (or grpc)."
        )
    if not isinstance(protocol, str):
        return None  # the CRD schema reports the type
    if protocol.lower() == "http" or protocol == "grpc":
        return None
    if protocol.lower() == "grpc":
        return (
            f'has protocol "{protocol}": the gRPC server compares it case-sensitively with '
            '"grpc", so the rule is ignored. Write grpc.'
        )
    return f'has protocol "{protocol}", which is neither http nor grpc, so it is ignored.'


def _rules(resource: Resource, which: str, release: str) -> Iterator[Finding]:
    known = dm.grpc_apis(release)
    rules = dm.dig(resource.doc, "spec", "api", which)
    entries = [(i, r) for i, r in enumerate(rules if isinstance(rules, list) else [])]
    for index, rule in entries:
        if not isinstance(rule, dict):
            continue
        path = ("spec", "api", which, index)
        problem = _protocol_problem(rule.get("protocol"))
        if problem:
            yield RULE.finding(resource, f"api.{which}[{index}] {problem}", (*path, "protocol"))
            continue
        name, version = rule.get("name"), rule.get("version")
        if rule.get("protocol") != "grpc" or not isinstance(name, str):
            continue
        if not isinstance(version, str) or f"{name}.{version}" in known:
            continue
        consequence = (
            "and, being the only gRPC entry, leaves the gRPC allow-list empty: every gRPC API "
            "stays open"
            if which == "allowed"
            and not any(
                isinstance(r, dict)
                and r.get("protocol") == "grpc"
                and f"{r.get('name')}.{r.get('version')}" in known
                for _, r in entries
            )
            else "so the rule has no effect"
        )
        since = dm.GRPC_SINCE.get(f"{name}.{version}")
        added = f" (added in Dapr {since})" if since else ""
        yield RULE.finding(
            resource,
            f'api.{which}[{index}]: gRPC API "{name}" version "{version}" does not exist in '
            f"daprd {release}{added}; it matches no method {consequence}. Known gRPC APIs: "
            f"{', '.join(sorted(known))}.",
            path,
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    for which in ("allowed", "denied"):
        yield from _rules(resource, which, bundle.dapr.version)


RULE = Rule(
    id="dapr-api-access",
    category="dapr",
    severity=Severity.ERROR,
    summary="API allow/deny entry that daprd ignores (protocol, or unknown gRPC API)",
    check=check,
    kinds=frozenset({"Configuration"}),
)
