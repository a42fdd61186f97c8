"""pytest plugin (``-p record_cases``): with ``TODO_DAPR_RECORD_CASES=<dir>``, every YAML text a
rule test hands to ``rule_check.check`` is appended, with the test and rule that used it, to
``<dir>/<worker>.jsonl``. The parity tests replay those cases against the real programs."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    target = os.environ.get("TODO_DAPR_RECORD_CASES")
    if not target:
        return
    import rule_check

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    out = Path(target) / f"{worker}.jsonl"
    original = rule_check.check

    def recording(rule: Any, text: str, name: str = "test.yaml", release: str | None = None) -> Any:
        test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
        line = json.dumps({"test": test, "rule": rule.id, "text": text, "release": release})
        with out.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        return original(rule, text, name, release)

    rule_check.check = recording
