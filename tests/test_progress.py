"""The progress counter shows on a terminal and stays silent elsewhere."""

from __future__ import annotations

import io

import pytest

from tools.core.progress import Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_counts_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    out = FakeTerminal()
    progress = Progress("rendering", 3, stream=out)
    for name in ("dev", "oke", "spec"):
        progress.step(name)
    progress.close()
    text = out.getvalue()
    assert "rendering 1/3  dev" in text and "rendering 3/3  spec" in text
    assert text.endswith("\r\033[K")


@pytest.mark.parametrize(
    ("ci", "quiet", "tty"), [("true", False, True), ("", True, True), ("", False, False)]
)
def test_silent_in_ci_quiet_or_pipes(
    monkeypatch: pytest.MonkeyPatch, ci: str, quiet: bool, tty: bool
) -> None:
    monkeypatch.setenv("CI", ci)
    out = FakeTerminal() if tty else io.StringIO()
    progress = Progress("rendering", 3, quiet=quiet, stream=out)
    progress.step("dev")
    progress.close()
    assert out.getvalue() == ""
