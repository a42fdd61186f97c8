"""The config file (``.todo-dapr.yaml`` or ``[tool.todo-dapr]`` in pyproject.toml), merged under
the flags.

Discovery starts in the working directory and climbs to the filesystem root; the first directory
holding ``.todo-dapr.yaml``, or a pyproject.toml with a ``[tool.todo-dapr]`` table, wins, and in a
directory holding both, ``.todo-dapr.yaml`` is read. ``--config FILE`` names the file instead
(``*.toml`` is read as a pyproject.toml) and ``--no-config`` skips it. A flag given on the command
line replaces the file's value for that key. Relative paths in the file (``schema-dir``,
``per-path-ignores``) are relative to the file's directory. An unknown key or a value of the wrong
type is a usage error (exit 2) that names the file and the key.
"""

from __future__ import annotations

import argparse
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tools.core import yaml_text
from tools.core.bounded_read import MAX_CONFIG_BYTES, InputError, read_text
from tools.core.context import RunContext
from tools.core.defaults import (
    DAPR_MODES,
    DEFAULT_DAPR_MODE,
    DEFAULT_KUBE_VERSION,
    DEFAULT_POD_SECURITY_ENFORCE,
    DEFAULT_POD_SECURITY_WARN,
    POD_SECURITY_LEVELS,
)
from tools.core.findings import EXIT_USAGE
from tools.core.path_ignores import ORIGIN_KEY, PathIgnore
from tools.formatters import FORMAT_NAMES

YAML_NAME = ".todo-dapr.yaml"
PYPROJECT_NAME = "pyproject.toml"
TOOL_TABLE = "todo-dapr"
DEFAULT_FORMAT = "text"

_KUBE_VERSION = re.compile(r"v?(\d{1,3})\.(\d{1,3})(?:\.\d{1,4})?")


class ConfigError(Exception):
    """A config file that cannot be used: the CLI prints the message and exits 2."""

    exit_status = EXIT_USAGE


@dataclass(frozen=True)
class Config:
    """What a config file sets; None (or empty) where it says nothing."""

    path: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    per_path_ignores: tuple[PathIgnore, ...] = ()
    kube_version: str | None = None
    schema_dirs: tuple[Path, ...] = ()
    format: str | None = None
    dapr_version: str | None = None
    pod_security_enforce: str | None = None
    pod_security_warn: str | None = None
    dapr_sidecar_drop_all: bool | None = None
    dapr_mode: str | None = None


def discover(start: Path) -> Path | None:
    """The config file that applies in ``start``: the nearest one at or above it."""
    here = start.resolve()
    for directory in (here, *here.parents):
        candidate = directory / YAML_NAME
        if candidate.is_file():
            return candidate
        pyproject = directory / PYPROJECT_NAME
        if pyproject.is_file() and _tool_table(pyproject) is not None:
            return pyproject
    return None


def load(path: Path) -> Config:
    """Read and check one config file."""
    label = str(path)
    if path.suffix == ".toml":
        table = _tool_table(path)
        if table is None:
            raise ConfigError(f"{label}: no [tool.{TOOL_TABLE}] table")
        data: object = table
    else:
        try:
            data = yaml_text.load(read_text(path, MAX_CONFIG_BYTES, "config file"))
        except InputError as exc:
            raise ConfigError(str(exc)) from exc
        except yaml.YAMLError as exc:
            raise ConfigError(f"{label}: not valid YAML ({_first_line(exc)})") from exc
        if data is None:
            data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: the config file must be a mapping of settings")
    return _parse(data, path.resolve(), label)


