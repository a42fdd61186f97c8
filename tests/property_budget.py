"""How many examples a Hypothesis property draws.

The test suite runs each property at a smoke count, enough to catch a schema or rule that has
drifted apart in the common cases; ``nox -s fuzz`` sets ``TODO_DAPR_FUZZ_EXAMPLES`` and runs
every property at its full count, where the rare shapes are found.
"""

from __future__ import annotations

import os

SUITE_EXAMPLES = 40
FULL_RUN = bool(os.environ.get("TODO_DAPR_FUZZ_EXAMPLES"))


def examples(full: int) -> int:
    """``full`` under ``nox -s fuzz``, else the suite's smoke count (never more than ``full``)."""
    return full if FULL_RUN else min(full, SUITE_EXAMPLES)
