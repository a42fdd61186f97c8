"""The Resiliency and Subscription rules over whole manifests: silence on valid-but-tricky
resources, and exactly the expected errors on broken ones (all dapr rules, not one)."""

from __future__ import annotations

from pathlib import Path

from tools.core.findings import Severity
from tools.validate import Source, check, load_sources

RUNTIME = Path(__file__).resolve().parents[2] / "fixtures" / "dapr" / "runtime"


def _dapr_findings(name: str) -> list[tuple[str, str, str, str]]:
    path = RUNTIME / name
    loaded, _ = load_sources([Source(str(path), path.read_text(encoding="utf-8"))])
    return sorted(
        (f.rule, f.resource.name if f.resource else "", f.path, str(f.severity))
        for f in check(loaded, chosen={"dapr"})
    )


def test_tricky_valid_manifests_are_silent() -> None:
    assert _dapr_findings("tricky-valid.yaml") == []


def test_broken_manifests_get_their_errors() -> None:
    assert _dapr_findings("broken.yaml") == [
        ("dapr-resiliency-breaker", "bad-trip", "/spec/policies/circuitBreakers/cb/trip", "error"),
        ("dapr-resiliency-target", "bad-target", "/spec/targets/apps/shipping/retry", "error"),
        ("dapr-resiliency-timeout", "bad-timeout", "/spec/policies/timeouts/t1", "error"),
        ("dapr-subscription-metadata", "bad-topic", "/spec/metadata/rawPayload", "error"),
        ("dapr-subscription-route", "bad-match", "/spec/routes/rules/0/match", "error"),
        ("dapr-subscription-topic", "bad-topic", "/spec/topic", "error"),
    ]


def test_fixtures_are_schema_valid() -> None:
    for name in ("tricky-valid.yaml", "broken.yaml"):
        path = RUNTIME / name
        loaded, _ = load_sources([Source(str(path), path.read_text(encoding="utf-8"))])
        errors = [f for f in check(loaded, chosen={"schema"}) if f.severity is Severity.ERROR]
        assert errors == [], (name, errors)
