"""Find charts (ct.yaml ``chart-dirs``) and their profiles (``ci/<name>-values.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tools.core import yaml_text
from tools.core.bounded_read import MAX_VALUES_BYTES, InputError, check_file, read_text
from tools.core.findings import EXIT_USAGE

DEFAULT_CHART_DIRS = ("charts",)


class ProfileError(Exception):
    """A chart, profile or values file that cannot be used; the CLI exits 2 with the message."""

    exit_status = EXIT_USAGE


@dataclass(frozen=True)
class Profile:
    """One way to render a chart: the chart plus values files, applied in order like ``helm -f``."""

    name: str
    chart: Path
    values_files: tuple[Path, ...] = field(default=())


def repo_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` holding ct.yaml, else ``start`` itself."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "ct.yaml").is_file():
            return candidate
    return here


def chart_dirs(root: Path) -> list[Path]:
    config = root / "ct.yaml"
    dirs: list[str] = list(DEFAULT_CHART_DIRS)
    if config.is_file():
        try:
            data = yaml_text.load(read_text(config, MAX_VALUES_BYTES, "chart-testing config")) or {}
        except InputError as exc:
            raise ProfileError(str(exc)) from exc
        except yaml.YAMLError as exc:
            raise ProfileError(f"{config}: not valid YAML ({exc})") from exc
        if not isinstance(data, dict):
            raise ProfileError(f"{config}: expected a mapping with chart-dirs")
        configured = data.get("chart-dirs", dirs)
        if not isinstance(configured, list) or not all(isinstance(d, str) for d in configured):
            raise ProfileError(f"{config}: chart-dirs must be a list of directory names")
        dirs = configured
    return [root / d for d in dirs]


def find_charts(root: Path) -> list[Path]:
    charts: list[Path] = []
    for directory in chart_dirs(root):
        if not directory.is_dir():
            continue
        charts.extend(sorted(p.parent for p in directory.glob("*/Chart.yaml")))
    return charts


def chart_profiles(chart: Path) -> list[Profile]:
    files = sorted((chart / "ci").glob("*-values.yaml"))
    return [Profile(f.name.removesuffix("-values.yaml"), chart, (f,)) for f in files]


def resolve_chart(chart: str | None, root: Path) -> Path:
    if chart:
        path = Path(chart)
        if not (path / "Chart.yaml").is_file():
            raise ProfileError(f"{chart}: no Chart.yaml there; --chart takes a chart directory")
        return path
    charts = find_charts(root)
    if not charts:
        raise ProfileError(
            f"no chart found under the chart-dirs of {root / 'ct.yaml'}; pass --chart DIR"
        )
    if len(charts) > 1:
        names = ", ".join(str(c) for c in charts)
        raise ProfileError(f"several charts found ({names}); choose one with --chart DIR")
    return charts[0]


def select_profiles(
    chart: Path, names: list[str] | None, values_files: list[str] | None
) -> list[Profile]:
    """Profiles named with --profile, or one profile from -f files, or every ci/ profile."""
    if values_files:
        paths = []
        for item in values_files:
            path = Path(item)
            if not path.exists():
                raise ProfileError(f"{item}: values file not found")
            try:
                check_file(path, MAX_VALUES_BYTES, "values file")
            except InputError as exc:
                raise ProfileError(str(exc)) from exc
            paths.append(path)
        name = paths[-1].name.removesuffix(".yaml").removesuffix(".yml")
        name = name.removesuffix("-values") or "values"
        base: tuple[Path, ...] = ()
        if names:
            base = _named(chart, names)[0].values_files if len(names) == 1 else ()
            if len(names) > 1:
                raise ProfileError("-f combines with at most one --profile")
        return [Profile(name, chart, (*base, *paths))]
    if names:
        return _named(chart, names)
    profiles = chart_profiles(chart)
    if not profiles:
        return [Profile("default", chart, ())]
    return profiles


def _named(chart: Path, names: list[str]) -> list[Profile]:
    available = {p.name: p for p in chart_profiles(chart)}
    chosen = []
    for name in names:
        if name not in available:
            known = ", ".join(sorted(available)) or "none"
            raise ProfileError(
                f"profile {name!r} not found in {chart / 'ci'} (available: {known}); "
                f"a profile is a file ci/<name>-values.yaml"
            )
        chosen.append(available[name])
    return chosen


def _release_in(path: Path) -> str | None:
    """The ``daprVersion`` a values file sets (None when it sets none or cannot be read)."""
    try:
        data = yaml_text.load(read_text(path, MAX_VALUES_BYTES, "values file"))
    except (InputError, yaml.YAMLError):
        return None  # the render reports the file itself
    value = data.get("daprVersion") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


def profile_release(profile: Profile) -> str:
    """The Dapr release a profile renders for: the last ``daprVersion`` its values files set,
    else the chart's values.yaml, else the chart's ``appVersion``, else the newest supported."""
    from tools.dapr.releases import ReleaseError, parse_release
    from tools.dapr.supported import NEWEST

    chosen: str | None = None
    for path in (profile.chart / "values.yaml", *profile.values_files):
        chosen = _release_in(path) or chosen
    if chosen is None:
        try:
            chart = yaml_text.load(
                read_text(profile.chart / "Chart.yaml", MAX_VALUES_BYTES, "Chart.yaml")
            )
        except (InputError, yaml.YAMLError):
            chart = None
        app = chart.get("appVersion") if isinstance(chart, dict) else None
        chosen = str(app) if app is not None else NEWEST
    try:
        return parse_release(chosen)
    except ReleaseError as exc:
        raise ProfileError(f"profile {profile.name}: {exc} (set --dapr-version)") from exc
