"""``python -m tools schemas import-*``: read an upstream source and write (or ``--check``) the
generated data. Each function takes the parsed options by keyword (``IMPORT_ACTIONS`` at the
end says which); the files written from a checkout or a git ref share one shape,
``GeneratedFile``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.core.findings import EXIT_OK, EXIT_USAGE
from tools.core.terminal_text import visible, visible_lines
from tools.dapr.registry import REGISTRY_PATH, parse_registry
from tools.dapr.releases import parse_release_data, releases_path
from tools.dapr.supported import SUPPORTED
from tools.importers import code_fields, daprd_components, metadata_reads
from tools.importers.crds import CrdImportError
from tools.importers.daprd_components import RegistryImportError
from tools.importers.release_diff import dumps, import_releases
from tools.importers.source import Checkout, GitRef, SourceError
from tools.validate import UsageError

CODE_FIELDS_PATH = REGISTRY_PATH.parent / code_fields.CODE_FIELDS_FILE
METADATA_READS_PATH = REGISTRY_PATH.parent / metadata_reads.METADATA_READS_FILE

EXIT_STALE = 1

Source = Checkout | GitRef


def _git_source(git_dir: str | None, ref: str | None, given: bool, what: str) -> GitRef | None:
    """The GitRef of --git-dir/--ref, None without --git-dir; a usage error when mixed up."""
    if git_dir is None:
        if ref is not None:
            raise UsageError("--ref needs --git-dir")
        if not given:
            raise UsageError(f"give {what} or --git-dir DIR --ref REF")
        return None
    if given or not ref:
        raise UsageError(f"--git-dir takes --ref REF and no {what}")
    return GitRef(Path(git_dir), ref)


def run_import_crd(*, files: Sequence[str], git_dir: str | None, ref: str | None, out: str) -> int:
    from tools.importers.crds import import_crd_files, schemas_at_ref, write_schemas

    source = _git_source(git_dir, ref, bool(files), "FILE arguments")
    if source is not None:
        written = write_schemas(schemas_at_ref(source), Path(out))
    else:
        written = import_crd_files([Path(f) for f in files], Path(out))
    for path in written:
        print(visible(str(path)))
    print(
        f"wrote {len(written)} schema(s); validate against them with "
        f"TODO_DAPR_SCHEMA_DIR={visible(out)}",
        file=sys.stderr,
    )
    return EXIT_OK


def run_import_metadata(
    *, directory: str | None, git_dir: str | None, ref: str | None, out: str
) -> int:
    from tools.importers.metadata_yaml import import_metadata

    source = _git_source(git_dir, ref, bool(directory), "a DIR")
    report = import_metadata(Path(str(directory or git_dir)), Path(out), ref=source)
    print(visible_lines(str(report)))
    return EXIT_OK


def _recorded_ref(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    ref = data.get("ref") if isinstance(data, dict) else None
    return ref if isinstance(ref, str) and ref else None


def _registry_shape(data: Any) -> str:
    registry = parse_registry(data)
    return f"{len(registry.registrations)} types from {registry.source}"


def _code_fields_shape(data: Any) -> str:
    packages = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(packages, dict) or not packages:
        raise ValueError("packages must be a non-empty object")
    for name, fields in packages.items():
        if not isinstance(fields, dict):
            raise ValueError(f"{name}: fields must be an object")
        for key, entry in fields.items():
            if not isinstance(entry, dict) or str(entry.get("name", "")).lower() != key:
                raise ValueError(f"{name}: bad field entry {key!r}")
    return f"{len(packages)} packages from {data.get('source', '?')}"


def _check_shape(path: Path, shape: Callable[[Any], str], upstream: str) -> int:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        summary = shape(data)
    except (OSError, json.JSONDecodeError, ValueError) as exc:
        print(f"{path}: malformed ({exc})", file=sys.stderr)
        return EXIT_STALE
    print(
        f"{path}: shape valid ({summary}); content NOT compared with {upstream} because no "
        "source was given (pass a checkout, or --git-dir DIR [--ref REF])"
    )
    return EXIT_OK


def _source(
    directory: str | None, git_dir: str | None, ref: str | None, target: Path
) -> tuple[Source, str] | str:
    """The source to read and its label, or why none can be used."""
    if directory and git_dir:
        return "give either a checkout DIR or --git-dir, not both"
    if git_dir:
        chosen_ref = ref or _recorded_ref(target)
        if not chosen_ref:
            return "--git-dir needs --ref (the file records none)"
        return GitRef(Path(git_dir), chosen_ref), chosen_ref
    return Checkout(Path(str(directory))), ref or "checkout"


def _write_or_check(target: Path, text: str, label: str, summary: str, check: bool) -> int:
    if check:
        try:
            current = target.read_text(encoding="utf-8")
        except OSError as exc:
            print(f"{target}: unreadable ({exc})", file=sys.stderr)
            return EXIT_STALE
        if current != text:
            print(f"{target} is out of date with {label}; re-run without --check", file=sys.stderr)
            return EXIT_STALE
        print(f"{target}: up to date with {label}")
        return EXIT_OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"{summary}\nwrote {target}")
    return EXIT_OK


class _Unusable(Exception):
    """An input the import cannot read: its message is printed and the status is 2."""


def _build_registry(source: Source, label: str, registry: str | None) -> tuple[str, str]:
    try:
        data, report = daprd_components.import_registry(source, label)
    except SourceError as exc:
        raise _Unusable(str(exc)) from exc
    return daprd_components.dumps(data), str(report)


def _build_code_fields(source: Source, label: str, registry: str | None) -> tuple[str, str]:
    registry_path = Path(registry) if registry else REGISTRY_PATH
    try:
        packages = code_fields.registry_packages(
            json.loads(registry_path.read_text(encoding="utf-8"))
        )
        data, report = code_fields.import_code_fields(source, packages, label)
    except (OSError, json.JSONDecodeError) as exc:
        raise _Unusable(f"{registry_path}: unreadable ({exc})") from exc
    except SourceError as exc:
        raise _Unusable(str(exc)) from exc
    return code_fields.dumps(data), str(report)


def _metadata_reads_shape(data: Any) -> str:
    packages = data.get("packages") if isinstance(data, dict) else None
    if not isinstance(packages, dict) or not packages:
        raise ValueError("packages must be a non-empty object")
    for name, facts in packages.items():
        if not isinstance(facts, dict):
            raise ValueError(f"{name}: facts must be an object")
        for requirement in facts.get("required", ()):
            if not isinstance(requirement, dict) or not requirement.get("any_of"):
                raise ValueError(f"{name}: a requirement without any_of")
    return f"{len(packages)} packages from {data.get('source', '?')}"


def _older_contrib(source: Source, releases: Mapping[str, Any]) -> dict[str, tuple[Source, str]]:
    """Each older supported release's components-contrib tag (``releases.json``), read from
    the same git repository; none from a checkout, which holds one tree only."""
    if not isinstance(source, GitRef):
        return {}
    newest = releases.get("newest")
    return {
        release: (GitRef(source.git_dir, refs["contrib"]), refs["contrib"])
        for release, refs in releases.get("releases", {}).items()
        if release != newest and isinstance(refs, dict) and refs.get("contrib")
    }


def _build_metadata_reads(source: Source, label: str, registry: str | None) -> tuple[str, str]:
    registry_path = Path(registry) if registry else REGISTRY_PATH
    try:
        packages = code_fields.registry_packages(
            json.loads(registry_path.read_text(encoding="utf-8"))
        )
        releases = json.loads(releases_path().read_text(encoding="utf-8"))
        packages += metadata_reads.release_packages(releases)
        older = _older_contrib(source, releases)
        data, report = metadata_reads.import_metadata_reads(source, packages, label, older)
    except (OSError, json.JSONDecodeError) as exc:
        raise _Unusable(f"{registry_path}: unreadable ({exc})") from exc
    except SourceError as exc:
        raise _Unusable(str(exc)) from exc
    return metadata_reads.dumps(data), str(report)


@dataclass(frozen=True)
class GeneratedFile:
    """A committed JSON file generated from an upstream checkout or git ref."""

    default_path: Path
    upstream: str
    shape: Callable[[Any], str]
    build: Callable[[Source, str, str | None], tuple[str, str]]

    def run(
        self,
        *,
        directory: str | None,
        git_dir: str | None,
        ref: str | None,
        out: str | None,
        check: bool,
        registry: str | None = None,
    ) -> int:
        """Write the file from the source (or compare it with ``check``); with no source,
        ``check`` verifies only the committed file's shape."""
        target = Path(out) if out else self.default_path
        if not directory and not git_dir:
            if check:
                return _check_shape(target, self.shape, self.upstream)
            print(
                f"give a {self.upstream} checkout DIR or --git-dir DIR [--ref REF]",
                file=sys.stderr,
            )
            return EXIT_USAGE
        chosen = _source(directory, git_dir, ref, target)
        if isinstance(chosen, str):
            print(chosen, file=sys.stderr)
            return EXIT_USAGE
        source, label = chosen
        try:
            text, summary = self.build(source, label, registry)
        except _Unusable as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_USAGE
        return _write_or_check(target, text, source.label, summary, check)


