"""Import the component registry daprd is built with from a dapr/dapr source tree.

Every file of ``cmd/daprd/components`` registers component factories in ``init()``:
``<loader>.DefaultRegistry.RegisterComponent(factory, "name", "alias"...)`` (bindings:
``RegisterInputBinding``/``RegisterOutputBinding``; state also ``RegisterComponentWithVersions``
with a ``components.Versioning`` literal). The full type is the loader's ``createFullName``
prefix (``pkg/components/<loader>/registry.go``) plus the lower-cased name. Which files are
compiled depends on their ``//go:build`` line; the released ``daprd`` image is the
``allcomponents`` flavor (Makefile ``DAPR_SIDECAR_FLAVOR``). The categories that load at all
are the keys of the processor's ``managers`` map (``pkg/runtime/processor/processor.go``).

Only facts are written: names, versions, defaults, build tags, the components-contrib package
each factory comes from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tools.importers import gosource as go
from tools.importers.gosource import GoSourceError, Token

REGISTRY_FILE = "registry.json"
COMPONENTS_DIR = "cmd/daprd/components"
CATEGORY_FILE = "pkg/components/category.go"
PROCESSOR_FILE = "pkg/runtime/processor/processor.go"
LOADER_PREFIX = "github.com/dapr/dapr/pkg/components/"
CONTRIB_PREFIX = "github.com/dapr/components-contrib/"
COMPONENTS_PKG = "github.com/dapr/dapr/pkg/components"

# The flavors the release builds (Makefile DAPR_SIDECAR_FLAVOR); the image is the first.
FLAVORS = ("allcomponents", "stablecomponents")
IMAGE_FLAVOR = FLAVORS[0]
# Platforms the daprd image and binaries are released for (.github/workflows/dapr.yml).
PLATFORMS = ("linux/amd64", "linux/arm64", "linux/arm", "windows/amd64", "darwin/arm64")
_METHODS = {
    "RegisterComponent": None,
    "RegisterInputBinding": "input",
    "RegisterOutputBinding": "output",
    "RegisterComponentWithVersions": None,
}


class Source(Protocol):
    @property
    def label(self) -> str: ...

    def files(self, directory: str) -> list[str]: ...

    def read(self, path: str) -> str: ...


class RegistryImportError(Exception):
    """The source is not a dapr/dapr tree this importer understands."""

    exit_status = 2


@dataclass
class _Entry:
    type: str
    versions: dict[str, str | None] = field(default_factory=dict)
    default: str | None = None
    preferred: str | None = None
    deprecated: list[str] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)
    same_call: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    build: str | None = None
    wasm: bool = False

    def as_json(self) -> dict[str, Any]:
        flavors = [f for f in FLAVORS if _holds(self.build, f, "linux/amd64")]
        out: dict[str, Any] = {"type": self.type, "versions": dict(sorted(self.versions.items()))}
        if self.default is not None:
            out["default"] = self.default
            out["preferred"] = self.preferred
        if self.deprecated:
            out["deprecated"] = sorted(self.deprecated)
        if self.directions:
            out["directions"] = sorted(self.directions)
        if self.same_call:
            out["same_call"] = sorted(self.same_call)
        out["files"] = sorted(self.files)
        out["build"] = self.build
        out["flavors"] = flavors
        missing = [p for p in PLATFORMS if flavors and not _holds(self.build, flavors[0], p)]
        if missing:
            out["not_on"] = missing
        if self.wasm:
            out["wasm"] = True
        return out


def _holds(build: str | None, flavor: str, platform: str) -> bool:
    goos, goarch = platform.split("/")
    return go.constraint_holds(build, {flavor, goos, goarch, "gc"})


@dataclass
class RegistryReport:
    source: str
    components: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"read {self.components} registered component type(s) from {self.source}"]
        lines += [f"skipped {name}: {why}" for name, why in self.skipped]
        return "\n".join(lines)


def _string_args(args: Sequence[Sequence[Token]], where: str) -> list[str]:
    names = []
    for arg in args:
        if len(arg) != 1 or arg[0].kind != go.STRING:
            raise GoSourceError(f"{where}: a component name is not a string literal")
        names.append(arg[0].value)
    return names


def _package(tokens: Sequence[Token], imports: Mapping[str, str]) -> str | None:
    """The most specific components-contrib package the factory expression uses; None when
    it only uses the category's interface package (the component is implemented in daprd)."""
    paths = [
        imports[root][len(CONTRIB_PREFIX) :]
        for root in go.selector_roots(tokens)
        if imports.get(root, "").startswith(CONTRIB_PREFIX)
    ]
    paths = [p for p in paths if "/" in p]
    return max(paths, key=len) if paths else None