def _tool_table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(read_text(path, MAX_CONFIG_BYTES, "config file"))
    except InputError as exc:
        raise ConfigError(str(exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({_first_line(exc)})") from exc
    tool = data.get("tool")
    table = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.{TOOL_TABLE}] must be a table")
    return table


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _parse(data: Mapping[Any, Any], path: Path, label: str) -> Config:
    base = path.parent
    readers: dict[str, Callable[[object, str], Any]] = {
        "select": lambda v, k: _selectors(v, label, k),
        "ignore": lambda v, k: _selectors(v, label, k),
        ORIGIN_KEY: lambda v, k: _path_ignores(v, label, k, base),
        "kube-version": lambda v, k: _kube_version(v, label, k),
        "schema-dir": lambda v, k: _schema_dirs(v, label, k, base),
        "format": lambda v, k: _choice(v, label, k, FORMAT_NAMES),
        "dapr-version": lambda v, k: _dapr_version(v, label, k),
        "pod-security-enforce": lambda v, k: _choice(v, label, k, POD_SECURITY_LEVELS),
        "pod-security-warn": lambda v, k: _choice(v, label, k, POD_SECURITY_LEVELS),
        "dapr-sidecar-drop-all": lambda v, k: _boolean(v, label, k),
        "dapr-mode": lambda v, k: _choice(v, label, k, DAPR_MODES),
    }
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in readers:
            raise ConfigError(
                f"{label}: unknown key {str(key)!r} (known keys: {', '.join(sorted(readers))})"
            )
        values[key] = readers[key](value, key)
    return Config(
        path=path,
        select=values.get("select"),
        ignore=values.get("ignore"),
        per_path_ignores=values.get(ORIGIN_KEY, ()),
        kube_version=values.get("kube-version"),
        schema_dirs=values.get("schema-dir", ()),
        format=values.get("format"),
        dapr_version=values.get("dapr-version"),
        pod_security_enforce=values.get("pod-security-enforce"),
        pod_security_warn=values.get("pod-security-warn"),
        dapr_sidecar_drop_all=values.get("dapr-sidecar-drop-all"),
        dapr_mode=values.get("dapr-mode"),
    )


def _strings(value: object, label: str, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{label}: {key}: must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _selectors(value: object, label: str, key: str) -> tuple[str, ...]:
    from tools.validate import UsageError, parse_selectors

    names = _strings(value, label, key)
    try:
        return tuple(sorted(parse_selectors(names)))
    except UsageError as exc:
        raise ConfigError(f"{label}: {key}: {exc}") from exc


def _kube_version(value: object, label: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(
            f'{label}: {key}: must be a string such as "1.34" (quote it: YAML and TOML read '
            "1.30 as the number 1.3)"
        )
    match = _KUBE_VERSION.fullmatch(value.strip())
    if not match:
        raise ConfigError(f"{label}: {key}: {value!r} is not a Kubernetes version like 1.34")
    from tools.kubernetes.schemas import KubeVersionError, resolve_kube_version

    version = f"{match.group(1)}.{match.group(2)}"
    try:
        resolve_kube_version(version)
    except KubeVersionError as exc:
        raise ConfigError(f"{label}: {key}: {exc}") from exc
    return version


def _dapr_version(value: object, label: str, key: str) -> str:
    from tools.dapr.releases import ReleaseError, parse_release
    from tools.dapr.supported import SUPPORTED

    if not isinstance(value, str):
        raise ConfigError(
            f'{label}: {key}: must be a string such as "1.18" (quote it: YAML and TOML read '
            f"1.10 as the number 1.1); supported: {', '.join(SUPPORTED)}"
        )
    try:
        return parse_release(value)
    except ReleaseError as exc:
        raise ConfigError(f"{label}: {key}: {exc}") from exc


def _choice(value: object, label: str, key: str, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(f"{label}: {key}: must be one of {', '.join(choices)}")
    return value


def _boolean(value: object, label: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{label}: {key}: must be true or false")
    return value


def _schema_dirs(value: object, label: str, key: str, base: Path) -> tuple[Path, ...]:
    dirs = []
    for entry in _strings(value, label, key):
        directory = base / entry
        if not directory.is_dir():
            raise ConfigError(f"{label}: {key}: {entry} is not a directory (relative to {base})")
        dirs.append(directory)
    return tuple(dirs)


_ENTRY_KEYS = ("path", "rules", "reason")


def _path_ignores(value: object, label: str, key: str, base: Path) -> tuple[PathIgnore, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{label}: {key}: must be a list of {{path, rules, reason}} entries")
    entries = []
    for index, item in enumerate(value):
        where = f"{key}[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{label}: {where}: must be a mapping with path, rules and reason")
        unknown = sorted(str(k) for k in item if k not in _ENTRY_KEYS)
        if unknown:
            raise ConfigError(
                f"{label}: {where}: unknown key {unknown[0]!r} (known keys: path, rules, reason)"
            )
        missing = [k for k in _ENTRY_KEYS if k not in item]
        if missing:
            raise ConfigError(
                f"{label}: {where}: missing {missing[0]!r} (every per-path ignore needs a path "
                "glob, the rules or categories it ignores, and the reason)"
            )
        pattern = item["path"]
        if not isinstance(pattern, str) or not pattern.strip():
            raise ConfigError(f"{label}: {where}.path: must be a non-empty glob string")
        rules = _selectors(item["rules"], label, f"{where}.rules")
        if not rules:
            raise ConfigError(f"{label}: {where}.rules: must name at least one rule or category")
        reason = item["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{label}: {where}.reason: must say why (a non-empty string)")
        entries.append(
            PathIgnore(
                pattern=pattern.strip(),
                rules=frozenset(rules),
                reason=reason.strip(),
                base=base,
                origin=f"{where} in {Path(label).name}",
            )
        )
    return tuple(entries)


def resolve(explicit: str | None, disabled: bool, cwd: Path | None = None) -> Config:
    """The config that applies: the named file, the discovered one, or none."""
    if explicit is not None:
        path = Path(explicit)
        if not path.exists():
            raise ConfigError(f"{explicit}: no such config file")
        return load(path)
    if disabled:
        return Config()
    found = discover(cwd or Path.cwd())
    return load(found) if found is not None else Config()


def merge(args: argparse.Namespace, config: Config) -> RunContext:
    """Fill the options the command line left unset from the config file, then the defaults,
    and return the run's context (``dapr_release`` None: the newest, or a profile's own)."""
    if args.select is None and config.select is not None:
        args.select = list(config.select)
    if args.ignore is None and config.ignore is not None:
        args.ignore = list(config.ignore)
    if args.format is None:
        args.format = config.format or DEFAULT_FORMAT
    if args.kube_version is None:
        args.kube_version = config.kube_version or DEFAULT_KUBE_VERSION
    if args.schema_dir is None:
        args.schema_dir = [str(d) for d in config.schema_dirs]
    if getattr(args, "dapr_version", None) is None:
        args.dapr_version = config.dapr_version
    return RunContext(
        kube_version=args.kube_version,
        dapr_release=args.dapr_version,
        schema_dirs=tuple(Path(d) for d in args.schema_dir),
        path_ignores=config.per_path_ignores,
        pod_security_enforce=getattr(args, "pod_security_enforce", None)
        or config.pod_security_enforce
        or DEFAULT_POD_SECURITY_ENFORCE,
        pod_security_warn=getattr(args, "pod_security_warn", None)
        or config.pod_security_warn
        or DEFAULT_POD_SECURITY_WARN,
        dapr_sidecar_drop_all=bool(
            getattr(args, "dapr_sidecar_drop_all", None) or config.dapr_sidecar_drop_all
        ),
        dapr_mode=getattr(args, "dapr_mode", None) or config.dapr_mode or DEFAULT_DAPR_MODE,
    )
