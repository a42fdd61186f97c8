"""A minimal chart for the publishing and packaging tests: one ConfigMap template, one value."""

from __future__ import annotations

from pathlib import Path


def make_chart(
    root: Path,
    version: str = "0.1.0",
    note: str = "one",
    *,
    app_version: str | None = "1.0",
    description: str = "test chart",
) -> Path:
    """``root/todo-dapr``; charts with another ``note`` differ in content, so in digest."""
    chart = root / "todo-dapr"
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    app = f"appVersion: '{app_version}'\n" if app_version is not None else ""
    (chart / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: todo-dapr\nversion: {version}\n{app}description: {description}\n",
        encoding="utf-8",
    )
    (chart / "values.yaml").write_text(f"note: {note}\n", encoding="utf-8")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
        "data:\n  note: {{ .Values.note | quote }}\n",
        encoding="utf-8",
    )
    return chart
