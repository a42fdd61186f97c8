"""``python -m tools schemas import-registry``: write or check registry.json."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tools.daprd_registry import REGISTRY_PATH, parse_registry
from tools.findings import EXIT_OK, EXIT_USAGE
from tools.importers.daprd_registry import dumps, import_registry
from tools.importers.source import Checkout, GitRef, SourceError

EXIT_STALE = 1


def _recorded_ref(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    ref = data.get("ref") if isinstance(data, dict) else None
    return ref if isinstance(ref, str) and ref else None


def _check_shape(path: Path) -> int:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        registry = parse_registry(data)
    except (OSError, json.JSONDecodeError, ValueError) as exc:
        print(f"{path}: malformed ({exc})", file=sys.stderr)
        return EXIT_STALE
    print(
        f"{path}: shape valid ({len(registry.registrations)} types from {registry.source}); "
        "content NOT compared with dapr/dapr because no source was given "
        "(pass a checkout, or --git-dir DIR [--ref REF])"
    )
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
    if directory and git_dir:
        print("give either a checkout DIR or --git-dir, not both", file=sys.stderr)
        return EXIT_USAGE
    if not directory and not git_dir:
        if check:
            return _check_shape(target)
        print("give a dapr/dapr checkout DIR or --git-dir DIR [--ref REF]", file=sys.stderr)
        return EXIT_USAGE
    if git_dir:
        chosen_ref = ref or _recorded_ref(target)
        if not chosen_ref:
            print("--git-dir needs --ref (the file records none)", file=sys.stderr)
            return EXIT_USAGE
        source: Checkout | GitRef = GitRef(Path(git_dir), chosen_ref)
        label = chosen_ref
    else:
        source = Checkout(Path(str(directory)))
        label = ref or "checkout"
    try:
        data, report = import_registry(source, label)
    except SourceError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    text = dumps(data)
    if check:
        try:
            current = target.read_text(encoding="utf-8")
        except OSError as exc:
            print(f"{target}: unreadable ({exc})", file=sys.stderr)
            return EXIT_STALE
        if current != text:
            print(
                f"{target} is out of date with {source.label}; re-run without --check",
                file=sys.stderr,
            )
            return EXIT_STALE
        print(f"{target}: up to date with {source.label} ({report.components} types)")
        return EXIT_OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"{report}\nwrote {target}")
    return EXIT_OK
