"""Render the todo-dapr chart with a given helm binary, for the chart tests.

``render`` runs the real ``helm template`` in a subprocess with a profile
(``ci/<name>-values.yaml``) and/or a values dict layered on top (written to a temporary file and
passed with ``-f``, exactly as a user's values file would be). It returns the parsed documents
together with the chart template each came from (Helm's ``# Source:`` comment).
"""

from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.helm import ensure_helm, run

ROOT = Path(__file__).resolve().parents[1]
CHART = ROOT / "charts" / "todo-dapr"
UPSTREAM = Path(__file__).resolve().parents[2] / "shared" / "reference" / "upstream"
PROFILES = tuple(
    sorted(p.name.removesuffix("-values.yaml") for p in (CHART / "ci").glob("*-values.yaml"))
)
RELEASE = "todo"
NAMESPACE = "todo-ns"
SOURCE_PREFIX = "# Source: "


@dataclass(frozen=True)
class Document:
    template: str
    doc: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def name(self) -> str:
        return str(self.doc.get("metadata", {}).get("name", ""))


@dataclass(frozen=True)
class Rendered:
    returncode: int
    stdout: str
    stderr: str
    documents: list[Document] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]

    def one(self, kind: str, name: str) -> dict[str, Any]:
        found = [d.doc for d in self.documents if d.kind == kind and d.name == name]
        assert len(found) == 1, f"expected one {kind} {name}, found {len(found)}"
        return found[0]

    def components(self) -> dict[str, dict[str, Any]]:
        return {d.name: d.doc for d in self.of_kind("Component")}


def helm(major: int) -> Path:
    return ensure_helm(major, quiet=True)


def profile_file(profile: str) -> Path:
    return CHART / "ci" / f"{profile}-values.yaml"


def parse_stream(text: str) -> list[Document]:
    """Split helm's output on document markers and keep each document's ``# Source:``."""
    documents: list[Document] = []
    chunks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.rstrip() == "---":
            chunks.append([])
        else:
            chunks[-1].append(line)
    for chunk in chunks:
        source = next(
            (ln[len(SOURCE_PREFIX) :].strip() for ln in chunk if ln.startswith(SOURCE_PREFIX)), ""
        )
        doc = yaml.safe_load("\n".join(chunk))
        if isinstance(doc, dict):
            documents.append(Document(source, doc))
    return documents


def render(
    major: int,
    *,
    profile: str | None = None,
    values: dict[str, Any] | None = None,
    args: tuple[str, ...] = (),
) -> Rendered:
    """``helm template`` the chart with a profile and/or a values dict on top of the defaults."""
    cmd = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE, *args]
    if profile is not None:
        cmd += ["-f", str(profile_file(profile))]
    with tempfile.TemporaryDirectory(prefix="todo-dapr-chart-") as tmp:
        if values is not None:
            extra = Path(tmp) / "values.yaml"
            extra.write_text(yaml.safe_dump(values), encoding="utf-8")
            cmd += ["-f", str(extra)]
        result = run(helm(major), *cmd)
    documents = parse_stream(result.stdout) if result.returncode == 0 else []
    return Rendered(result.returncode, result.stdout, result.stderr, documents)


@functools.cache
def render_profile(major: int, profile: str) -> Rendered:
    """A profile's render, cached for the session (the chart does not change during a run)."""
    rendered = render(major, profile=profile)
    assert rendered.returncode == 0, f"helm {major} failed on {profile}: {rendered.stderr}"
    return rendered


def lint(major: int, profile: str) -> tuple[int, str]:
    result = run(helm(major), "lint", "--strict", str(CHART), "-f", str(profile_file(profile)))
    return result.returncode, result.stdout + result.stderr


def metadata_items(component: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A Component's spec.metadata as {name: entry}."""
    return {item["name"]: item for item in component["spec"].get("metadata") or []}


def topic_scopes(value: str) -> dict[str, set[str]]:
    """Parse Dapr's "app1=t1,t2;app2=" topic-scope syntax."""
    scopes: dict[str, set[str]] = {}
    for part in filter(None, value.replace(" ", "").split(";")):
        app, _, topics = part.partition("=")
        scopes[app] = set(filter(None, topics.split(",")))
    return scopes
