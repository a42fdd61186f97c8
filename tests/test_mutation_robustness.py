"""1,500 structural mutations of real manifests: a finding for each problem, never a crash.

The seeds are the Dapr fixtures and the chart's rendered profiles. Every mutated document is
written as YAML and validated through the public validator API, as a user's file would be; the
test fails on an exception or an internal-error finding (a rule that crashed).

The mutations are drawn in one sequence from one seed, exactly as before; validating them is
split into shards (mutation number modulo SHARDS), so that xdist workers share the work.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.chartutil import PROFILES, render_profile
from tests.mutations import mutate
from tools.validate import Source, validate

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COUNT = int(os.environ.get("TODO_DAPR_MUTATIONS") or "1500")
SEED = int(os.environ.get("TODO_DAPR_MUTATION_SEED") or "13")
SHARDS = 4

try:
    from yaml import CSafeDumper as Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]


def _seeds() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for file in sorted(FIXTURES.rglob("*.yaml")):
        docs.extend(
            d for d in yaml.safe_load_all(file.read_text(encoding="utf-8")) if isinstance(d, dict)
        )
    for profile in PROFILES:
        docs.extend(d.doc for d in render_profile(4, profile).documents)
    return docs


@pytest.fixture(scope="module")
def seeds() -> list[dict[str, Any]]:
    docs = _seeds()
    assert len(docs) > 40
    kinds = {d.get("kind") for d in docs}
    assert {"Component", "Subscription", "Configuration", "Resiliency", "NetworkPolicy"} <= kinds
    return docs


@pytest.fixture(scope="module")
def mutated(seeds: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """All COUNT mutations, drawn in order from one random sequence (the same in every shard)."""
    rng = random.Random(SEED)
    return [mutate(rng.choice(seeds), rng) for _ in range(COUNT)]


@pytest.mark.slow(1.2)
@pytest.mark.parametrize("shard", range(SHARDS))
def test_mutated_manifests_never_crash_a_rule(
    mutated: list[tuple[dict[str, Any], str]], shard: int
) -> None:
    assert len(mutated) == COUNT
    failures: list[str] = []
    for number in range(shard, COUNT, SHARDS):
        doc, what = mutated[number]
        text = yaml.dump(doc, Dumper=Dumper, allow_unicode=False, sort_keys=False)
        try:
            report = validate([Source(f"mutation-{number}.yaml", text)])
        except Exception as exc:
            failures.append(f"{number} ({what}): {type(exc).__name__}: {exc}")
            continue
        crashed = [f.rule for f in report.findings if "internal error" in f.message]
        if crashed:
            failures.append(f"{number} ({what}): internal error in {crashed}")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("port", [[1], {"a": 1}, 1.5, "²", "\uff11\uff12", True, 2**70, -1])
def test_a_network_policy_port_of_any_shape_is_no_crash(port: Any) -> None:
    """Found by the mutations: a list as an egress port crashed the egress rule."""
    doc = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "n", "namespace": "todo"},
        "spec": {
            "podSelector": {},
            "policyTypes": ["Egress"],
            "egress": [{"ports": [{"port": port, "endPort": port}]}],
        },
    }
    text = yaml.dump(doc, Dumper=Dumper)
    report = validate([Source("port.yaml", text)])
    assert [f.rule for f in report.findings if "internal error" in f.message] == []
