"""The security yardstick: hostile manifests each rule must catch, hardened ones nothing may flag.

tests/fixtures/security/hostile/*.yaml are what a team deploying a Dapr app might ship, one flaw
per file. Each begins with ``# expect: <rule-id>[, <rule-id>...]`` (the rules that must report
it, as an error or a warning) and ``# why: ...``. tests/fixtures/security/hardened/*.yaml are the
same app deployed with every safeguard: no rule of any category may report anything on them,
not even information. bench/checkov_compare.py runs checkov over the same files.

Both sets are validated as for a cluster whose Dapr sidecar injector drops every capability of
daprd (``--dapr-sidecar-drop-all``): that setting is the control plane's, no manifest can carry
it, and without it no Dapr pod meets the restricted level.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.core.context import RunContext
from tools.core.findings import Finding, Severity
from tools.rules import all_rules
from tools.validate import Source, validate

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "security"
HOSTILE = sorted((FIXTURES / "hostile").glob("*.yaml"))
HARDENED = sorted((FIXTURES / "hardened").glob("*.yaml"))
CLUSTER = RunContext(dapr_sidecar_drop_all=True)


def expected_rules(path: Path) -> list[str]:
    """The rule ids of the file's ``# expect:`` line (its first line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines[0] if lines else ""
    assert first.startswith("# expect: "), f"{path.name}: the first line must be '# expect: ...'"
    ids = [part.strip() for part in first.removeprefix("# expect: ").split(",")]
    assert all(ids), f"{path.name}: an empty rule id in {first!r}"
    return ids


def findings(*paths: Path, context: RunContext = CLUSTER) -> list[Finding]:
    sources = [Source(str(p), p.read_text(encoding="utf-8")) for p in paths]
    return validate(sources, context=context).findings


def test_the_sets_are_there() -> None:
    assert len(HOSTILE) >= 30
    assert HARDENED
    for path in HOSTILE:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[1].startswith("# why: ") and len(lines[1]) > len("# why: "), path.name


def test_every_expected_rule_exists() -> None:
    known = {rule.id for rule in all_rules()}
    missing = {
        path.name: sorted(set(expected_rules(path)) - known)
        for path in HOSTILE
        if set(expected_rules(path)) - known
    }
    assert missing == {}


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_case_is_reported(path: Path) -> None:
    found = findings(path)
    assert not [f for f in found if "internal error" in f.message]
    reported = {
        f.rule
        for f in found
        if f.suppressed is None and f.severity in (Severity.ERROR, Severity.WARNING)
    }
    missing = [rule for rule in expected_rules(path) if rule not in reported]
    assert missing == [], f"{path.name}: not reported by {missing}; reported: {sorted(reported)}"


@pytest.mark.parametrize("path", HARDENED, ids=[p.stem for p in HARDENED])
def test_hardened_file_has_no_finding(path: Path) -> None:
    assert [(f.rule, f.severity, f.path, f.message) for f in findings(path)] == []


def test_hardened_files_together_have_no_finding() -> None:
    """Cross-resource rules see every file at once: still nothing."""
    assert [(f.file, f.rule, f.path, f.message) for f in findings(*HARDENED)] == []


def test_hardened_needs_only_the_injector_setting() -> None:
    """Without --dapr-sidecar-drop-all, the injected daprd is all that restricted refuses."""
    found = findings(*HARDENED, context=RunContext())
    assert [(f.rule, f.path) for f in found] == [
        (
            "security-pss-capabilities-restricted",
            "/spec/template/metadata/annotations/dapr.io~1enabled",
        )
    ]
    assert '"daprd"' in found[0].message
