"""The validator's daprd-facing verdicts against a real daprd (our slim 1.18 build, standalone).

Every document daprd loads (Component, Subscription, Resiliency, HTTPEndpoint from a resources
path; Configuration by --config) in the fixtures, the real manifests beside the project and the
texts the rule tests give their rules is judged twice: by the validator (its errors in the
categories that predict what daprd does: dapr, schema, reference; self-hosted mode, Dapr 1.18)
and by daprd, which loads the document alone (daprd_loading.py). The parity table goes to
build/parity/parity-daprd.md; a disagreement not explained in daprd_parity_explained.yaml, or
an explanation that explains nothing any more, fails the test.

Side A is "validator error, daprd loads it", side B "validator clean, daprd refuses it".
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from daprd_loading import (
    ACCEPTED,
    NOT_JUDGEABLE,
    NOT_REGISTERED,
    REFUSED,
    Outcome,
    is_loaded_kind,
    load_alone,
    plan,
    prepare_postgres,
    registered,
    stack_values,
)
from parity import EXAMPLES, Case, Judged, example_cases, fixture_cases, judge, rule_cases

from tools.cluster import stack
from tools.cluster.daprd import daprd_binary
from tools.core.context import RunContext
from tools.core.findings import Finding
from tools.core.resources import load_text

ROOT = Path(__file__).resolve().parents[2]
EXPLAINED = Path(__file__).with_name("daprd_parity_explained.yaml")
REPORT = ROOT / "build" / "parity" / "parity-daprd.md"
RELEASE = "1.18"
CONTEXT = RunContext(dapr_release=RELEASE, dapr_mode="self-hosted")
PREDICTING = frozenset({"dapr", "schema", "reference"})
# At most this many documents of one case: a rule test's stress text holds thousands of
# Subscriptions that differ only in their names.
PER_CASE = 10
WORKERS = 2


def predicts_refusal(finding: Finding) -> bool:
    return finding.category in PREDICTING


@dataclass(frozen=True)
class Item:
    judged: Judged
    text: str


@dataclass(frozen=True)
class Row:
    judged: Judged
    outcome: Outcome


@dataclass(frozen=True)
class Disagreement:
    side: str  # "A" or "B"
    rule: str  # the validator's rule (A) or "" (B)
    label: str
    said: str  # the validator's message (A) or daprd's (B)
    reason: str  # daprd's message class (B)


def collect(cases: Sequence[Case], counts: Counter[str]) -> list[Item]:
    """The documents to load, each once (the same text with the same verdict is judged once)."""
    items: list[Item] = []
    seen: set[tuple[str, frozenset[str]]] = set()
    for case in cases:
        taken = 0
        texts: list[Any] | None = None
        for judged in judge(case, predicts_refusal, CONTEXT):
            if not is_loaded_kind(judged.doc):
                continue
            taken += 1
            if taken > PER_CASE:
                counts["capped"] += 1
                continue
            if texts is None:
                texts = load_text(case.text, case.source).resources
            text = texts[judged.index].text
            if (text, judged.rules) in seen:
                counts["duplicate"] += 1
                continue
            seen.add((text, judged.rules))
            if not registered(judged.doc, judged.rules):
                counts[NOT_REGISTERED] += 1
                continue
            items.append(Item(judged, text))
    return items


def load_all(items: Sequence[Item], info: stack.StackInfo) -> list[Row]:
    binary = daprd_binary(RELEASE)
    prepare_postgres(info)
    values = stack_values(info)
    env = {"KUBECONFIG": info.kubeconfig}

    def one(item: Item) -> Row:
        setup = plan(item.judged.doc, item.text, values)
        return Row(item.judged, load_alone(binary, setup, env=env))

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(one, items))


def disagreements(rows: Sequence[Row]) -> Iterator[Disagreement]:
    for row in rows:
        label, verdict = row.judged.label, row.outcome.verdict
        if verdict == ACCEPTED:
            for finding in row.judged.errors:
                yield Disagreement("A", finding.rule, label, finding.message, "")
        elif verdict == REFUSED and not row.judged.errors:
            yield Disagreement("B", "", label, row.outcome.detail, row.outcome.reason)


def _matches(entry: dict[str, Any], found: Disagreement) -> bool:
    if entry.get("side") != found.side:
        return False
    if "rule" in entry and entry["rule"] != found.rule:
        return False
    if "case" in entry and str(entry["case"]) not in found.label:
        return False
    if "message" in entry and not re.search(str(entry["message"]), found.said):
        return False
    return "daprd" not in entry or bool(
        re.search(str(entry["daprd"]), f"{found.reason}\n{found.said}")
    )


def load_explained() -> list[dict[str, Any]]:
    entries = yaml.safe_load(EXPLAINED.read_text(encoding="utf-8"))
    assert isinstance(entries, list)
    for entry in entries:
        assert isinstance(entry, dict) and entry.get("side") in ("A", "B"), entry
        assert str(entry.get("reason", "")).strip(), f"explained entry without a reason: {entry}"
        assert {"rule", "case", "message", "daprd"} & entry.keys(), entry
    return entries


def explain(
    found: Sequence[Disagreement], entries: Sequence[dict[str, Any]]
) -> tuple[list[tuple[Disagreement, dict[str, Any] | None]], list[dict[str, Any]]]:
    """Each disagreement with the first entry explaining it (or None), and the stale entries.
    An entry about the real manifests beside the project is not stale when they are absent."""
    used: set[int] = set()
    paired: list[tuple[Disagreement, dict[str, Any] | None]] = []
    for item in found:
        match = next((i for i, e in enumerate(entries) if _matches(e, item)), None)
        if match is not None:
            used.add(match)
        paired.append((item, entries[match] if match is not None else None))
    stale = [
        e
        for i, e in enumerate(entries)
        if i not in used
        and (EXAMPLES.is_dir() or not str(e.get("case", "")).startswith("examples/"))
    ]
    return paired, stale


def _cell(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split()).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def report(
    rows: Sequence[Row],
    paired: Sequence[tuple[Disagreement, dict[str, Any] | None]],
    counts: Counter[str],
    seconds: dict[str, float],
) -> str:
    agree: Counter[str] = Counter()
    side_a: Counter[str] = Counter()
    side_b: Counter[str] = Counter()
    for row in rows:
        if row.outcome.verdict == REFUSED:
            agree.update(row.judged.rules)
        elif row.outcome.verdict == ACCEPTED:
            side_a.update(row.judged.rules)
    for item, _entry in paired:
        if item.side == "B":
            side_b[item.reason] += 1
    verdicts = Counter(row.outcome.verdict for row in rows)
    clean = sum(1 for r in rows if r.outcome.verdict == ACCEPTED and not r.judged.errors)
    lines = [
        f"# Validator against daprd {RELEASE} (slim build, standalone)",
        "",
        "Written by tests/cluster/test_validator_daprd.py. Each document is loaded alone; the "
        "validator runs in self-hosted mode and its errors in the dapr, schema and reference "
        "categories are its prediction.",
        "",
        f"- documents judged by daprd: {len(rows) - verdicts[NOT_JUDGEABLE]} "
        f"(accepted {verdicts[ACCEPTED]}, refused {verdicts[REFUSED]}; "
        f"validator clean and daprd loaded: {clean})",
        f"- not judgeable here (server, file or identity of another machine; start deadline): "
        f"{verdicts[NOT_JUDGEABLE]}",
        f"- not registered in the slim build: {counts[NOT_REGISTERED]}",
        f"- left out: {counts['duplicate']} duplicates, {counts['capped']} over {PER_CASE} "
        "documents of one case",
        f"- time: validator {seconds['judge']:.0f} s, daprd {seconds['daprd']:.0f} s "
        f"({WORKERS} at a time)",
        "",
        "## Per rule",
        "",
        "| rule | agree (error, daprd refused) | A (error, daprd loaded) |",
        "|---|---:|---:|",
    ]
    for rule in sorted(set(agree) | set(side_a)):
        lines.append(f"| {rule} | {agree[rule]} | {side_a[rule]} |")
    lines += [
        "",
        "## B: validator clean, daprd refused (by daprd's message)",
        "",
        "| daprd | B |",
        "|---|---:|",
    ]
    for reason, number in sorted(side_b.items()):
        lines.append(f"| {_cell(reason)} | {number} |")
    lines += ["", "## Disagreements", "", "| side | rule | case | said | explained |"]
    lines.append("|---|---|---|---|---|")
    for item, entry in paired:
        why = _cell(str(entry["reason"]), 200) if entry else "**NOT EXPLAINED**"
        lines.append(
            f"| {item.side} | {item.rule or item.reason} | {_cell(item.label, 120)} | "
            f"{_cell(item.said)} | {why} |"
        )
    lines += ["", "## Not judgeable here", "", "| case | why | daprd |", "|---|---|---|"]
    for row in rows:
        if row.outcome.verdict == NOT_JUDGEABLE:
            lines.append(
                f"| {_cell(row.judged.label, 120)} | {row.outcome.reason} | "
                f"{_cell(row.outcome.detail)} |"
            )
    return "\n".join(lines) + "\n"


def test_validator_verdicts_match_daprd(
    cluster: stack.StackInfo, recorded_rule_cases: Path
) -> None:
    counts: Counter[str] = Counter()
    began = time.monotonic()
    cases = [*fixture_cases(), *example_cases(), *rule_cases(recorded_rule_cases)]
    items = collect(cases, counts)
    seconds = {"judge": time.monotonic() - began}
    began = time.monotonic()
    rows = load_all(items, cluster)
    seconds["daprd"] = time.monotonic() - began
    paired, stale = explain(list(disagreements(rows)), load_explained())
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(report(rows, paired, counts, seconds), encoding="utf-8")
    unexplained = [item for item, entry in paired if entry is None]
    problems = [
        f"{d.side} {d.rule or d.reason}: {d.label}: {_cell(d.said)}" for d in unexplained
    ] + [f"stale explained entry: {e}" for e in stale]
    assert not problems, f"see {REPORT}:\n" + "\n".join(problems)
