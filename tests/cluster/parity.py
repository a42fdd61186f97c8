"""The corpora the parity tests replay against the real programs, and the validator's verdict
on each document of them.

A case is one YAML text judged as a whole, as a user would validate it: a fixture file, a
real manifest of Dapr's, a rendered profile, or the text a rule test gave its rule (recorded by
the ``record_cases`` plugin). Each document in it gets the validator's errors that predict a
refusal by the program under test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.core.context import RunContext
from tools.core.findings import Finding
from tools.core.resources import load_text
from tools.validate import check

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
EXAMPLES = ROOT.parent / "shared" / "reference" / "examples"


@dataclass(frozen=True)
class Case:
    source: str
    text: str
    release: str | None = None


@dataclass(frozen=True)
class Judged:
    """One document of a case and the validator's errors on it that a predicate selected."""

    case: Case
    index: int
    doc: dict[str, Any]
    errors: tuple[Finding, ...]

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(f.rule for f in self.errors)

    @property
    def label(self) -> str:
        meta = self.doc.get("metadata")
        name = meta.get("name") if isinstance(meta, dict) else None
        return f"{self.case.source} #{self.index} {self.doc.get('kind')}/{name}"


def fixture_cases() -> Iterator[Case]:
    for path in sorted((TESTS / "fixtures").rglob("*.yaml")):
        yield Case(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))


def example_cases() -> Iterator[Case]:
    """The real manifests of dapr/quickstarts, dapr/samples and components-contrib beside the
    project (../shared/reference/examples), when present."""
    if not EXAMPLES.is_dir():
        return
    for path in sorted([*EXAMPLES.rglob("*.yaml"), *EXAMPLES.rglob("*.yml")]):
        yield Case(str(path.relative_to(EXAMPLES.parent)), path.read_text(encoding="utf-8"))


def record_rule_cases(out_dir: Path, test_dirs: Iterable[str] = ("tests/rules",)) -> None:
    """Run the rule tests once with the recording plugin, writing ``out_dir/*.jsonl``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "TODO_DAPR_RECORD_CASES": str(out_dir),
        "PYTHONPATH": os.pathsep.join([str(TESTS / "cluster"), str(TESTS)]),
    }
    env.pop("TODO_DAPR_CLUSTER", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "record_cases",
            "-n",
            "2",
            *test_dirs,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    # Exit 1 (some rule test failed) still records every case: `nox -s test` judges the rule
    # tests; here only their inputs matter. Anything else means pytest itself failed.
    if done.returncode not in (0, 1) or not any(out_dir.glob("*.jsonl")):
        raise AssertionError(f"recording the rule cases failed:\n{done.stdout[-3000:]}")


def rule_cases(recorded: Path) -> Iterator[Case]:
    seen: set[tuple[str, str | None]] = set()
    for path in sorted(recorded.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = json.loads(line)
            key = (entry["text"], entry.get("release"))
            if key in seen:
                continue
            seen.add(key)
            yield Case(f"{entry['test']}", entry["text"], entry.get("release"))


def judge(
    case: Case, predicts_refusal: Callable[[Finding], bool], context: RunContext | None = None
) -> list[Judged]:
    """Validate the case as a whole; each loaded document with the errors ``predicts_refusal``
    keeps (findings outside any document, such as YAML syntax errors, are dropped)."""
    loaded = load_text(case.text, case.source)
    context = context or RunContext(dapr_release=case.release)
    findings = check(loaded, context=context)
    by_resource: dict[int, list[Finding]] = {}
    for finding in findings:
        if finding.resource is not None and finding.is_error and predicts_refusal(finding):
            by_resource.setdefault(id(finding.resource), []).append(finding)
    return [
        Judged(case, number, resource.doc, tuple(by_resource.get(id(resource), ())))
        for number, resource in enumerate(loaded.resources)
        if isinstance(resource.doc, dict)
    ]
