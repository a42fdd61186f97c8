"""The rule registry. Rules live one module each in a folder per category
(``tools/rules/<category>/<name>.py``, id ``<category>-<name>``); each module defines ``RULE``,
and its docstring is the rule's page (docs/rules/<id>.md, written by ``python -m tools docs``).

A rule looks at one resource at a time, with the whole validated set (the Bundle) at hand for
cross-resource checks, and yields Findings. Adding a rule means adding a module; nothing here
lists rules by name.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TypeVar

from tools.core.context import RunContext
from tools.core.defaults import DAPR_MODES
from tools.core.findings import CATEGORIES, Finding, Severity, json_pointer
from tools.core.resource import Resource
from tools.core.resource_set import ResourceSet
from tools.dapr.release import DaprRelease, dapr_release
from tools.dapr.supported import SUPPORTED

T = TypeVar("T")

_MODES = ("both", *DAPR_MODES)


@dataclass
class Bundle(ResourceSet):
    """Everything being validated together, the run's settings (``context``), the Dapr release
    judged against (``dapr``) and lookups the cross-resource rules share."""

    context: RunContext = field(default_factory=RunContext)

    @property
    def dapr(self) -> DaprRelease:
        return dapr_release(self.context.dapr_release)


Check = Callable[[Resource, Bundle], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: Severity
    summary: str
    check: Check = field(repr=False)
    kinds: frozenset[str] = frozenset()
    # The Dapr releases the rule judges (tools.dapr.releases.SUPPORTED); empty means all of them.
    releases: frozenset[str] = frozenset()
    # How the severity varies by case, after the severity on the rule's page ("; warning for ...").
    severity_note: str = ""
    # Where daprd runs for the rule to apply (RunContext.dapr_mode): "both", "kubernetes" or
    # "self-hosted". The kubernetes category (what the API server refuses) is Kubernetes-only.
    modes: str = "both"
    # Former ids, still accepted wherever a rule id is (--select/--ignore, config, annotations).
    aliases: tuple[str, ...] = ()
    # The rule's page below its title and severity line: its module's docstring (all_rules()).
    page: str = field(default="", repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"rule {self.id}: unknown category {self.category!r}")
        if self.modes not in _MODES:
            raise ValueError(f"rule {self.id}: modes must be one of {', '.join(_MODES)}")
        unknown = self.releases - set(SUPPORTED)
        if unknown:
            raise ValueError(f"rule {self.id}: unsupported Dapr releases {sorted(unknown)}")

    @property
    def severity_text(self) -> str:
        """The severity with the note on when it differs: "error; warning for …"."""
        note = self.severity_note
        if note[:1].isalnum():
            note = "; " + note
        return f"{self.severity}{note}"

    @property
    def explanation(self) -> str:
        """The first paragraph of the rule's page, on one line (SARIF's rule help)."""
        first = self.page.strip().split("\n\n", 1)[0]
        return " ".join(first.split())

    def runs_on(self, release: str) -> bool:
        """Whether the rule applies when validating against Dapr ``release``."""
        return not self.releases or release in self.releases

    def releases_label(self) -> str:
        """``all`` or the releases, oldest first (``--list-rules`` and docs/rules.md)."""
        if not self.releases or self.releases == set(SUPPORTED):
            return "all"
        return ",".join(r for r in SUPPORTED if r in self.releases)

    @property
    def effective_modes(self) -> str:
        """``modes``, except that a kubernetes-category rule (API-server parity) runs only in
        Kubernetes mode: outside Kubernetes no API server sees the files."""
        return "kubernetes" if self.category == "kubernetes" else self.modes

    def runs_in(self, mode: str) -> bool:
        """Whether the rule applies when daprd runs in ``mode`` (kubernetes, self-hosted)."""
        return self.effective_modes in ("both", mode)

    def modes_label(self) -> str:
        """``both``, ``kubernetes`` or ``self-hosted`` (``--list-rules``, docs/rules.md)."""
        return self.effective_modes

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
    """Import every rule module once (one folder per category, one rule per module) and collect
    the rules, by id, each with its module's docstring as its page."""
    found: list[Rule] = []
    for folder in pkgutil.iter_modules(__path__):
        if not folder.ispkg or folder.name.startswith("_"):
            continue
        package = importlib.import_module(f"{__name__}.{folder.name}")
        for info in pkgutil.iter_modules(package.__path__):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            rule = getattr(module, "RULE", None)
            if not isinstance(rule, Rule):
                continue
            if rule.category != folder.name:
                raise RuntimeError(
                    f"rule {rule.id} ({rule.category}) lives in tools/rules/{folder.name}/"
                )
            if not module.__doc__ or not module.__doc__.strip():
                raise RuntimeError(f"rule {rule.id}: {module.__name__} has no docstring (its page)")
            found.append(replace(rule, page=module.__doc__))
    names = [r.id for r in found] + [a for r in found for a in r.aliases]
    duplicates = {i for i in names if names.count(i) > 1} | (set(names) & set(CATEGORIES))
    if duplicates:
        raise RuntimeError(f"duplicate rule ids or aliases: {sorted(duplicates)}")
    return tuple(sorted(found, key=lambda r: r.id))


@cache
def aliases() -> dict[str, str]:
    """Each former rule id -> the id of the rule that now has it."""
    return {alias: rule.id for rule in all_rules() for alias in rule.aliases}
