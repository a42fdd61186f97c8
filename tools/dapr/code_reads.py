"""How each component's Go code reads its metadata, beyond the decoded structs
(``schemas/dapr-components/metadata_reads.json``, from ``python -m tools schemas
import-metadata-reads``; ``tools.importers.metadata_reads`` says how it is read).

``dapr-unknown-metadata`` counts the names a component looks up itself (alias lists, legacy
keys, prefixed keys) as read; ``dapr-required-metadata`` takes what ``Init`` refuses from
here, and the metadata.yaml's ``required`` only for a package whose ``Init`` was not read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from tools.dapr.catalog import CATALOG_DIR
from tools.dapr.component_spec import CatalogError
from tools.dapr.release import dapr_release
from tools.dapr.supported import SUPPORTED

READS_FILE = "metadata_reads.json"


@dataclass(frozen=True)
class CodeRequirement:
    """``Init`` fails unless one of ``any_of`` has a non-empty value."""

    any_of: tuple[str, ...]
    exact: bool  # looked up by exact key (a map index), not case-insensitively
    where: str  # file:line and function in components-contrib
    error: str  # the error Init returns (a Go format string, as written)


@dataclass(frozen=True)
class ParsedValue:
    """``Init`` parses the value with ``decoder`` and fails when that parse fails."""

    decoder: str  # a ``tools.dapr.godecode`` decoder
    exact: bool
    where: str
    error: str


@dataclass(frozen=True)
class PackageReads:
    init: str | None
    reads: Mapping[str, str]  # name -> "any" | "exact"
    prefixes: tuple[str, ...]
    required: tuple[CodeRequirement, ...]
    parsed: Mapping[str, ParsedValue] = field(default_factory=lambda: MappingProxyType({}))
    # Fields used only together (``if a != "" && b != ""``): names, and where.
    pairs: tuple[tuple[tuple[str, ...], str], ...] = ()

    def parsed_as(self, name: str) -> ParsedValue | None:
        """How ``Init`` parses metadata ``name``, matched as the code matches it."""
        found = self.parsed.get(name)
        if found is not None:
            return found
        folded = name.lower()
        return next(
            (v for k, v in self.parsed.items() if not v.exact and k.lower() == folded), None
        )

    @property
    def code_read(self) -> bool:
        """Whether the ``Init`` daprd calls was found and followed."""
        return self.init is not None

    def reads_name(self, name: str) -> bool:
        """Whether the code looks ``name`` up (as its own key or by a prefix it checks)."""
        if self.reads.get(name) is not None:
            return True
        folded = name.lower()
        if any(k.lower() == folded and how == "any" for k, how in self.reads.items()):
            return True
        return any(name.startswith(prefix) and name != prefix for prefix in self.prefixes)


def _requirement(entry: Mapping[str, Any]) -> CodeRequirement:
    return CodeRequirement(
        any_of=tuple(str(n) for n in entry["any_of"]),
        exact=bool(entry.get("exact", False)),
        where=str(entry["where"]),
        error=str(entry.get("error", "")),
    )


def _parsed(entry: Mapping[str, Any]) -> ParsedValue:
    return ParsedValue(
        decoder=str(entry["decoder"]),
        exact=bool(entry.get("exact", False)),
        where=str(entry["where"]),
        error=str(entry.get("error", "")),
    )


def _package(entry: Mapping[str, Any]) -> PackageReads:
    reads = entry.get("reads", {})
    parsed = entry.get("parsed", {})
    return PackageReads(
        init=entry.get("init"),
        reads=MappingProxyType({str(k): str(v) for k, v in reads.items()}),
        prefixes=tuple(str(p) for p in entry.get("prefixes", ())),
        required=tuple(_requirement(r) for r in entry.get("required", ())),
        parsed=MappingProxyType({str(k): _parsed(v) for k, v in parsed.items()}),
        pairs=tuple(
            (tuple(str(n) for n in p["all_of"]), str(p["where"])) for p in entry.get("pairs", ())
        ),
    )


@cache
def load_reads(release: str | None = None) -> Mapping[str, PackageReads]:
    """Every package's facts as Dapr ``release`` (default: the newest) pins it: the newest
    contrib's, with the packages an older release's contrib reads differently replaced."""
    path = CATALOG_DIR / READS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        packages = dict(data["packages"])
        packages.update(data.get("older", {}).get(release or "", {}))
        return MappingProxyType({str(k): _package(v) for k, v in packages.items()})
    except FileNotFoundError:
        raise CatalogError(
            f"{path}: missing; run `python -m tools schemas import-metadata-reads "
            "--git-dir <components-contrib.git>`"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogError(f"{path}: unreadable ({exc}); re-create it") from None


def component_package(type_: str, version: str) -> str | None:
    """The components-contrib package daprd creates ``type_``/``version`` from: as the newest
    release registers it, else as the newest older release that does."""
    for release in reversed(SUPPORTED):
        registration = dapr_release(release).registry.get(type_)
        if registration is None:
            continue
        resolved = registration.resolve(version.strip())
        return registration.versions[resolved] if resolved is not None else None
    return None


def reads_for(type_: str, version: str, release: str | None = None) -> PackageReads | None:
    """The facts of the package daprd creates ``type_``/``version`` from, on ``release``."""
    package = component_package(type_, version)
    return load_reads(release).get(package) if package is not None else None