REGISTRY_FILE = GeneratedFile(REGISTRY_PATH, "dapr/dapr", _registry_shape, _build_registry)
CODE_FIELDS = GeneratedFile(
    CODE_FIELDS_PATH, "components-contrib", _code_fields_shape, _build_code_fields
)
METADATA_READS = GeneratedFile(
    METADATA_READS_PATH, "components-contrib", _metadata_reads_shape, _build_metadata_reads
)


def _recorded_refs(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    refs = data.get("releases") if isinstance(data, dict) else None
    return refs if isinstance(refs, dict) else None


def run_import_releases(
    *, dapr_git: str | None, contrib_git: str | None, out: str | None, check: bool, latest: bool
) -> int:
    target = Path(out) if out else releases_path()
    if not dapr_git or not contrib_git:
        if dapr_git or contrib_git:
            print("give both --dapr-git-dir and --contrib-git-dir", file=sys.stderr)
            return EXIT_USAGE
        if not check:
            print("give --dapr-git-dir DIR and --contrib-git-dir DIR", file=sys.stderr)
            return EXIT_USAGE
        try:
            shape = parse_release_data(json.loads(target.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError, ValueError, AttributeError) as exc:
            print(f"{target}: malformed ({exc})", file=sys.stderr)
            return EXIT_STALE
        print(
            f"{target}: shape valid ({len(shape.components)} component, "
            f"{sum(len(m) for m in shape.metadata.values())} metadata name and "
            f"{len(shape.component_specs)} component spec changes across "
            f"{', '.join(SUPPORTED)}); content NOT compared with dapr/dapr and "
            "components-contrib because no git directories were given"
        )
        return EXIT_OK
    refs = None if latest else _recorded_refs(target)
    try:
        data = import_releases(Path(dapr_git), Path(contrib_git), refs)
    except (SourceError, RegistryImportError, CrdImportError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    summary = ", ".join(
        f"{r} = {v['dapr']} + contrib {v['contrib']}" for r, v in data["releases"].items()
    )
    return _write_or_check(target, dumps(data), f"{dapr_git} and {contrib_git}", summary, check)


def _same(*names: str) -> dict[str, str]:
    return {name: name for name in names}


_GENERATED = _same("directory", "git_dir", "ref", "out", "check")

# Each ``schemas import-*`` action: the function that does it, and which parsed option each of
# its keywords comes from.
IMPORT_ACTIONS: dict[str, tuple[Callable[..., int], Mapping[str, str]]] = {
    "import-crd": (run_import_crd, _same("files", "git_dir", "ref", "out")),
    "import-metadata": (run_import_metadata, _same("directory", "git_dir", "ref", "out")),
    "import-registry": (REGISTRY_FILE.run, _GENERATED),
    "import-code-fields": (CODE_FIELDS.run, {**_GENERATED, "registry": "registry"}),
    "import-metadata-reads": (METADATA_READS.run, {**_GENERATED, "registry": "registry"}),
    "import-releases": (
        run_import_releases,
        {
            "dapr_git": "dapr_git_dir",
            "contrib_git": "contrib_git_dir",
            **_same("out", "check", "latest"),
        },
    ),
}
