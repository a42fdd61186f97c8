"""kubernetes-pod-resources: quantities and requests <= limits."""

from __future__ import annotations

from k8s_rule_util import errors, run
from pod_text import POD

from tools.rules.kubernetes.pod_resources import RULE


def resources(requests: str, limits: str) -> list[str]:
    text = POD.replace("requests: {cpu: 10m, memory: 16Mi}", f"requests: {requests}").replace(
        "limits: {cpu: 100m, memory: 64Mi}", f"limits: {limits}"
    )
    return errors(RULE, text)


def test_valid_resources_pass() -> None:
    assert errors(RULE, POD) == []
    assert resources("{cpu: '1', memory: 1Gi}", "{cpu: 1000m, memory: 1024Mi}") == []  # equal
    assert resources("{cpu: 0.5, memory: 1e9}", "{cpu: 1}") == []
    assert resources("{nvidia.com/gpu: 1}", "{nvidia.com/gpu: 1}") == []


def test_request_above_limit() -> None:
    assert resources("{cpu: 200m}", "{cpu: 100m}") == [
        'spec.containers[0].resources.requests: Invalid value: "200m": must be less than or '
        "equal to cpu limit of 100m"
    ]
    assert len(resources("{memory: 1Gi}", "{memory: 512Mi}")) == 1


def test_quantities_must_decode_and_not_be_negative() -> None:
    (bad,) = resources("{memory: 1 GB}", "{}")
    assert bad.startswith('spec.containers[0].resources.requests[memory]: Invalid value: "1 GB"')
    assert "quantities must match" in bad
    (negative,) = resources("{cpu: -1}", "{}")
    assert "must be greater than or equal to 0" in negative
    (finding,) = run(RULE, POD.replace("cpu: 10m", "cpu: 10x"))
    assert finding.path == "/spec/containers/0/resources/requests/cpu"
    assert resources("{cpu: '1e999999'}", "{cpu: 1}") == []  # too big to compare: not judged


def test_quantity_grammar_follows_parse_quantity() -> None:
    from fractions import Fraction

    from tools.rules.kubernetes._quantity import parse_quantity

    assert parse_quantity("100m") == Fraction(1, 10)
    assert parse_quantity("1Gi") == 2**30
    assert parse_quantity("1.5k") == 1500
    assert parse_quantity("1e3") == parse_quantity("1E3") == 1000
    assert parse_quantity("1E") == 10**18  # the Exa suffix, not an exponent
    assert parse_quantity(" 64Mi ") == 64 * 2**20  # surrounding space is trimmed
    assert parse_quantity("5.") == 5 and parse_quantity(".5") == Fraction(1, 2)
    assert parse_quantity("Mi") == 0  # an empty number reads as zero, as in Go
    assert parse_quantity(2) == 2 and parse_quantity(0.25) == Fraction(1, 4)
    for bad in ("", "1 GB", "1.2.3", "1e", "1k3", "abc", "1Kb", True, None, [1]):
        assert parse_quantity(bad) is None, bad
