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
