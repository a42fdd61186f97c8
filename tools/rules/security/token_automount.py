"""A pod gets a Kubernetes API token mounted into every container without opting in: the Pod or
pod template leaves `automountServiceAccountToken` unset, and its ServiceAccount does not set
it to `false` (or is not in the input). A ServiceAccount in the input that does not set
`automountServiceAccountToken: false` is reported itself only when no pod in the input runs as
it, so one risk gets one finding. A pod that sets the field to `true` has opted in.

On a Dapr pod (`dapr.io/enabled: "true"`) the rule knows whether daprd needs the token: it does
when it loads a Kubernetes secret store, that is the built-in store `kubernetes` (unless the
pod sets `dapr.io/disable-builtin-k8s-secret-store: "true"`) or a Component of type
`secretstores.kubernetes` in the pod's namespace that the app loads (unscoped, or scoped to its
`dapr.io/app-id`) and that has no `kubeconfigPath`. Such a pod is never told to turn the token
off; a pod that turns it off anyway is an **error**, because daprd then exits.

## Why

The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount/admission.go,
`shouldAutomount`) decides: the pod's `automountServiceAccountToken` wins, then the
ServiceAccount's, and with neither set the token is mounted. The ServiceAccount is the pod's
`serviceAccountName`, else `default`. The token lands at
`/var/run/secrets/kubernetes.io/serviceaccount` in every container; when a webhook such as
Dapr's injector changes the pod, the in-tree plugins run again
(k8s.io/apiserver `admission/reinvocation.go`), so the injected daprd container gets it too.

daprd does not need that token for its identity: the injector (Dapr 1.16 to 1.18,
pkg/injector/patcher `getTokenVolume`) adds a projected token of its own, volume
`dapr-identity-token`, with the sentry SPIFFE ID as audience, mounted only into daprd at
`/var/run/secrets/dapr.io/sentrytoken`; daprd falls back to the API token only when that file
is missing (pkg/security/token `GetSentryToken`). Component `secretKeyRef`s through the
built-in store are resolved by the operator, not by daprd (pkg/runtime/processor/secret).

It does need it for a Kubernetes secret store. On Kubernetes daprd always loads the built-in
store `kubernetes` (pkg/runtime `appendBuiltinSecretStore`) unless the annotation disables it,
as a component whose errors are not ignored. The store's `Init` (components-contrib
secretstores/kubernetes, common/authentication/kubernetes `GetKubeClient`) builds its client
with `rest.InClusterConfig`, which reads `/var/run/secrets/kubernetes.io/serviceaccount/token`,
and otherwise from a kubeconfig file that a sidecar does not have.

## What happens at runtime

With the token mounted, any process in any container of the pod, the app's included, can call
the Kubernetes API with the ServiceAccount's permissions.

With the token off and a Kubernetes secret store loaded, the store's initialisation fails
(`stat /home/nonroot/.kube/config: no such file or directory`) and daprd exits: the pod never
becomes Ready. A `secretstores.kubernetes` Component with `ignoreErrors: true` is skipped
instead, and every secret request to it fails.

## How to fix

A pod that needs no API token, Dapr or not:

```yaml
metadata:
  annotations:
    dapr.io/disable-builtin-k8s-secret-store: "true"  # only if the app reads no Secrets via Dapr
spec:
  automountServiceAccountToken: false
```

A Dapr app that reads Secrets through a Kubernetes secret store keeps the token and says so
with `automountServiceAccountToken: true`, with a ServiceAccount whose Role grants `get` on
exactly those Secrets. Set `automountServiceAccountToken: false` on ServiceAccounts, and opt in
per pod.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule
from tools.rules.kubernetes._field import as_list, brief
from tools.rules.kubernetes._pods import KINDS, TEMPLATE_PATHS, Path, pod_spec
from tools.rules.security._dapr_sidecar import injects_sidecar
from tools.rules.security._pod_security import PodView, pod_view

AUTOMOUNT = "automountServiceAccountToken"
DEFAULT_ACCOUNT = "default"
TOKEN_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"
DISABLE_BUILTIN = "dapr.io/disable-builtin-k8s-secret-store"
APP_ID = "dapr.io/app-id"
VOLUME_MOUNTS = ("dapr.io/volume-mounts", "dapr.io/volume-mounts-rw")
K8S_STORE_TYPE = "secretstores.kubernetes"
# An annotation longer than this is not searched for a token mount (it never mounts one).
_MAX_MOUNTS_TEXT = 16384

AccountKey = tuple[str | None, str | None, str]  # (profile, namespace, name)


@dataclass(frozen=True)
class _Accounts:
    """The input's ServiceAccounts and which of them pods in the input run as."""

    automount: dict[AccountKey, Any]  # the field as written (None: unset)
    by_name: dict[tuple[str | None, str], AccountKey]  # (profile, name) -> first such account
    used: set[AccountKey]  # (profile, pod namespace, account name)
    used_names: set[tuple[str | None, str]]  # (profile, account name) of any pod


