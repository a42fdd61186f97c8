"""An HTTPEndpoint `spec.clientTLS` that daprd cannot build:

- a `privateKey` without a `certificate`, or a `certificate` without a `privateKey`;
- neither `rootCA` nor `privateKey`;
- an inline `value` that is not a PEM document Go loads (no `CERTIFICATE` block for `rootCA`
  and `certificate`, no `PRIVATE KEY` block for `privateKey`, or base64 that does not decode to
  DER);
- `value` and `secretKeyRef` on the same document.

## Why

`(*Channels).getHTTPEndpointAppChannel` in `pkg/runtime/channels/channels.go` (dapr/dapr 1.18)
builds a TLS config only from `rootCA` (`x509.CertPool.AppendCertsFromPEM`) and from a private
key, which it loads with `tls.X509KeyPair` together with `certificate` without checking that
the certificate is there. It then sets `renegotiation`, which the HTTPEndpoint CRD defaults to
`Never`, on that config even when none was built. The secret processor
(`pkg/runtime/processor/secret/secret.go`, `ProcessResource`) replaces a value when a
`secretKeyRef` is set.

## What happens at runtime

- Key without certificate, or a TLS block with neither root CA nor key: a nil dereference, and
  the sidecar crashes.
- Certificate without key: the client certificate is never presented; servers that require
  mutual TLS refuse the calls.
- Bad PEM: `Refresh` fails; daprd logs "failed to open ... channel to app" and runs without any
  HTTPEndpoint channel and without its app channel.

The check is structural (PEM framing, base64, the outer DER sequence); it does not verify that
the key matches the certificate. Messages never include the PEM content.

## How to fix

Give `certificate` and `privateKey` together, preferably from a Secret:

```yaml
clientTLS:
  rootCA: {secretKeyRef: {name: payments-tls, key: ca.crt}}
  certificate: {secretKeyRef: {name: payments-tls, key: tls.crt}}
  privateKey: {secretKeyRef: {name: payments-tls, key: tls.key}}
```
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule
from tools.secrets.pem import certificate_problem, private_key_problem

_BASE = ("spec", "clientTLS")
_NO_CHANNELS = (
    "daprd cannot build the endpoint channels; it logs a warning and then runs without any "
    "HTTPEndpoint channel and without its app channel"
)


def _present(doc: Any) -> bool:
    """A PEM document with a value or a secret reference (what daprd ends up with)."""
    if not isinstance(doc, dict):
        return False
    ref = doc.get("secretKeyRef")
    return doc.get("value") is not None or (isinstance(ref, dict) and bool(ref.get("name")))


def _inline(doc: Any) -> str | None:
    if not isinstance(doc, dict) or doc.get("value") is None:
        return None
    ref = doc.get("secretKeyRef")
    if isinstance(ref, dict) and ref.get("name"):
        return None  # the secret replaces the value; the value is reported below
    return dm.stringify(doc["value"])


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "HTTPEndpoint"):
        return
    tls = dm.spec(resource).get("clientTLS")
    if not isinstance(tls, dict):
        return
    root, cert, key = (tls.get(name) for name in ("rootCA", "certificate", "privateKey"))
    if _present(key) and not _present(cert):
        yield RULE.finding(
            resource,
            "clientTLS has a privateKey but no certificate: daprd reads the certificate of the "
            "pair without checking it is there, and the sidecar crashes (nil dereference) when "
            "it builds the endpoint channels. Add the matching certificate.",
            (*_BASE, "privateKey"),
        )
    elif _present(cert) and not _present(key):
        yield RULE.finding(
            resource,
            "clientTLS has a certificate but no privateKey: daprd loads a client certificate "
            "only together with its key, so this certificate is silently never presented and "
            "servers requiring mutual TLS refuse the calls. Add privateKey.",
            (*_BASE, "certificate"),
        )
    if not _present(root) and not _present(key):
        yield RULE.finding(
            resource,
            "clientTLS has neither rootCA nor privateKey, so daprd creates no TLS config; on "
            "Kubernetes the CRD defaults renegotiation to Never, which daprd then writes into "
            "that missing config and the sidecar crashes (nil dereference). Remove clientTLS or "
            "add rootCA / certificate + privateKey.",
            _BASE,
        )
    for name, doc in (("rootCA", root), ("certificate", cert), ("privateKey", key)):
        if isinstance(doc, dict) and doc.get("value") is not None:
            ref = doc.get("secretKeyRef")
            if isinstance(ref, dict) and ref.get("name"):
                yield RULE.finding(
                    resource,
                    f"clientTLS.{name} has both value and secretKeyRef: the secret silently "
                    "replaces the value. Keep one of them.",
                    (*_BASE, name),
                )
        text = _inline(doc)
        if text is None:
            continue
        problem = private_key_problem(text) if name == "privateKey" else certificate_problem(text)
        if problem:
            yield RULE.finding(
                resource,
                f"clientTLS.{name} value {problem}: {_NO_CHANNELS}. Paste the whole PEM "
                "document, BEGIN and END lines included (better: a secretKeyRef).",
                (*_BASE, name, "value"),
            )


RULE = Rule(
    id="dapr-httpendpoint-tls",
    category="dapr",
    severity=Severity.ERROR,
    summary="HTTPEndpoint clientTLS that daprd cannot build (halves, PEM, empty block)",
    check=check,
    kinds=frozenset({"HTTPEndpoint"}),
)
