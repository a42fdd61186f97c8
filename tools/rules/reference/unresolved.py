"""A resource names a component that is not in the manifests being validated (in the same
profile and namespace):

- a Subscription's `spec.pubsubname`;
- a Component's `auth.secretStore` (except the built-in `kubernetes`, which exists only in
  Kubernetes mode: with `--dapr-mode self-hosted` it is reported like any other name);
- a state store's `outboxPublishPubsub` / `outboxPubsub`;
- a Configuration's `spec.secrets.scopes[].storeName` (except `kubernetes`).

## Why

The component may well be deployed by something else in the cluster, so this is only a
warning. But a misspelt name is only noticed at runtime, as a subscription that never fires or a
component that never initialises.

With `--dapr-mode self-hosted`, a name defined in any namespace of the validated files counts
(with `NAMESPACE` unset, as `dapr run` leaves it, daprd's disk loader ignores
`metadata.namespace`), and `auth.secretStore: kubernetes` is a name like any other:
`appendBuiltinSecretStore` (`pkg/runtime/runtime.go`, dapr/dapr 1.16–1.18) adds the built-in
store only in Kubernetes mode, so unless a resources path defines a component called
`kubernetes`, the component waits for that store and never initialises.

## How to fix

Check the name. If the component lives in another file, validate both files together
(`python -m tools validate a.yaml b.yaml`) so the reference can be checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule

_PUBSUB_METADATA = ("outboxPublishPubsub", "outboxPubsub")
_NOT_REFERENCES = frozenset({"", dapr_model.BUILTIN_SECRET_STORE})


def _references(
    resource: Resource, self_hosted: bool
) -> Iterator[tuple[str, str, Sequence[str | int]]]:
    """(what, component name, path) for each component name the resource refers to; outside
    Kubernetes a Component's `auth.secretStore: kubernetes` too (no built-in store there)."""
    if dapr_model.is_dapr(resource, "Subscription"):
        name = dapr_model.pubsub_name(resource)
        if name:
            yield "pub/sub", name, ("spec", "pubsubname")
    elif dapr_model.is_dapr(resource, "Component"):
        store = dapr_model.secret_store_of(resource)
        if store and (self_hosted or store != dapr_model.BUILTIN_SECRET_STORE):
            yield "secret store", store, ("auth", "secretStore")
        for item in dapr_model.metadata_items(resource):
            if item.name in _PUBSUB_METADATA and item.text and item.secret_ref is None:
                yield "pub/sub", item.text, ("spec", "metadata", item.index, "value")
    elif dapr_model.is_dapr(resource, "Configuration"):
        scopes = dapr_model.dig(resource.doc, "spec", "secrets", "scopes")
        for index, entry in enumerate(scopes if isinstance(scopes, list) else []):
            store_name = entry.get("storeName") if isinstance(entry, dict) else None
            if isinstance(store_name, str) and store_name not in _NOT_REFERENCES:
                yield "secret store", store_name, ("spec", "secrets", "scopes", index, "storeName")


def _component_names(bundle: Bundle, profile: str | None) -> frozenset[str]:
    """Names of the Components of one profile, whatever their namespace: `dapr run` leaves
    NAMESPACE unset, and then daprd's disk loader (filterManifests) ignores metadata.namespace."""
    return bundle.memo(
        ("component-names-any-namespace", profile),
        lambda: frozenset(
            r.name
            for r in bundle.resources
            if r.profile == profile and dapr_model.is_dapr(r, "Component")
        ),
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    self_hosted = bundle.context.dapr_mode == "self-hosted"
    for what, name, path in _references(resource, self_hosted):
        if dapr_model.find_component(bundle, resource, name):
            continue
        if self_hosted and name in _component_names(bundle, resource.profile):
            continue
        if self_hosted and name == dapr_model.BUILTIN_SECRET_STORE:
            yield RULE.finding(
                resource,
                "secret store 'kubernetes' is not defined in the validated files, and outside "
                "Kubernetes daprd has no built-in 'kubernetes' store: unless another resources "
                "path defines it, this component waits for it and never initialises. Name a "
                "secret store of the resources path (for example a secretstores.local.file "
                "component)",
                path,
            )
            continue
        yield RULE.finding(
            resource,
            f"{what} '{name}' is not defined in the validated manifests. If it is not deployed "
            "elsewhere in this namespace, Dapr will not find it at runtime; check the name, or "
            "validate it together with the file that defines it",
            path,
        )


RULE = Rule(
    id="reference-unresolved",
    category="reference",
    severity=Severity.WARNING,
    summary="a pub/sub or secret store is referenced but not defined in the validated set",
    check=check,
    kinds=frozenset({"Subscription", "Component", "Configuration"}),
)
