"""A binding's `direction` metadata names neither input nor output (`both`, an empty value),
names only a side the binding type is not registered for, names such a side besides a
registered one, or holds a part that is not a direction (`input, outptu`).

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
names only unregistered sides, or no side at all (`both`, an empty value), both checks fail,
`Init` returns no error, and the component is silently not loaded: a cron binding with
`direction: output` never fires. The component's own `Init` is never called then, so a missing
or bad `schedule` fails nothing (`dapr-required-metadata` and `dapr-metadata-value` stay quiet
for such a binding). A side named in addition to a registered one is simply ignored (warning);
a part that is not a direction is ignored too, so the side it was meant to name is silently
not loaded (error).

## How to fix

Set `direction` to the sides the binding has (`input` for `bindings.cron`), or remove the
item to load every registered side.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.binding_sides import DIRECTIONS, accepted_sides, direction_parts
from tools.dapr.metadata_values import is_templated
from tools.rules import Bundle, Rule
from tools.secrets.text import is_placeholder


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not dm.is_dapr(resource, "Component"):
        return
    type_ = dm.component_type(resource)
    if not type_.startswith("bindings."):
        return
    reg = bundle.dapr.registry.get(type_)
    if reg is None or not reg.directions:
        return
    # With several direction items isBindingOfDirection accepts a side any of them names.
    loaded = accepted_sides(resource, reg.directions)
    inert = not loaded  # None (known at run time only) is judged item by item below
    only = " and ".join(reg.directions)
    where = ", ".join(f"cmd/daprd/components/{f}" for f in reg.files)
    for item in dm.metadata_items(resource):
        if item.name.lower() != "direction" or item.secret_ref is not None:
            continue
        if item.env_ref is not None or isinstance(item.value, dict | list):
            continue
        if is_placeholder(item.text) or is_templated(item.text):
            continue
        path = ("spec", "metadata", item.index, "value")
        parts = [p for p in direction_parts(item.text) if p]
        named = [d for d in DIRECTIONS if d in parts]
        unknown = [p for p in parts if p not in DIRECTIONS]
        if not named:
            if not inert:
                continue
            yield RULE.finding(
                resource,
                f'"direction" is "{item.text}", which names neither input nor output: daprd '
                "splits it on commas, matches no side, initialises neither, logs no error, and "
                "the binding is silently not loaded. Set direction to "
                f'"{", ".join(reg.directions)}" or remove it.',
                path,
            )
            continue
        registered = [d for d in named if d in reg.directions]
        if not registered:
            if not inert:
                continue
            yield RULE.finding(
                resource,
                f'{type_} is registered only as {only} binding ({where}), but "direction" is '
                f'"{item.text}": daprd initialises neither side, logs no error, and the '
                f'binding is silently not loaded. Set direction to "{only}" or remove it.',
                path,
            )
            continue
        if unknown:
            listed = ", ".join(f'"{p}"' for p in unknown)
            yield RULE.finding(
                resource,
                f'"direction" holds {listed}, which is not input or output: daprd ignores it '
                f"and initialises only the {' and '.join(registered)} side, silently. Write "
                '"input", "output" or "input, output".',
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
    summary="Binding direction naming none of the binding's registered directions, or no direction",
    check=check,
    kinds=frozenset({"Component"}),
)
