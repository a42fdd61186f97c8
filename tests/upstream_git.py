"""Where the tests find git clones of dapr/dapr and dapr/components-contrib (with their tags).

The importer tests compare the committed data with a fresh import from upstream source. They
need the clones named by ``TODO_DAPR_DAPR_GIT_DIR`` and ``TODO_DAPR_CONTRIB_GIT_DIR`` (bare or
``.git`` directories), the same variables ``nox -s lint`` reads; without them those tests skip
and say which variable to set.
"""

from __future__ import annotations

import os
from pathlib import Path

DAPR_VARIABLE = "TODO_DAPR_DAPR_GIT_DIR"
CONTRIB_VARIABLE = "TODO_DAPR_CONTRIB_GIT_DIR"


def git_dir(variable: str) -> Path:
    """The git directory a variable names, or a path that exists nowhere when it is unset."""
    value = os.environ.get(variable, "")
    return Path(value) if value else Path(os.devnull) / "unset"


def missing(variable: str, what: str) -> str:
    return f"set {variable} to a git clone of {what} with its release tags to run this test"
