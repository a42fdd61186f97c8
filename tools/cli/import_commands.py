"""``python -m tools schemas import-registry`` / ``import-code-fields``: write or check the
generated registry.json and code_fields.json."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.core.findings import EXIT_OK, EXIT_USAGE
from tools.dapr.registry import REGISTRY_PATH, parse_registry
from tools.importers import code_fields
from tools.importers.daprd_components import dumps, import_registry
from tools.importers.source import Checkout, GitRef, SourceError

CODE_FIELDS_PATH = REGISTRY_PATH.parent / code_fields.CODE_FIELDS_FILE

EXIT_STALE = 1


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
) -> tuple[Checkout | GitRef, str] | str:
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


def run_import_registry(
    *,
    directory: str | None,
    git_dir: str | None,
    ref: str | None,
    out: str | None,
    check: bool,
) -> int:
    target = Path(out) if out else REGISTRY_PATH
    if not directory and not git_dir:
        if check:
            return _check_shape(target, _registry_shape, "dapr/dapr")
        print("give a dapr/dapr checkout DIR or --git-dir DIR [--ref REF]", file=sys.stderr)
        return EXIT_USAGE
    chosen = _source(directory, git_dir, ref, target)
    if isinstance(chosen, str):
        print(chosen, file=sys.stderr)
        return EXIT_USAGE
    source, label = chosen
    try:
        data, report = import_registry(source, label)
    except SourceError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    return _write_or_check(target, dumps(data), source.label, str(report), check)


def run_import_code_fields(
    *,
    directory: str | None,
    git_dir: str | None,
    ref: str | None,
    registry: str | None,
    out: str | None,
    check: bool,
) -> int:
    target = Path(out) if out else CODE_FIELDS_PATH
    if not directory and not git_dir:
        if check:
            return _check_shape(target, _code_fields_shape, "components-contrib")
        print(
            "give a components-contrib checkout DIR or --git-dir DIR [--ref REF]", file=sys.stderr
        )
        return EXIT_USAGE
    chosen = _source(directory, git_dir, ref, target)
    if isinstance(chosen, str):
        print(chosen, file=sys.stderr)
        return EXIT_USAGE
    source, label = chosen
    registry_path = Path(registry) if registry else REGISTRY_PATH
    try:
        packages = code_fields.registry_packages(
            json.loads(registry_path.read_text(encoding="utf-8"))
        )
        data, report = code_fields.import_code_fields(source, packages, label)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"{registry_path}: unreadable ({exc})", file=sys.stderr)
        return EXIT_USAGE
    except SourceError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    return _write_or_check(target, code_fields.dumps(data), source.label, str(report), check)
