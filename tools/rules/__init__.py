"""The rule registry. Rules live one module each in a folder per category
(``tools/rules/<category>/<name>.py``); each module defines ``RULE`` (or ``RULES``).

A rule looks at one resource at a time, with the whole validated set (the Bundle) at hand for
cross-resource checks, and yields Findings. Adding a rule means adding a module; nothing here
lists rules by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from tools.core.findings import CATEGORIES, Finding, Severity, json_pointer
from tools.core.resources import Resource
from tools.dapr.releases import SUPPORTED

T = TypeVar("T")


@dataclass
class Bundle:
    """Everything being validated together, with lookups the cross-resource rules share."""

    resources: list[Resource]
    kube_version: str = "1.34"
    options: dict[str, Any] = field(default_factory=dict)
    _memo: dict[Hashable, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: Hashable, factory: Callable[[], T]) -> T:
        """Compute something about the whole set once (rules run once per resource)."""
        if key not in self._memo:
            self._memo[key] = factory()
        value: T = self._memo[key]
        return value

    def scope_key(self, resource: Resource) -> tuple[str | None, str | None]:
        """Resources are grouped by profile (one rendered set) and namespace."""
        return (resource.profile, resource.namespace)


Check = Callable[[Resource, Bundle], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    summary: str
    check: Check = field(repr=False)
    explanation: str = ""
    kinds: frozenset[str] = frozenset()
    # The Dapr releases the rule judges (tools.dapr.releases.SUPPORTED); empty means all of them.
    releases: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"rule {self.id}: unknown category {self.category!r}")
        unknown = self.releases - set(SUPPORTED)
        if unknown:
            raise ValueError(f"rule {self.id}: unsupported Dapr releases {sorted(unknown)}")

    def runs_on(self, release: str) -> bool:
        """Whether the rule applies when validating against Dapr ``release``."""
        return not self.releases or release in self.releases

    def releases_label(self) -> str:
        """``all`` or the releases, oldest first (``--list-rules`` and docs/rules.md)."""
        if not self.releases or self.releases == set(SUPPORTED):
            return "all"
        return ",".join(r for r in SUPPORTED if r in self.releases)

    def applies_to(self, resource: Resource) -> bool:
        return not self.kinds or resource.kind in self.kinds

    def finding(
        self,
        resource: Resource,
        message: str,
        path: Sequence[str | int] = (),
        severity: Severity | None = None,
    ) -> Finding:
        """A finding for ``resource`` at ``path``; the line is looked up only now."""
        return Finding(
            rule=self.id,
            category=self.category,
            severity=severity or self.severity,
            message=message,
            file=resource.file,
            line=resource.line_of(path),
            path=json_pointer(path),
            resource=resource,
            template=resource.template,
        )


@cache
def all_rules() -> tuple[Rule, ...]:
    """Import every rule module once (one folder per category) and collect its rules, by id."""
    found: list[Rule] = []
    for folder in pkgutil.iter_modules(__path__):
        if not folder.ispkg or folder.name.startswith("_"):
            continue
        package = importlib.import_module(f"{__name__}.{folder.name}")
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            rules = [getattr(module, "RULE", None), *getattr(module, "RULES", ())]
            for rule in rules:
                if not isinstance(rule, Rule):
                    continue
                if rule.category != folder.name:
                    raise RuntimeError(
                        f"rule {rule.id} ({rule.category}) lives in tools/rules/{folder.name}/"
                    )
                found.append(rule)
    ids = [r.id for r in found]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuntimeError(f"duplicate rule ids: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda r: r.id))