def _account_name(spec: dict[str, Any]) -> str | None:
    """The ServiceAccount the pod runs as; None when the field has the wrong type (the schema
    rules' business). ``serviceAccount`` is the deprecated alias, used only when
    ``serviceAccountName`` is empty (Convert_v1_PodSpec_To_core_PodSpec)."""
    for key in ("serviceAccountName", "serviceAccount"):
        value = spec.get(key)
        if value is None or value == "":
            continue
        return value if isinstance(value, str) else None
    return DEFAULT_ACCOUNT


def _index(bundle: Bundle) -> _Accounts:
    accounts = _Accounts({}, {}, set(), set())
    for r in bundle.resources:
        if r.kind == "ServiceAccount" and r.api_version == "v1" and r.name:
            key = (r.profile, r.namespace, r.name)
            accounts.automount.setdefault(key, r.doc.get(AUTOMOUNT))
            accounts.by_name.setdefault((r.profile, r.name), key)
        elif (r.api_version, r.kind) in TEMPLATE_PATHS:
            pod = pod_spec(r)
            name = _account_name(pod.spec) if pod is not None else None
            if name is not None:
                accounts.used.add((r.profile, r.namespace, name))
                accounts.used_names.add((r.profile, name))
    return accounts


def _accounts(bundle: Bundle) -> _Accounts:
    return bundle.memo("token-automount-accounts", lambda: _index(bundle))


def _find_account(accounts: _Accounts, resource: Resource, name: str) -> AccountKey | None:
    """The pod's ServiceAccount in the input: same profile and namespace; one written without
    a namespace goes wherever it is applied, and so does a pod written without one."""
    exact = (resource.profile, resource.namespace, name)
    if exact in accounts.automount:
        return exact
    if resource.namespace is not None:
        loose = (resource.profile, None, name)
        return loose if loose in accounts.automount else None
    return accounts.by_name.get((resource.profile, name))


_SHOWN_STORES = 3


@dataclass
class _Stores:
    """Kubernetes secret stores daprd loads: the first few names, how many, and whether the
    failure of any of them stops daprd (a store whose errors are not ignored)."""

    labels: list[str] = field(default_factory=list)
    count: int = 0
    exits: bool = False

    def add(self, label: str, exits: bool) -> None:
        if self.count < _SHOWN_STORES:
            self.labels.append(label)
        self.count += 1
        self.exits = self.exits or exits

    def merge(self, other: _Stores) -> None:
        for label in other.labels:
            self.add(label, other.exits)
        self.count += other.count - len(other.labels)

    def describe(self) -> str:
        more = self.count - len(self.labels)
        return ", ".join(self.labels) + (f" and {more} more" if more else "")


