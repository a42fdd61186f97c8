"""Programs outside pip that a few tests need: skipped with a reason that names the program on
a machine without it, a failure under CI (``CI`` set), where ``.ci/run`` installs them."""

from __future__ import annotations

import os
import shutil

import pytest


def require(program: str, package: str) -> str:
    """The path of ``program``, or skip (locally) / fail (CI) saying which package provides it."""
    found = shutil.which(program)
    if found:
        return found
    message = f"{program} is not installed (apt-get install {package})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
