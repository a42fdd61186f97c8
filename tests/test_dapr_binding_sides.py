"""tools.dapr.binding_sides: the sides binding.Init initialises (isBindingOfDirection)."""

from __future__ import annotations

import pytest

from tools.core.resource import Resource
from tools.core.resources import load_text
from tools.dapr.binding_sides import accepted_sides, never_initialised
from tools.dapr.release import dapr_release

HEAD = """\
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: c}
spec:
  type: TYPE
  version: v1
  metadata:
"""


def component(type_: str, *items: str) -> Resource:
    text = HEAD.replace("TYPE", type_) + "".join(f"  - {item}\n" for item in items)
    (resource,) = load_text(text, "t.yaml").resources
    return resource


@pytest.mark.parametrize(
    ("items", "sides"),
    [
        ((), ("input", "output")),  # no direction item: every side
        (("{name: direction, value: input}",), ("input",)),
        (("{name: Direction, value: ' OUTPUT ,'}",), ("output",)),  # EqualFold, trimmed
        (("{name: direction, value: both}",), ()),
        (("{name: direction}",), ()),  # Value.String() is ""
        (
            ("{name: direction, value: input}", "{name: DIRECTION, value: output}"),
            ("input", "output"),
        ),
        (("{name: direction, envRef: DIRECTION}",), None),  # run time only
        (("{name: direction, secretKeyRef: {name: s, key: d}}",), None),
        (("{name: direction, value: '${{DIRECTION}}'}",), None),
        (("{name: direction, value: [input]}",), None),
    ],
)
def test_accepted_sides(items: tuple[str, ...], sides: tuple[str, ...] | None) -> None:
    assert accepted_sides(component("bindings.kafka", *items), ("input", "output")) == sides


def test_never_initialised_only_when_every_registered_side_is_refused() -> None:
    cron = dapr_release(None).registry.get("bindings.cron")
    assert never_initialised(component("bindings.cron", "{name: direction, value: output}"), cron)
    both = component("bindings.cron", "{name: direction, value: 'output,input'}")
    assert not never_initialised(both, cron)
    # Known at run time only: the binding may be initialised, so nothing is waived.
    env = component("bindings.cron", "{name: direction, envRef: D}")
    assert not never_initialised(env, cron)
    # An unregistered type fails ("couldn't find binding"): not inert; other categories neither.
    unknown = component("bindings.nosuch", "{name: direction, value: x}")
    assert not never_initialised(unknown, None)
    state = component("state.redis", "{name: direction, value: x}")
    assert not never_initialised(state, dapr_release(None).registry.get("state.redis"))