def _namespace_stores(bundle: Bundle, resource: Resource) -> dict[str | None, _Stores]:
    """The ``secretstores.kubernetes`` Components of the pod's namespace that need the API
    token (no ``kubeconfigPath``), by the app ID that loads them (None: unscoped, every app);
    built once per namespace, so each pod costs only its own entries."""

    def build() -> dict[str | None, _Stores]:
        by_app: dict[str | None, _Stores] = {}
        for r in dapr_model.group_of(bundle, resource):
            if not dapr_model.is_dapr(r, "Component"):
                continue
            if dapr_model.component_type(r) != K8S_STORE_TYPE:
                continue
            kubeconfig = dapr_model.metadata_value(r, "kubeconfigPath")
            if kubeconfig is not None and (kubeconfig.secret_ref or kubeconfig.text):
                continue
            exits = dapr_model.spec(r).get("ignoreErrors") is not True
            label = f"the secretstores.kubernetes Component '{brief(r.name, 63)}'"
            apps = dapr_model.loading_apps(r)
            for app in [None] if apps is None else sorted(apps):
                by_app.setdefault(app, _Stores()).add(label, exits)
        return by_app

    return bundle.memo(("token-automount-stores", resource.profile, resource.namespace), build)


def _stores(bundle: Bundle, resource: Resource, view: PodView) -> _Stores:
    """The Kubernetes secret stores this Dapr pod's daprd loads."""
    annotations = view.annotations
    stores = _Stores()
    disabled = annotations.get(DISABLE_BUILTIN)
    # A bool annotation of the injector is read with dapr/kit's IsTruthy.
    if not (isinstance(disabled, str) and disabled.strip().lower() in dapr_model.TRUTHY):
        stores.add(f"the built-in secret store '{dapr_model.BUILTIN_SECRET_STORE}'", True)
    app_id = annotations.get(APP_ID)
    if not isinstance(app_id, str) or app_id == "":
        # The injector falls back to the pod's name; a template's pods have generated names.
        app_id = resource.name if view.pod.is_pod else None
    components = _namespace_stores(bundle, resource)
    for app in (None, app_id) if app_id is not None else (None,):
        if app in components:
            stores.merge(components[app])
    return stores


def _daprd_mounts_token(view: PodView) -> bool:
    """Whether ``dapr.io/volume-mounts(-rw)`` mounts one of the pod's volumes into daprd at the
    API token's directory (parseVolumeMountsString: ``name:path`` pairs split by commas)."""
    volumes = {v.get("name") for v in as_list(view.spec.get("volumes")) if isinstance(v, dict)}
    for key in VOLUME_MOUNTS:
        text = view.annotations.get(key)
        if not isinstance(text, str) or len(text) > _MAX_MOUNTS_TEXT:
            continue
        for entry in text.split(","):
            parts = entry.strip().split(":")
            if len(parts) == 2 and parts[0] in volumes and parts[1].rstrip("/") == TOKEN_DIR:
                return True
    return False


