"""Render profiles with Helm, concurrently, keeping the raw stream (with ``# Source:`` lines).

pyhelm3 runs the helm processes. Its ``template`` parses the output itself and drops the
``# Source:`` comments we need for template paths and line numbers, so we call its lower-level
``Command.run`` with our own argument list. Values files are merged here, the way ``helm -f``
merges them (maps merge, lists and scalars replace, ``null`` deletes), and sent as one JSON
document on stdin: pyhelm3 would concatenate lists across several dicts.

pyhelm3 logs each command it runs, and a failed one as a warning that Python's last-resort
handler would print raw on stderr (a chart path's ESC or BEL included). A failure is already
a ``helm-render`` finding, printed escaped, so its log records go nowhere.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.chart.profiles import Profile, ProfileError
from tools.core import yaml_text
from tools.core.bounded_read import MAX_VALUES_BYTES, InputError, read_text

logging.getLogger("pyhelm3").addHandler(logging.NullHandler())

RELEASE_NAME = "todo-dapr"
DEFAULT_NAMESPACE = "todo"


@dataclass(frozen=True)
class Rendered:
    profile: Profile
    text: str | None
    error: str | None
    seconds: float


def merge_values(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Merge like ``helm -f a -f b``: nested maps merge, everything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = merge_values(current, value)
        else:
            merged[key] = value
    return merged


def load_values(files: Sequence[Path]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in files:
        try:
            data = yaml_text.load(read_text(path, MAX_VALUES_BYTES, "values file"))
        except InputError as exc:
            raise ProfileError(str(exc)) from exc
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else 0
            raise ProfileError(
                f"{path}:{line}: values file is not valid YAML: {exc.problem}"
            ) from exc
        except yaml.YAMLError as exc:
            raise ProfileError(f"{path}: values file is not valid YAML") from exc
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ProfileError(f"{path}: a values file must be a mapping at the top level")
        merged = merge_values(merged, data)
    return merged


def _template_args(profile: Profile, namespace: str, kube_version: str | None) -> list[str]:
    args = [
        "template",
        RELEASE_NAME,
        str(profile.chart),
        "--namespace",
        namespace,
        "--values",
        "-",
    ]
    if kube_version:
        args += ["--kube-version", kube_version]
    return args


async def _render_one(
    command: Any,
    profile: Profile,
    namespace: str,
    kube_version: str | None,
    gate: asyncio.Semaphore,
) -> Rendered:
    from pyhelm3 import errors

    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        values = load_values(profile.values_files)
    except ProfileError as exc:
        return Rendered(profile, None, str(exc), 0.0)
    payload = json.dumps(values).encode()
    async with gate:
        try:
            out: bytes = await command.run(
                _template_args(profile, namespace, kube_version), payload
            )
        except errors.Error as exc:
            message = (exc.stderr or b"").decode(errors="replace").strip() or str(exc)
            return Rendered(profile, None, message, loop.time() - started)
    return Rendered(profile, out.decode("utf-8", errors="replace"), None, loop.time() - started)


def render_profiles(
    helm: Path,
    profiles: Sequence[Profile],
    *,
    namespace: str = DEFAULT_NAMESPACE,
    kube_version: str | None = None,
    jobs: int | None = None,
    on_done: Callable[[Rendered], None] | None = None,
) -> list[Rendered]:
    """Render every profile; at most ``jobs`` helm processes at once. Order is kept."""
    from pyhelm3.command import Command

    command = Command(executable=str(helm))
    limit = jobs or max(2, (os.cpu_count() or 2) * 2)

    async def main() -> list[Rendered]:
        gate = asyncio.Semaphore(limit)

        async def one(profile: Profile) -> Rendered:
            result = await _render_one(command, profile, namespace, kube_version, gate)
            if on_done is not None:
                on_done(result)
            return result

        return list(await asyncio.gather(*(one(p) for p in profiles)))

    return asyncio.run(main())
