"""A value in a Dapr resource (Component, Subscription, Configuration, HTTPEndpoint...) or a
ConfigMap contains a credential:

- a URL with a password: `amqp://user:password@host`, `postgres://app:pw@db/todo`, or a Go MySQL
  DSN `user:password@tcp(host)/db`;
- a `password=` / `AccountKey=` / `SharedAccessKey=` pair in a connection string;
- a PEM **private** key block (certificates and public keys are fine);
- a credential with a documented shape: an AWS access key ID (`AKIA`/`ASIA` and 16 upper-case
  letters or digits), a GitHub token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), a
  Slack token (`xoxa-`, `xoxb-`, `xoxp-`, `xoxr-`), a Google API key (`AIza` and 35 characters),
  a Stripe live secret key (`sk_live_`) or a JSON Web Token (three base64url parts, the first
  starting `eyJ`). Each must stand alone: inside a longer word it is not reported;
- a high-entropy token: 20 or more characters mixing upper case, lower case and digits, with
  about 4 bits of entropy per character (API keys, JWTs, bot tokens). Hex digests, UUIDs and
  host names are not counted.

## Why

These values end up in plain text in the cluster, in the rendered manifests and in the Helm
release. `security-inline-secret` covers fields that are secret by name; this rule catches a
credential hidden in a field that is not, such as a RabbitMQ `host` URL or an HTTPEndpoint header.

## What happens at runtime

It works, and the credential has leaked.

## How to fix

Move the credential into a Kubernetes Secret. In a Component, give the whole URL or connection
string as `secretKeyRef`, or use the component's separate `username`/`password` fields with
`secretKeyRef`. For HTTPEndpoint headers use `secretKeyRef` too. In a ConfigMap, move the key
to a Secret.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dapr_model
from tools.rules import Bundle, Rule
from tools.secrets.text import find_secrets_in_text

# Kinds whose values are read as configuration; Secrets have their own rule.
_CONFIG_KINDS = frozenset({"ConfigMap"})


_JsonPath = tuple[str | int, ...]


def _strings(node: Any, path: _JsonPath) -> list[tuple[_JsonPath, str]]:
    """Every string under ``node`` with its path, in document order."""
    found: list[tuple[_JsonPath, str]] = []
    _collect(node, path, found)
    return found


def _collect(node: Any, path: _JsonPath, found: list[tuple[_JsonPath, str]]) -> None:
    """Appends to ``found`` rather than yielding: nested generators cost time per level."""
    if isinstance(node, str):
        found.append((path, node))
    elif isinstance(node, dict):
        for key, value in node.items():
            _collect(value, (*path, str(key)), found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _collect(value, (*path, index), found)


# Values up to this length are cached: the same hosts, routes and flags recur in resource
# after resource, while a long value (a certificate, a script) rarely does.
_CACHED_LENGTH = 1024


def _secret_kinds(text: str) -> tuple[str, ...]:
    """What kinds of secret ``text`` holds, sorted."""
    if len(text) > _CACHED_LENGTH:
        return _scan(text)
    return _cached_scan(text)


def _scan(text: str) -> tuple[str, ...]:
    return tuple(sorted({kind for kind, _secret in find_secrets_in_text(text)}))


_cached_scan = lru_cache(maxsize=4096)(_scan)


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
            kinds = _secret_kinds(text)
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
)
