"""A Component reads its `secretKeyRef` values through `auth.secretStore: <store>`. That store
is in the validated manifests, but it is not loaded by every app that loads the component
(its `scopes` leave some of them out), or it is not a `secretstores.*` component. With
`--dapr-mode self-hosted`, also a Component or an HTTPEndpoint with `secretKeyRef` values and
no `auth.secretStore`.

## Why

With `auth.secretStore` set to anything but `kubernetes`, each sidecar resolves the
component's secrets itself, through that store. The store has to be loaded in the same sidecar.

## What happens at runtime

In the apps without the store, the component waits for a secret store that never arrives and
fails to initialise. Unless `ignoreErrors` is set, the sidecar exits.

## How to fix

Add the component's apps to the secret store's `scopes`, or remove the store's scopes. Or drop
`auth.secretStore` to let the Dapr operator read the Kubernetes Secret directly. A store that
is not in the validated set at all is reported by `reference-unresolved` (warning).

## Self-hosted

Outside Kubernetes there is no operator and no default store: `AuthSecretStoreOrDefault`
(`pkg/runtime/meta/meta.go`, dapr/dapr 1.16–1.18) returns `kubernetes` only in Kubernetes mode,
else the empty name. `secret.ProcessResource` (`pkg/runtime/processor/secret/secret.go`) then
finds no store called "", logs `references a secret store that isn't loaded` and hands the
component to `Init` with the `secretKeyRef` values still empty (an empty name is not a
dependency to wait for). Set `auth.secretStore` to a secret store in the resources path, such as
a `secretstores.local.file` or `secretstores.local.env` component. `auth.secretStore: kubernetes`
names a component like any other there (`appendBuiltinSecretStore` adds none outside
Kubernetes), so its scopes are checked too.

HTTPEndpoints go the same way: `processHTTPEndpointSecrets`
(`pkg/runtime/processor/httpendpoints.go`, dapr/dapr 1.16–1.18) passes the `spec.headers` and
then the `spec.clientTLS` documents (`rootCA`, `certificate`, `privateKey`) through
`secret.ProcessResource` with the endpoint's `auth.secretStore`. Without one, every
`secretKeyRef` there stays empty: the header is sent without its value and the TLS document is
not used (daprd logs the same warning and keeps the endpoint).
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.dapr.model import AppsOf
from tools.rules import Bundle, Rule


def _apps(apps: AppsOf) -> str:
    return "every app" if apps.every else ", ".join(sorted(apps.apps))


_TLS_DOCUMENTS = ("rootCA", "certificate", "privateKey")


def _named_ref(entry: object) -> bool:
    """An entry whose ``secretKeyRef.name`` is set: ``ProcessResource`` resolves it."""
    if not isinstance(entry, dict):
        return False
    ref = entry.get("secretKeyRef")
    return isinstance(ref, dict) and bool(ref.get("name"))


def _endpoint_refs(resource: Resource) -> list[tuple[str | int, ...]]:
    """Paths of the HTTPEndpoint's header and clientTLS entries read through a secret store."""
    spec = dapr_model.spec(resource)
    paths: list[tuple[str | int, ...]] = []
    headers = spec.get("headers")
    for index, header in enumerate(headers if isinstance(headers, list) else []):
        if isinstance(header, dict) and "value" not in header and header.get("envRef"):
            continue  # ProcessResource reads the envRef first and skips the secretKeyRef
        if _named_ref(header):
            paths.append(("spec", "headers", index, "secretKeyRef"))
    tls = spec.get("clientTLS")
    if isinstance(tls, dict):
        for name in _TLS_DOCUMENTS:
            if _named_ref(tls.get(name)):
                paths.append(("spec", "clientTLS", name, "secretKeyRef"))
    return paths


def _check_endpoint(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if bundle.context.dapr_mode != "self-hosted" or dapr_model.secret_store_of(resource):
        return
    paths = _endpoint_refs(resource)
    if paths:
        yield RULE.finding(
            resource,
            "secretKeyRef values with no auth.secretStore: outside Kubernetes daprd has no "
            "default secret store and no operator to read them, so the HTTPEndpoint keeps "
            "these values empty (headers are sent without them, clientTLS documents are not "
            "used). Set auth.secretStore to a secret store in the resources path (for example "
            "a secretstores.local.file component)",
            paths[0],
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if dapr_model.is_dapr(resource, "HTTPEndpoint"):
        yield from _check_endpoint(resource, bundle)
        return
    if not dapr_model.is_dapr(resource, "Component"):
        return
    store = dapr_model.secret_store_of(resource)
    self_hosted = bundle.context.dapr_mode == "self-hosted"
    refs = [i for i in dapr_model.metadata_items(resource) if i.secret_ref is not None]
    if not refs:
        return  # nothing is read through the store
    named = [i for i in refs if i.secret_ref and i.secret_ref.get("name")]
    if not store and self_hosted and named:
        yield RULE.finding(
            resource,
            "secretKeyRef values with no auth.secretStore: outside Kubernetes daprd has no "
            "default secret store and no operator to read them, so the component starts with "
            "these values empty. Set auth.secretStore to a secret store in the resources path "
            "(for example a secretstores.local.file component)",
            ("spec", "metadata", named[0].index, "secretKeyRef"),
        )
        return
    if not store or (store == dapr_model.BUILTIN_SECRET_STORE and not self_hosted):
        return
    candidates = dapr_model.find_component(bundle, resource, store)
    if not candidates:
        return  # reference-unresolved reports it
    stores = [c for c in candidates if dapr_model.component_category(c) == "secretstores"]
    if not stores:
        types = ", ".join(sorted({dapr_model.component_type(c) or "?" for c in candidates}))
        yield RULE.finding(
            resource,
            f"auth.secretStore '{store}' is a component of type {types}, not a secret store: "
            "the secretKeyRef values cannot be resolved and the component fails to initialise. "
            "Name a secretstores.* component",
            ("auth", "secretStore"),
        )
        return
    users = AppsOf.of(resource)
    missing: AppsOf | None = None
    for candidate in stores:
        gap = users.missing_from(AppsOf.of(candidate))
        if not gap:
            return
        missing = gap
    if missing is None:
        return
    yield RULE.finding(
        resource,
        f"secretKeyRef values are read through secret store '{store}', which is loaded only by "
        f"{_apps(AppsOf.of(stores[0]))}; in {_apps(missing)} the store is absent, so this "
        "component waits for it and never initialises (the sidecar does not become ready). Add "
        "those apps to the store's scopes",
        ("auth", "secretStore"),
    )


RULE = Rule(
    id="reference-secret-store",
    category="reference",
    severity=Severity.ERROR,
    summary="auth.secretStore names a secret store that the component's apps do not load",
    check=check,
    kinds=frozenset({"Component", "HTTPEndpoint"}),
)
