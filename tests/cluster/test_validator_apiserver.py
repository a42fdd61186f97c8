"""The validator's verdicts against the real API server: every document of the project's test
corpora (fixtures, Dapr's real manifests beside the project, the texts the rule tests use)
sent with a server-side dry run.

Where the validator reports an error that predicts a refusal (kubernetes and schema rules, and
Pod Security at the namespace's enforce level), the API server must refuse the document; where
the API server refuses one, the validator must have said so. Every disagreement is either fixed
or explained, with its reason, in apiserver_parity_explained.yaml; the table of all of them is
written to build/parity/parity-apiserver.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from apiserver_parity import Outcome, Tally, by_rule, predicts_refusal, run, unpredicted
from parity import (
    ROOT,
    Case,
    example_cases,
    fixture_cases,
    judge,
    rule_cases,
)

from tools.cluster.kubeapi import KubeClient

EXPLAINED = Path(__file__).with_name("apiserver_parity_explained.yaml")
REPORT = ROOT / "build" / "parity" / "parity-apiserver.md"


def _cases(recorded: Path) -> Iterator[Case]:
    yield from fixture_cases()
    yield from example_cases()
    yield from rule_cases(recorded)


@pytest.fixture(scope="module")
def tally(kube: KubeClient, recorded_rule_cases: Path) -> Tally:
    judged = (judge(case, predicts_refusal) for case in _cases(recorded_rule_cases))
    return run(kube, judged)


def _explained() -> dict[str, Any]:
    data = yaml.safe_load(EXPLAINED.read_text(encoding="utf-8")) or {}
    assert isinstance(data, dict)
    return data


def _reason(explained: dict[str, Any], outcome: Outcome, rule: str | None = None) -> str | None:
    """Why a disagreement is expected: by rule, by document, or by the server's message."""
    if rule is not None and rule in explained.get("rules", {}):
        return str(explained["rules"][rule])
    if outcome.judged.label in explained.get("documents", {}):
        return str(explained["documents"][outcome.judged.label])
    for fragment, reason in explained.get("messages", {}).items():
        if fragment in outcome.message:
            return str(reason)
    return None


def _why(explained: dict[str, Any], outcome: Outcome, rule: str | None = None) -> str:
    reason = _reason(explained, outcome, rule)
    return "" if reason is None else f" — explained: {' '.join(reason.split())[:200]}"


def _line(outcome: Outcome) -> str:
    message = " ".join(outcome.message.split())[:300]
    return f"{outcome.judged.label}: HTTP {outcome.status} {message}"


def _write_report(tally: Tally, explained: dict[str, Any]) -> None:
    rows = by_rule(tally.outcomes)
    lines = [
        "# Validator against the real API server (server-side dry run)",
        "",
        f"Documents sent: {len(tally.outcomes)}; kinds the server does not serve: "
        f"{sum(tally.not_served.values())}; not sendable (no apiVersion/kind): {tally.not_sent}.",
        f"Accepted: {sum(o.accepted for o in tally.outcomes)}; refused: "
        f"{sum(not o.accepted for o in tally.outcomes)}.",
        "",
        "| rule | error and refused | error but accepted | explained |",
        "|---|---:|---:|---|",
    ]
    reasons = explained.get("rules", {})
    for rule, row in rows.items():
        note = " ".join(str(reasons.get(rule, "")).split())
        lines.append(f"| {rule} | {row.agree} | {len(row.accepted)} | {note} |")
    lines += ["", "## Refused without a validator error", ""]
    for outcome in unpredicted(tally.outcomes):
        lines.append(f"- {_line(outcome)}{_why(explained, outcome)}")
    lines += ["", "## Error but accepted", ""]
    for rule, row in rows.items():
        for outcome in row.accepted:
            lines.append(f"- {rule}: {_line(outcome)}{_why(explained, outcome, rule)}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_every_disagreement_is_explained(tally: Tally) -> None:
    explained = _explained()
    _write_report(tally, explained)
    rows = by_rule(tally.outcomes)
    accepted = {
        f"{rule}: {_line(o)}"
        for rule, row in rows.items()
        for o in row.accepted
        if _reason(explained, o, rule) is None
    }
    refused = {_line(o) for o in unpredicted(tally.outcomes) if _reason(explained, o) is None}
    assert not accepted, "validator error, API server accepted:\n" + "\n".join(sorted(accepted))
    assert not refused, "API server refused, validator silent:\n" + "\n".join(sorted(refused))


def test_no_explanation_is_stale(tally: Tally) -> None:
    explained = _explained()
    rows = by_rule(tally.outcomes)
    disagreeing_rules = {rule for rule, row in rows.items() if row.accepted}
    disagreeing = [o for row in rows.values() for o in row.accepted]
    disagreeing += unpredicted(tally.outcomes)
    labels = {o.judged.label for o in disagreeing}
    assert set(explained.get("rules", {})) <= disagreeing_rules
    assert set(explained.get("documents", {})) <= labels
    for fragment in explained.get("messages", {}):
        assert any(fragment in o.message for o in disagreeing), fragment


def test_the_corpus_is_large_and_mostly_agrees(tally: Tally) -> None:
    refused = [o for o in tally.outcomes if not o.accepted]
    agreeing = [o for o in tally.outcomes if o.accepted is not o.predicted]
    assert len(tally.outcomes) > 1500
    assert len(refused) > 200
    assert len(agreeing) > 0.9 * len(tally.outcomes)
