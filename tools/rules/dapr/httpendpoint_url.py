"""An HTTPEndpoint `spec.baseUrl` without an `http://` or `https://` scheme, without a host, with
white space, or with a query or fragment; a trailing `/` is a warning.

## Why

daprd never parses `baseUrl`. `(*Channel).constructRequest` in `pkg/channel/http/http_channel.go`
(dapr/dapr 1.18) writes it into the request URL as text, then `/` and the invoked method.

## What happens at runtime

Every call through the endpoint fails when the URL has no scheme or host (the HTTP client
refuses it), or reaches the wrong place when the method is appended after a query. A trailing
slash gives `https://host//method`.

## How to fix

`baseUrl: https://api.example.com` (scheme and host, path prefix allowed, no trailing slash).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule


def _problem(url: str) -> str | None:
    if url != url.strip() or any(c.isspace() for c in url):
        return "contains white space"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a URL"
    if parts.scheme.lower() not in {"http", "https"}:
        return 'has no http:// or https:// scheme (e.g. "https://api.example.com")'
    if not parts.netloc:
        return "has no host"
    if parts.query or parts.fragment:
        return "has a query or fragment, after which the method would be appended"
    return None


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "HTTPEndpoint"):
        return
    url = dm.spec(resource).get("baseUrl")
    if not isinstance(url, str):
        return  # missing or mistyped: the CRD schema reports it
    path = ("spec", "baseUrl")
    problem = _problem(url)
    if problem:
        yield RULE.finding(
            resource,
            f"baseUrl {problem}: daprd joins it with the invoked method as plain text, so calls "
            "through this endpoint fail or reach the wrong URL.",
            path,
        )
    elif url.endswith("/"):
        yield RULE.finding(
            resource,
            "baseUrl ends with '/': daprd adds a '/' before the method, so requests go to "
            "'//<method>', which many servers route differently. Drop the trailing slash.",
            path,
            severity=Severity.WARNING,
        )


RULE = Rule(
    id="dapr-httpendpoint-url",
    category="dapr",
    severity=Severity.ERROR,
    severity_note=" (warning for a trailing slash)",
    summary="HTTPEndpoint baseUrl without an http(s) scheme and host",
    check=check,
    kinds=frozenset({"HTTPEndpoint"}),
)
