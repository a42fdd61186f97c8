"""dapr-httpendpoint-url: an HTTPEndpoint ``baseUrl`` is used verbatim as the prefix of every
request URL, so it needs an http(s) scheme and a host."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
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
    summary="HTTPEndpoint baseUrl without an http(s) scheme and host",
    check=check,
    explanation="The HTTP channel writes baseUrl, then '/', then the method into the request "
    "URL without parsing or normalising it.",
    kinds=frozenset({"HTTPEndpoint"}),
)
