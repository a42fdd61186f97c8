"""security-secret-in-value: credentials in a URL, a private key or a token in any value."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule
from tools.secrets.text import find_secrets_in_text

# Kinds whose values are read as configuration; Secrets have their own rule.
_CONFIG_KINDS = frozenset({"ConfigMap"})


def _strings(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))


def _roots(resource: Resource) -> Sequence[tuple[str, Any]]:
    if dapr_model.is_dapr(resource):
        return [(k, resource.doc.get(k)) for k in ("spec", "auth") if k in resource.doc]
    if resource.group == "" and resource.kind in _CONFIG_KINDS:
        return [(k, resource.doc.get(k)) for k in ("data",) if k in resource.doc]
    return []


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    already = {("spec", "metadata", i.index, "value") for i in dapr_model.literal_secrets(resource)}
    for key, root in _roots(resource):
        for path, text in _strings(root, (key,)):
            if path in already:
                continue  # security-inline-secret reports the whole field
            kinds = sorted({kind for kind, _secret in find_secrets_in_text(text)})
            if not kinds:
                continue
            yield RULE.finding(
                resource,
                f"value holds {' and '.join(kinds)}; it is stored and shown in plain text with "
                "the resource. Put the credential in a Kubernetes Secret and reference it "
                "(Component metadata: secretKeyRef), or use an authentication method without "
                "an inline credential",
                path,
            )


RULE = Rule(
    id="security-secret-in-value",
    category="security",
    severity=Severity.ERROR,
    summary="a value contains a URL password, a private key, a known token format or a "
    "high-entropy token",
    check=check,
    explanation=(
        "A connection URL with user:password@, a PEM private key or an API token pasted into a "
        "Dapr resource or ConfigMap is stored unencrypted and readable by anyone who can read "
        "that resource."
    ),
)
