"""security-secret-data: a Kubernetes Secret with data or stringData in the output."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
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
    explanation=(
        "Secret values in rendered manifests leak through the Helm release (stored in the "
        "cluster), CI artifacts and git. The chart references Secrets; it never ships them."
    ),
    kinds=frozenset({"Secret"}),
)