def _versioning(
    tokens: Sequence[Token], imports: Mapping[str, str], where: str
) -> tuple[dict[str, str | None], str | None, str | None, list[str]]:
    """Versions (-> package), default, preferred and deprecated of a Versioning literal."""
    start = next((i for i, t in enumerate(tokens) if t.text == "{"), None)
    if start is None:
        raise GoSourceError(f"{where}: Versioning is not a composite literal")
    items, _ = go.split_group(tokens, start)
    versions: dict[str, str | None] = {}
    default = preferred = None
    deprecated: list[str] = []
    for item in items:
        if len(item) < 3 or item[0].kind != go.IDENT or item[1].text != ":":
            continue
        key, body = item[0].text, item[2:]
        if key == "Default":
            if len(body) != 1 or body[0].kind != go.STRING:
                raise GoSourceError(f"{where}: Default is not a string literal")
            default = body[0].value
            continue
        for version, package in _constructors(body, imports, where):
            versions[version] = package
            if key == "Preferred":
                preferred = version
            elif key == "Deprecated":
                deprecated.append(version)
    return versions, default, preferred, deprecated


def _constructors(
    body: Sequence[Token], imports: Mapping[str, str], where: str
) -> list[tuple[str, str | None]]:
    """Each ``{Version: "vN", Constructor: pkg.New}`` literal inside ``body``."""
    found: list[tuple[str, str | None]] = []
    i = 0
    while i < len(body):
        if body[i].text != "{":
            i += 1
            continue
        fields, after = go.split_group(body, i)
        version: str | None = None
        package: str | None = None
        nested = False
        for f in fields:
            if len(f) >= 3 and f[0].text == "Version" and f[1].text == ":":
                if f[2].kind != go.STRING:
                    raise GoSourceError(f"{where}: Version is not a string literal")
                version = f[2].value.lower()
            elif len(f) >= 3 and f[0].text == "Constructor" and f[1].text == ":":
                package = _package(f[2:], imports)
            elif f and f[0].text == "{":
                nested = True
        if version is not None:
            found.append((version, package))
            i = after
        elif nested:
            i += 1  # a slice literal: look inside it
        else:
            i = after
    return found


def _prefix(source: Source, loader: str, cache: dict[str, str]) -> str:
    """The type prefix a loader's ``createFullName`` puts before a registered name."""
    if loader in cache:
        return cache[loader]
    path = f"pkg/components/{loader}/registry.go"
    tokens = go.tokenize(source.read(path))
    for i, tok in enumerate(tokens[:-1]):
        if tok.text == "func" and tokens[i + 1].text == "createFullName":
            for later in tokens[i + 2 : i + 60]:
                if later.kind == go.STRING and later.value.endswith("."):
                    cache[loader] = later.value.lower()
                    return cache[loader]
    raise RegistryImportError(f"{path}: no createFullName with a type prefix")


def _categories(source: Source) -> list[str]:
    """Values of the categories that have a manager in the runtime processor."""
    names: dict[str, str] = {}
    tokens = go.tokenize(source.read(CATEGORY_FILE))
    for i in range(len(tokens) - 3):
        a, b, c, d = tokens[i : i + 4]
        if a.kind == go.IDENT and b.text == "Category" and c.text == "=" and d.kind == go.STRING:
            names[a.text] = d.value
    tokens = go.tokenize(source.read(PROCESSOR_FILE))
    for i in range(len(tokens) - 2):
        if tokens[i].text == "managers" and tokens[i + 1].text == ":":
            brace = next(
                (j for j in range(i, min(i + 20, len(tokens))) if tokens[j].text == "{"), None
            )
            if brace is None:
                break
            items, _ = go.split_group(tokens, brace)
            found = []
            for item in items:
                if len(item) >= 4 and item[1].text == "." and item[3].text == ":":
                    value = names.get(item[2].text)
                    if value is None:
                        raise RegistryImportError(f"{PROCESSOR_FILE}: unknown {item[2].text}")
                    found.append(value)
            if found:
                return sorted(found)
    raise RegistryImportError(f"{PROCESSOR_FILE}: no managers map found")


@dataclass
class _Call:
    """One registration call, read: the full names with their versions and packages."""

    method: str
    per_name: list[tuple[str, dict[str, str | None]]]
    default: str | None = None
    preferred: str | None = None
    deprecated: list[str] = field(default_factory=list)


