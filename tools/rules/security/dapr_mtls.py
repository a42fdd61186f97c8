"""A Dapr `Configuration` sets `spec.mtls`, where it either turns off mTLS between sidecars or
does nothing at all:

- in the Configuration named `daprsystem` (the one the Dapr control plane reads in its own
  namespace), `mtls.enabled: false` makes every sidecar injected from then on talk to other
  sidecars in plain text;
- in any other Configuration (an app's, named by the pod annotation `dapr.io/config`), daprd
  never reads `spec.mtls`: the fields have no effect, and `enabled: false` is silently replaced
  by whatever `daprsystem` says (mTLS on, by default).

## Why

The sidecar injector decides mTLS for each pod it patches: `mTLSEnabled` in
`pkg/injector/service/pod_patch.go` (dapr/dapr 1.16 to 1.18) reads the Configuration called
`daprsystem` in the control-plane namespace and calls `MTLSSpec.GetEnabled`
(`pkg/apis/configuration/v1alpha1/types.go`), which is true unless `enabled` is written
`false`. Only then does `getSidecarContainer` (`pkg/injector/patcher/sidecar_container.go`)
pass `--enable-mtls` to daprd. daprd takes mTLS from that flag alone
(`security.New` in `pkg/security/security.go`): `Configuration.GetMTLSSpec` in
`pkg/config/configuration.go` has no caller, so the `mtls` section of the Configuration a
sidecar loads is decoded and dropped. Sentry and the operator read `daprsystem` too
(`pkg/sentry/config/config.go`, `pkg/operator/config.go`), never an app's Configuration.

## What happens at runtime

With `enabled: false` in `daprsystem`, the injector leaves out `--enable-mtls`.
`GRPCServerOptionMTLS` then serves daprd's internal gRPC port (50002, service invocation and
actors) without TLS. `GRPCDialOptionMTLSUnknownTrustDomain` dials other sidecars in plain
text. Any pod that can reach port 50002 can call the app's methods, and nobody checks whose
sidecar is on the other end. Access control policies stop working too: `ApplyAccessControlPolicies`
(`pkg/acl/acl.go`) finds no SPIFFE ID on a plain-text call, so only the global `defaultAction`
applies and no app-specific policy ever matches. Pods injected earlier keep their flag until
they are recreated. Towards sentry and the operator daprd keeps using its certificate.

In an app Configuration the section changes nothing, without a log line.

## How to fix

Leave mTLS on: remove `enabled: false` from `daprsystem` (in the Dapr Helm chart, the value
`global.mtls.enabled`), then restart the Dapr apps so the injector patches them again. If a
service mesh already encrypts pod traffic, keep Dapr's mTLS anyway: only Dapr's certificates
carry the app identity that access control policies match. Remove `mtls` from app
Configurations; mTLS settings belong in `daprsystem` only:

```yaml
apiVersion: dapr.io/v1alpha1
kind: Configuration
metadata: {name: daprsystem, namespace: dapr-system}
spec:
  mtls:
    enabled: true
```
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule

# The Configuration the injector reads (defaultConfig in pkg/injector/service/pod_patch.go).
SYSTEM_CONFIGURATION = "daprsystem"


def _system(resource: Resource) -> Iterator[Finding]:
    if dm.dig(resource.doc, "spec", "mtls", "enabled") is not False:
        return
    namespace = resource.namespace or "default"
    yield RULE.finding(
        resource,
        f"mTLS is disabled in the Dapr system Configuration 'daprsystem' (namespace "
        f"'{namespace}'): if Dapr is installed in that namespace, the sidecar injector starts "
        "every sidecar it patches from now on without --enable-mtls, and daprd serves service "
        "invocation (internal gRPC port 50002) in plain text to any pod that can reach it. "
        "Access control policies cannot identify callers without a certificate, so only their "
        "defaultAction applies. Remove `enabled: false` (Dapr Helm value global.mtls.enabled) "
        "and restart the Dapr apps",
        ("spec", "mtls", "enabled"),
    )


def _app(resource: Resource, mtls: dict[str, object]) -> Iterator[Finding]:
    if not mtls:
        return
    fields = ", ".join(sorted(str(k) for k in mtls))
    where = (
        f"Only the Configuration '{SYSTEM_CONFIGURATION}' in the namespace Dapr is installed in "
        "decides mTLS, when the injector patches a pod"
    )
    if mtls.get("enabled") is False:
        yield RULE.finding(
            resource,
            "mtls.enabled is false in an app Configuration, which daprd never reads: the "
            "setting is silently ignored and the sidecars of apps using it keep mTLS as "
            f"'{SYSTEM_CONFIGURATION}' sets it (on by default). {where}. Remove the mtls "
            "section",
            ("spec", "mtls", "enabled"),
        )
        return
    yield RULE.finding(
        resource,
        f"spec.mtls ({fields}) in an app Configuration has no effect: daprd never reads it, "
        f"and sentry and the injector read '{SYSTEM_CONFIGURATION}' only. {where}. Remove "
        "the mtls section",
        ("spec", "mtls"),
        severity=Severity.WARNING,
    )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Configuration"):
        return
    mtls = dm.dig(resource.doc, "spec", "mtls")
    if not isinstance(mtls, dict):
        return
    if resource.name == SYSTEM_CONFIGURATION:
        yield from _system(resource)
    else:
        yield from _app(resource, mtls)


RULE = Rule(
    id="security-dapr-mtls",
    category="security",
    severity=Severity.ERROR,
    summary="Dapr Configuration turns mTLS off (daprsystem) or sets mTLS where it is ignored",
    check=check,
    kinds=frozenset({"Configuration"}),
    severity_note=(
        "error for `enabled: false` in `daprsystem` (plain-text service invocation) and in an "
        "app Configuration (the written value is silently replaced by daprsystem's); warning "
        "for other mtls fields in an app Configuration, which have no effect"
    ),
)
