"""kubernetes-pod-resources: container quantities that decode, are not negative, and requests
that do not exceed limits (validateResourceRequirements)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods
from tools.rules.kubernetes._quantity import PATTERN, Unknown, parse_quantity

Path = tuple[str | int, ...]
# Resources that may be overcommitted: a request below its limit is fine, above it is not.
COMPARED = ("cpu", "memory", "ephemeral-storage")


def _quantities(path: Path, block: Any) -> Iterator[tuple[str, Fraction | None, str | None, Path]]:
    """(resource, value or None when unknown, error message, path) for each entry."""
    for name, raw in f.as_dict(block).items():
        where = (*path, name)
        try:
            value = parse_quantity(raw)
        except Unknown:
            yield str(name), None, None, where
            continue
        if value is None:
            if raw is None:
                continue
            detail = f"quantities must match the regular expression '{PATTERN}'"
            yield str(name), None, f.invalid((*path, f.Key(str(name))), raw, detail), where
        elif value < 0:
            yield (
                str(name),
                value,
                f.invalid((*path, f.Key(str(name))), raw, "must be greater than or equal to 0"),
                where,
            )
        else:
            yield str(name), value, None, where


def _container(container: _pods.Container) -> Iterator[tuple[str, Path]]:
    resources = f.as_dict(container.body.get("resources"))
    base = (*container.path, "resources")
    limits: dict[str, Fraction] = {}
    for name, value, error, where in _quantities((*base, "limits"), resources.get("limits")):
        if error:
            yield error, where
        elif value is not None:
            limits[name] = value
    requests = resources.get("requests")
    for name, value, error, where in _quantities((*base, "requests"), requests):
        if error:
            yield error, where
        elif value is not None and name in COMPARED and name in limits and value > limits[name]:
            shown = f.as_dict(requests).get(name)
            limit = f.as_dict(resources.get("limits")).get(name)
            detail = f"must be less than or equal to {name} limit of {limit}"
            yield f.invalid((*base, "requests"), str(shown), detail), where


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    for message, where in _pods.each_container(resource, _container):
        yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-resources",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="container resources: valid quantities, not negative, requests at most limits",
    check=check,
    explanation=(
        "Mirrors the quantity decoding and validateResourceRequirements: a request of cpu, "
        "memory or ephemeral-storage above its limit, a negative quantity, or text that is not a "
        'quantity ("1 GB", "500M B") is refused.'
    ),
    kinds=_pods.KINDS,
)