def _check_pod(resource: Resource, bundle: Bundle, view: PodView) -> Iterator[Finding]:
    spec = view.spec
    own = spec.get(AUTOMOUNT)
    name = _account_name(spec)
    if (own is not None and not isinstance(own, bool)) or name is None:
        return
    accounts = _accounts(bundle)
    key = _find_account(accounts, resource, name)
    account_value = accounts.automount.get(key) if key is not None else None
    from_account = account_value if isinstance(account_value, bool) else None
    mounted = own if own is not None else (from_account if from_account is not None else True)
    shown = f"ServiceAccount '{brief(name, 63)}'"
    dapr = injects_sidecar(view)
    stores = _stores(bundle, resource, view) if dapr else _Stores()

    if stores.count and not mounted and not _daprd_mounts_token(view):
        why = (
            f"{AUTOMOUNT}: false on the pod"
            if own is False
            else f"its {shown} sets {AUTOMOUNT}: false"
        )
        names = stores.describe()
        outcome = (
            "its initialisation fails and daprd exits, so the pod never becomes Ready"
            if stores.exits
            else "its initialisation fails and daprd skips it (ignoreErrors), so every secret "
            "request to it fails"
        )
        path: Path = (*view.pod.path, AUTOMOUNT if own is False else "serviceAccountName")
        yield RULE.finding(
            resource,
            f"daprd loads {names}, which reads the Kubernetes API token from {TOKEN_DIR}, but "
            f"the pod gets none ({why}): {outcome}. If the app reads no Secrets through Dapr, "
            f'set the annotation {DISABLE_BUILTIN}: "true" (and keep the app out of the '
            f"secretstores.kubernetes scopes); otherwise set {AUTOMOUNT}: true on the pod",
            path,
            severity=Severity.ERROR,
        )
        return
    if not mounted or own is True:
        return
    if key is None:
        account = (
            f"its {shown} is not in the input, and a ServiceAccount ('default' included) mounts "
            "it unless it sets the field to false"
        )
    elif from_account is True:
        account = f"its {shown} sets {AUTOMOUNT}: true"
    else:
        account = f"its {shown} does not set {AUTOMOUNT}"
    head = (
        f"the pod leaves {AUTOMOUNT} unset and {account}, so a Kubernetes API token with the "
        "ServiceAccount's permissions is mounted into every container"
    )
    if stores.count:
        advice = (
            f"daprd needs it for {stores.describe()}, so do not simply turn it "
            f"off (daprd would exit): opt in with {AUTOMOUNT}: true, or, if the app reads no "
            f'Secrets through Dapr, set {DISABLE_BUILTIN}: "true" and {AUTOMOUNT}: false'
        )
    elif dapr:
        advice = (
            "daprd does not need it (its sentry identity comes from its own projected token, "
            f"and no Kubernetes secret store is loaded): set {AUTOMOUNT}: false on the pod"
        )
    else:
        advice = f"set {AUTOMOUNT}: false on the pod, or true if it calls the Kubernetes API"
    yield RULE.finding(resource, f"{head}. {advice}", (*view.pod.path, AUTOMOUNT))


def _check_account(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    value = resource.doc.get(AUTOMOUNT)
    if value is False or (value is not None and not isinstance(value, bool)) or not resource.name:
        return
    accounts = _accounts(bundle)
    profile, name = resource.profile, resource.name
    users = {(profile, resource.namespace, name), (profile, None, name)}
    if users & accounts.used:
        return  # the pods that run as it are reported, with this account named
    if resource.namespace is None and (profile, name) in accounts.used_names:
        return
    state = f"sets {AUTOMOUNT}: true" if value is True else f"does not set {AUTOMOUNT}"
    yield RULE.finding(
        resource,
        f"ServiceAccount {state}: every pod that runs as it and leaves the field unset gets a "
        "Kubernetes API token with its permissions mounted into every container. Set "
        f"{AUTOMOUNT}: false here and {AUTOMOUNT}: true on the pods that need it (a Dapr pod "
        "whose daprd loads a Kubernetes secret store, the built-in 'kubernetes' one unless "
        f"{DISABLE_BUILTIN} is set, needs it)",
        (AUTOMOUNT,),
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.kind == "ServiceAccount":
        if resource.api_version == "v1":
            yield from _check_account(resource, bundle)
        return
    view = pod_view(resource)
    if view is not None:
        yield from _check_pod(resource, bundle, view)


RULE = Rule(
    id="security-token-automount",
    category="security",
    severity=Severity.WARNING,
    summary="pod gets a Kubernetes API token without opting in (Dapr-aware)",
    check=check,
    modes="kubernetes",
    kinds=KINDS | {"ServiceAccount"},
    severity_note=(
        "error when a Dapr pod turns the token off (itself or through its ServiceAccount) "
        "while daprd loads a Kubernetes secret store, which then fails and stops daprd"
    ),
)
