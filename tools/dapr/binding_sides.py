"""Which sides of a binding Component daprd initialises, as ``binding.Init`` decides it.

``binding.Init`` (``pkg/runtime/processor/binding/binding.go``, dapr/dapr 1.16–1.18) calls
``initInputBinding`` when the type is registered as an input binding and ``initOutputBinding``
when it is registered as an output binding. Each returns at once, before the component's
``Init`` is called, when ``isBindingOfDirection`` refuses its side: that function looks at
every metadata item whose name equals ``direction`` ignoring case, splits the value on commas
and accepts the side when a trimmed, lower-cased part equals it; without such an item it
accepts every side. When the registered sides are all refused, ``binding.Init`` still returns
no error and the component code never sees its metadata.
"""

from __future__ import annotations

from collections.abc import Sequence

from tools.core.resource import Resource
from tools.dapr import model as dm
from tools.dapr.metadata_values import is_templated
from tools.dapr.registry import Registration
from tools.secrets.text import is_placeholder

DIRECTIONS = ("input", "output")


def direction_parts(text: str) -> list[str]:
    """A ``direction`` value as ``isBindingOfDirection`` compares it: split on commas, trimmed,
    lower-cased."""
    return [part.strip().lower() for part in text.split(",")]


def accepted_sides(resource: Resource, sides: Sequence[str]) -> tuple[str, ...] | None:
    """The ``sides`` ``isBindingOfDirection`` accepts; None when a ``direction`` item's value is
    only known at run time (a secret or environment reference, a placeholder, a template)."""
    found = False
    accepted: set[str] = set()
    for item in dm.metadata_items(resource):
        if item.name.lower() != "direction":
            continue
        found = True
        if item.secret_ref is not None or item.env_ref is not None:
            return None
        if isinstance(item.value, dict | list):
            return None  # a schema finding; the JSON text is not known here
        text = item.text
        if is_placeholder(text) or is_templated(text):
            return None
        accepted.update(direction_parts(text))
    if not found:
        return tuple(sides)
    return tuple(side for side in sides if side in accepted)


def never_initialised(resource: Resource, reg: Registration | None) -> bool:
    """True for a binding Component whose registered sides ``isBindingOfDirection`` all refuses:
    ``binding.Init`` succeeds without calling the component's ``Init``."""
    if not dm.is_dapr(resource, "Component"):
        return False
    if not dm.component_type(resource).startswith("bindings."):
        return False
    if reg is None or not reg.directions:
        return False  # an unregistered type fails ("couldn't find binding"): not inert
    return accepted_sides(resource, reg.directions) == ()
