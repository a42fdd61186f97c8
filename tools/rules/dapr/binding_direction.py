"""A binding ``direction`` naming only directions the binding type is not registered for."""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resources import Resource
from tools.dapr import model as dm
from tools.dapr.registry import load_registry
from tools.dapr.releases import release_of
from tools.rules import Bundle, Rule
from tools.secrets.text import is_placeholder

_DIRECTIONS = ("input", "output")


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_ = dm.component_type(resource)
    if not type_.startswith("bindings."):
        return
    reg = load_registry(release=release_of(bundle.options)).get(type_)
    if reg is None or not reg.directions:
        return
    for item in dm.metadata_items(resource):
        if item.name.lower() != "direction" or item.secret_ref is not None:
            continue
        if not item.has_value or isinstance(item.value, dict | list) or is_placeholder(item.text):
            continue
        wanted = [p.strip().lower() for p in item.text.split(",")]
        named = [d for d in _DIRECTIONS if d in wanted]
        if not named:
            continue  # dapr-metadata-value reports a value that names no direction
        registered = [d for d in named if d in reg.directions]
        only = " and ".join(reg.directions)
        where = ", ".join(f"cmd/daprd/components/{f}" for f in reg.files)
        path = ("spec", "metadata", item.index, "value")
        if not registered:
            yield RULE.finding(
                resource,
                f'{type_} is registered only as {only} binding ({where}), but "direction" is '
                f'"{item.text}": daprd initialises neither side, logs no error, and the '
                f'binding is silently not loaded. Set direction to "{only}" or remove it.',
                path,
            )
            continue
        extra = [d for d in named if d not in reg.directions]
        if extra:
            yield RULE.finding(
                resource,
                f"{type_} has no {' or '.join(extra)} side ({where} registers it as {only} "
                f'only): "{", ".join(extra)}" in "direction" has no effect.',
                path,
                severity=Severity.WARNING,
            )


RULE = Rule(
    id="dapr-binding-direction",
    category="dapr",
    severity=Severity.ERROR,
    summary="Binding direction naming none of the binding's registered directions",
    check=check,
    explanation="daprd initialises a binding's input side only if it is registered as an "
    "input binding and the direction metadata (when given) names input, and likewise for "
    "output; naming only an unregistered side loads nothing, without an error.",
    kinds=frozenset({"Component"}),
)
