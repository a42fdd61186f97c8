"""Render the todo-dapr chart with a given helm binary, for the chart tests.

``render`` runs the real ``helm template`` in a subprocess with a profile
(``ci/<name>-values.yaml``) and/or a values dict layered on top (written to a temporary file and
passed with ``-f``, exactly as a user's values file would be). It returns the parsed documents
together with the chart template each came from (Helm's ``# Source:`` comment).

``helm template`` is deterministic (the chart uses no random, time or lookup functions), so its
result is kept on disk under the cache directory, keyed by a content hash of the helm binary,
the chart's files, the arguments and the values: a warm run of the suite reads the renders an
identical chart and helm already produced instead of running helm some two hundred times. The
first render of any new input runs the real helm. ``TODO_DAPR_TEST_RENDER_CACHE=0`` turns the
cache off (every render runs helm).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tools.chart.helm import cache_dir as helm_cache_dir
from tools.chart.helm import ensure_helm, run

try:  # libyaml's parser: the same safe YAML 1.1 documents, read some ten times faster
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

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


def load_yaml(text: str) -> Any:
    """``yaml.safe_load`` with libyaml's parser when PyYAML has it."""
    return yaml.load(text, Loader=SafeLoader)


@functools.cache
def _profile_text(profile: str) -> str:
    return profile_file(profile).read_text(encoding="utf-8")


def profile_values(profile: str) -> Any:
    """A profile's values as a new object each call (callers change their copy)."""
    return load_yaml(_profile_text(profile))


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
        doc = load_yaml("\n".join(chunk))
        if isinstance(doc, dict):
            documents.append(Document(source, doc))
    return documents


# Where the temporary values file's directory stands in a cached helm message.
TMP_MARK = "<values-dir>"
# Cached renders unused for this long are removed (once per process).
CACHE_DAYS = 14


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def _helm_digest(major: int) -> str:
    return _file_digest(helm(major))


@functools.cache
def _chart_digest() -> str:
    """Every file of the chart, by path and content (the chart does not change during a run)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in CHART.rglob("*") if p.is_file()):
        digest.update(path.relative_to(CHART).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@functools.cache
def _render_cache() -> Path | None:
    if os.environ.get("TODO_DAPR_TEST_RENDER_CACHE", "1") == "0":
        return None
    root = helm_cache_dir() / "test-renders"
    root.mkdir(parents=True, exist_ok=True)
    stale = time.time() - CACHE_DAYS * 86400
    for entry in root.glob("*.json"):
        try:
            if entry.stat().st_mtime < stale:
                entry.unlink()
        except OSError:  # another worker removed it first
            pass
    return root


def cache_entry(major: int, cmd: list[str], values_text: str | None) -> Path | None:
    """Where the render of ``cmd`` (plus ``values_text`` as a -f file) is kept, if caching."""
    root = _render_cache()
    if root is None:
        return None
    key = hashlib.sha256(
        json.dumps([_helm_digest(major), _chart_digest(), cmd, values_text]).encode()
    ).hexdigest()
    return root / f"{key}.json"


def _cached_template(major: int, cmd: list[str], values_text: str | None) -> Rendered:
    """``helm template`` with ``cmd``, from the cache when the same input was rendered before."""
    entry = cache_entry(major, cmd, values_text)
    if entry is not None and entry.is_file():
        try:
            saved = json.loads(entry.read_text(encoding="utf-8"))
            entry.touch()
            return Rendered(saved["returncode"], saved["stdout"], saved["stderr"])
        except (OSError, ValueError, KeyError):  # a torn or foreign file: render afresh
            pass
    with tempfile.TemporaryDirectory(prefix="todo-dapr-chart-") as tmp:
        full = list(cmd)
        if values_text is not None:
            extra = Path(tmp) / "values.yaml"
            extra.write_text(values_text, encoding="utf-8")
            full += ["-f", str(extra)]
        result = run(helm(major), *full)
        stdout, stderr = result.stdout.replace(tmp, TMP_MARK), result.stderr.replace(tmp, TMP_MARK)
    if entry is not None:
        saved_text = json.dumps(
            {"returncode": result.returncode, "stdout": stdout, "stderr": stderr}
        )
        part = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
        part.write_text(saved_text, encoding="utf-8")
        part.replace(entry)
    return Rendered(result.returncode, stdout, stderr)


def template_command(profile: str | None, args: tuple[str, ...] = ()) -> list[str]:
    cmd = ["template", RELEASE, str(CHART), "--namespace", NAMESPACE, *args]
    if profile is not None:
        cmd += ["-f", str(profile_file(profile))]
    return cmd


def render(
    major: int,
    *,
    profile: str | None = None,
    values: dict[str, Any] | None = None,
    args: tuple[str, ...] = (),
) -> Rendered:
    """``helm template`` the chart with a profile and/or a values dict on top of the defaults."""
    values_text = yaml.safe_dump(values) if values is not None else None
    result = _cached_template(major, template_command(profile, args), values_text)
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
