"""A one-line progress counter on an interactive terminal; silent in CI, pipes and --quiet."""

from __future__ import annotations

import os
import sys
from typing import TextIO


class Progress:
    def __init__(
        self, label: str, total: int, *, quiet: bool = False, stream: TextIO | None = None
    ):
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = (
            not quiet
            and total > 1
            and self.stream.isatty()
            and not os.environ.get("CI")
            and os.environ.get("TERM") != "dumb"
        )

    def step(self, note: str = "") -> None:
        self.done += 1
        if self.enabled:
            text = f"{self.label} {self.done}/{self.total}"
            if note:
                text += f"  {note}"
            self.stream.write(f"\r\033[K{text}")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")
            self.stream.flush()
