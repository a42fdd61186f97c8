"""dapr-api-access: ``spec.api.allowed``/``denied`` entries that daprd silently ignores."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.releases import release_of
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
        yield from _rules(resource, which, release_of(bundle.options))


RULE = Rule(
    id="dapr-api-access",
    category="dapr",
    severity=Severity.ERROR,
    summary="API allow/deny entry that daprd ignores (protocol, or unknown gRPC API)",
    check=check,
    explanation="The HTTP server keeps entries whose lower-cased protocol is http; the gRPC "
    "server keeps entries whose protocol is exactly grpc and whose name.version is in its "
    "endpoint table. Everything else is dropped without a log line.",
    kinds=frozenset({"Configuration"}),
)
