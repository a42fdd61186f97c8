"""The resources validated together, with a memo for facts about the whole set.

Models below the rules (tools.dapr.model, tools.dapr.resiliency) group and index the set through
this; the rules' Bundle adds the run's settings and the Dapr release on top.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tools.core.resource import Resource

T = TypeVar("T")


@dataclass
class ResourceSet:
    resources: list[Resource]
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False, kw_only=True)

    def memo(self, key: Hashable, factory: Callable[[], T]) -> T:
        """Compute something about the whole set once (rules run once per resource)."""
        if key not in self._memo:
            self._memo[key] = factory()
        value: T = self._memo[key]
        return value

    def scope_key(self, resource: Resource) -> tuple[str | None, str | None]:
        """Resources are grouped by profile (one rendered set) and namespace."""
        return (resource.profile, resource.namespace)
