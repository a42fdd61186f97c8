"""The manifests include a Kubernetes `Secret` with `data` or `stringData`.

## Why

A Secret inside a chart means its values are in the values file or the templates, and in every
rendered manifest, CI artifact and Helm release record (Helm stores the rendered release in the
cluster). Base64 in `data` is an encoding, not encryption.

## What happens at runtime

The Secret is created, and its values are readable wherever the chart or its output lives.

## How to fix

Create the Secret outside the chart: `kubectl create secret generic kafka-secrets
--from-literal=...`, External Secrets Operator, Sealed Secrets, or OCI Vault. Then reference it by
name from `secretKeyRef`. The message lists the keys of the Secret, never the values.

## Self-hosted

With `--dapr-mode self-hosted` the finding stays, with another reason: daprd's disk loader
(`decodeYaml` in `pkg/internal/loader/disk/manifest.go`, dapr/dapr 1.16–1.18) reads only the
Dapr kinds of the resources path and skips a `Secret`, so its values serve no component and only
sit in plain text in the folder. Put them in the file a `secretstores.local.file` component
reads (kept out of version control), or in environment variables for `secretstores.local.env`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.rules import Bundle, Rule


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.group != "" or resource.kind != "Secret":
        return
    for section in ("data", "stringData"):
        block = resource.doc.get(section)
        if not isinstance(block, dict) or not block:
            continue
        keys = ", ".join(sorted(str(k) for k in block))
        if bundle.context.dapr_mode == "self-hosted":
            yield RULE.finding(
                resource,
                f"Secret carries {section} ({len(block)} key{'s' * (len(block) != 1)}: {keys}) "
                "in plain text; daprd does not read a Secret from a resources path (only Dapr "
                "kinds), so no component can use it. Keep the values in a secretstores.local.file "
                "file outside version control, or in environment variables "
                "(secretstores.local.env)",
                (section,),
            )
            continue
        yield RULE.finding(
            resource,
            f"Secret carries {section} ({len(block)} key{'s' * (len(block) != 1)}: {keys}); "
            "the values end up in the chart output, the Helm release record and wherever the "
            "manifest is stored. Create the Secret outside the chart (kubectl, External Secrets, "
            "Sealed Secrets) and reference it by name",
            (section,),
        )


RULE = Rule(
    id="security-secret-data",
    category="security",
    severity=Severity.ERROR,
    summary="a Kubernetes Secret with data or stringData is part of the manifests",
    check=check,
    kinds=frozenset({"Secret"}),
)
