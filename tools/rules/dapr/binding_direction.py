"""A binding's `direction` metadata names only a side (input or output) the binding type is not
registered for, or names one such side besides a registered one.

## Why

daprd registers each binding type as an input binding, an output binding or both
(`RegisterInputBinding` / `RegisterOutputBinding` in `cmd/daprd/components/bindings_*.go`,
recorded as `directions` in `schemas/dapr-components/registry.json`). `bindings.cron` is input
only; `bindings.http` is output only.

## What happens at runtime

`binding.Init` (`pkg/runtime/processor/binding/binding.go`) initialises the input side when
the type is registered as input and `isBindingOfDirection` accepts "input", then the output
side likewise. `isBindingOfDirection` finds the `direction` item case-insensitively and
splits its value on commas; without the item every registered side loads. When the item
names only unregistered sides, both checks fail, `Init` returns no error, and the component is
silently not loaded: a cron binding with `direction: output` never fires. A side named in
addition to a registered one is simply ignored.

## How to fix

Set `direction` to the sides the binding has (`input` for `bindings.cron`), or remove the
item to load every registered side.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.rules import Bundle, Rule
from tools.secrets.text import is_placeholder

_DIRECTIONS = ("input", "output")


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_ = dm.component_type(resource)
    if not type_.startswith("bindings."):
        return
    reg = bundle.dapr.registry.get(type_)
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
    severity_note="; warning when only part of the list is unusable",
    summary="Binding direction naming none of the binding's registered directions",
    check=check,
    kinds=frozenset({"Component"}),
)
