"""A Component metadata field that holds a secret (a password, token, client secret, private key,
or a connection string with a password in it) is given as a literal `value`.

## Why

Dapr keeps Component metadata as plain text in the Component object. Anyone who can
`kubectl get components -o yaml` in the namespace can read it, and so can anyone with the
values file, the rendered manifests, the Helm release record or a CI log. Dapr never encrypts
it.

A field counts as sensitive when the component catalog marks it so, or when its name says so
(`...Password`, `...Secret`, `...Token`, `accessKey`, `clientKey`, `connectionString`...). The
name check also covers fields the upstream metadata files forget to mark, such as PostgreSQL
`password`. A connection string or URL counts only when it embeds a credential. A file name in
a key field (`privateKey: keys/app.pem`) is a path, not a key.

## What happens at runtime

Nothing breaks. The component works, and the secret has leaked.

## How to fix

Put the value in a Kubernetes Secret, created outside the chart, and reference it:

```yaml
  metadata:
    - name: saslPassword
      secretKeyRef:
        name: kafka-secrets
        key: password
```

The message shows only the field and the length of the value (`"****" (18 characters)`), never
the value itself.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dapr_model.is_dapr(resource, "Component"):
        return
    for item in dapr_model.literal_secrets(resource):
        yield RULE.finding(
            resource,
            f"metadata '{item.name}' is a secret given as a literal value "
            f"{dapr_model.describe_secret(item.text)}: anyone who can read the Component "
            "(kubectl get components, the chart's values, CI logs) can read it. Move it to a "
            f"Kubernetes Secret and reference it: `- name: {item.name}` with "
            "`secretKeyRef: {name: <secret>, key: <key>}`",
            ("spec", "metadata", item.index, "value"),
        )


RULE = Rule(
    id="security-inline-secret",
    category="security",
    severity=Severity.ERROR,
    summary="a sensitive Component metadata field (password, token, key...) has a literal value",
    check=check,
    kinds=frozenset({"Component"}),
)
