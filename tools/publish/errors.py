"""How publishing fails: refused (exit 1) or unusable flags and environment (exit 2), and the one
way a lower layer's error becomes one of them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from tools.core.findings import EXIT_USAGE

EXIT_REFUSED = 1
"""Publishing was refused or failed; nothing new is tagged."""


class PublishError(Exception):
    """Publishing was refused or failed; nothing new is tagged. Exit status 1.

    ``details`` are lines printed before the message (the gate's findings).
    """

    exit_status = EXIT_REFUSED

    def __init__(self, message: str, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.details = list(details)


class PublishUsageError(Exception):
    """Bad flags or environment (helm missing, unreadable chart). Exit status 2."""

    exit_status = EXIT_USAGE


@contextlib.contextmanager
def translated(
    *,
    usage: tuple[type[Exception], ...] = (),
    refused: tuple[type[Exception], ...] = (),
) -> Iterator[None]:
    """Another layer's errors as publish errors, with their message: ``usage`` ones become a
    :class:`PublishUsageError`, ``refused`` ones a :class:`PublishError`."""
    try:
        yield
    except usage as exc:
        raise PublishUsageError(str(exc)) from None
    except refused as exc:
        raise PublishError(str(exc)) from None