def _registration(call: go.Call, prefix: str, imports: Mapping[str, str], where: str) -> _Call:
    method = call.callee[-1]
    if method == "RegisterComponentWithVersions":
        if len(call.args) != 2:
            raise GoSourceError(f"{where}: expected a name and a Versioning")
        (name,) = _string_args(call.args[:1], where)
        versions, default, preferred, deprecated = _versioning(call.args[1], imports, where)
        if not default:
            raise GoSourceError(f"{where}: no Default version (daprd panics at start)")
        return _Call(
            method, [(prefix + name.lower(), versions)], default.lower(), preferred, deprecated
        )
    if len(call.args) < 2:
        raise GoSourceError(f"{where}: no component name")
    package = _package(call.args[0], imports)
    per_name: list[tuple[str, dict[str, str | None]]] = []
    for name in _string_args(call.args[1:], where):
        base, _, version = name.lower().partition("/")
        per_name.append((prefix + base, {version: package}))
    return _Call(method, per_name)


def _record(read: _Call, entries: dict[str, _Entry], file: str, build: str | None) -> None:
    full_names = [t for t, _ in read.per_name]
    for type_, versions in read.per_name:
        entry = entries.setdefault(type_, _Entry(type=type_))
        if entry.files and entry.build != build:
            raise GoSourceError(f"{file}: {type_} registered under two build constraints")
        entry.versions.update(versions)
        entry.build = build
        if file not in entry.files:
            entry.files.append(file)
        if read.default is not None:
            entry.default, entry.preferred = read.default, read.preferred
            entry.deprecated = read.deprecated
        direction = _METHODS[read.method]
        if direction and direction not in entry.directions:
            entry.directions.append(direction)
        for other in full_names:
            if other != type_ and other not in entry.same_call:
                entry.same_call.append(other)


def _read_file(
    source: Source,
    name: str,
    entries: dict[str, _Entry],
    prefixes: dict[str, str],
) -> int:
    path = f"{COMPONENTS_DIR}/{name}"
    text = source.read(path)
    build = go.build_constraint(text)
    implicit = go.filename_constraint(name)
    if implicit:
        build = f"({build}) && {implicit}" if build else implicit
    tokens = go.tokenize(text)
    imports = go.imports(tokens)
    count = 0
    wasm_types: list[str] = []
    for call in go.calls(tokens, [*_METHODS, "RegisterWasmComponentType"]):
        where = f"{path}:{call.line}"
        root_path = imports.get(call.callee[0], "")
        if call.callee[-1] == "RegisterWasmComponentType":
            if root_path == COMPONENTS_PKG and len(call.args) == 2:
                category = call.args[0][-1].text.removeprefix("Category")
                wasm_types.append(f"{category.lower()}.{_string_args(call.args[1:], where)[0]}")
            continue
        if "DefaultRegistry" not in call.callee or not root_path.startswith(LOADER_PREFIX):
            continue
        prefix = _prefix(source, root_path[len(LOADER_PREFIX) :], prefixes)
        read = _registration(call, prefix, imports, where)
        _record(read, entries, name, build)
        count += len(read.per_name)
    for type_ in wasm_types:
        if type_ in entries:
            entries[type_].wasm = True
    return count


def import_registry(source: Source, ref_label: str) -> tuple[dict[str, Any], RegistryReport]:
    """The registry data (ready for ``registry.json``) and a report of what was read."""
    report = RegistryReport(source=source.label)
    entries: dict[str, _Entry] = {}
    prefixes: dict[str, str] = {}
    for name in source.files(COMPONENTS_DIR):
        if not name.endswith(".go"):
            report.skipped.append((name, "not a .go file, so never compiled"))
            continue
        if name.endswith("_test.go"):
            report.skipped.append((name, "a test file"))
            continue
        try:
            registered = _read_file(source, name, entries, prefixes)
        except GoSourceError as exc:
            raise RegistryImportError(f"{COMPONENTS_DIR}/{name}: {exc}") from None
        if registered == 0:
            report.skipped.append((name, "registers no component"))
    try:
        categories = _categories(source)
    except GoSourceError as exc:
        raise RegistryImportError(str(exc)) from None
    report.components = len(entries)
    data = {
        "generated_by": "python -m tools schemas import-registry",
        "source": f"dapr/dapr {ref_label}",
        "ref": ref_label,
        "image_flavor": IMAGE_FLAVOR,
        "categories": categories,
        "components": [entries[t].as_json() for t in sorted(entries)],
    }
    return data, report


def dumps(data: Mapping[str, Any]) -> str:
    """The file text: one component per line, so a re-import diffs line by line."""
    head = {k: v for k, v in data.items() if k != "components"}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f" {json.dumps(key)}: {json.dumps(value)},")
    lines.append(' "components": [')
    components = list(data.get("components", ()))
    for i, entry in enumerate(components):
        comma = "," if i < len(components) - 1 else ""
        lines.append(f"  {json.dumps(entry, sort_keys=False)}{comma}")
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"
