"""What one publish is asked to do, and what it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.chart.package import Package
from tools.publish.auth import Credentials
from tools.publish.bounds import DEFAULT_TIMEOUT
from tools.publish.target import RegistryRef


@dataclass(frozen=True)
class Signing:
    key: str
    keyring: Path


@dataclass(frozen=True)
class Options:
    chart: Path
    registry: RegistryRef
    plain_http: bool = False
    credentials: Credentials | None = None
    signing: Signing | None = None
    dry_run: bool = False
    timeout: float = DEFAULT_TIMEOUT


@dataclass
class Outcome:
    status: str
    package: Package
    registry: RegistryRef
    digest: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def repository_url(self) -> str:
        return f"{self.registry.url}/{self.package.name}"

    @property
    def reference(self) -> str:
        ref = f"{self.repository_url}:{self.package.tag}"
        return f"{ref}@{self.digest}" if self.digest else ref

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "chart": self.package.name,
            "version": self.package.version,
            "repository": self.repository_url,
            "tag": self.package.tag,
            "reference": self.reference,
            "digest": self.digest,
            "archive": {
                "file": self.package.archive.name,
                "sha256": "sha256:" + self.package.sha256,
                "size": self.package.size,
            },
            "signed": self.package.provenance is not None,
            "dry_run": self.status == "dry-run",
        }
