"""The bounds every publish wait shares: one overall deadline and a bounded retry policy."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_TIMEOUT = 600.0
MAX_TIMEOUT = 86400.0
"""``--timeout`` bounds: the default, and the most it takes (a day)."""


def deadline_phrase(seconds: float | None) -> str:
    """How every message names the overall limit: ``--timeout`` is the flag that sets it."""
    return f"the publish deadline of {seconds:g} s (--timeout)"


@dataclass(frozen=True)
class Retry:
    """Bounded exponential backoff: ``attempts`` tries, waits ``base``, ``2*base``, ..."""

    attempts: int = 4
    base: float = 0.5
    cap: float = 8.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        return float(min(self.cap, self.base * (2**attempt)))


class Deadline:
    """One overall time limit, shared by every request, retry and subprocess of a publish."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - time.monotonic()

    def cap(self, seconds: float) -> float:
        """``seconds``, or less when the overall deadline comes sooner (never below zero)."""
        left = self.remaining()
        return max(0.0, seconds if left is None else min(seconds, left))

    @property
    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0

    @property
    def phrase(self) -> str:
        return deadline_phrase(self.seconds)
