"""kubernetes-pod-resources: quantities and requests <= limits."""

from __future__ import annotations

import pytest
from k8s_rule_util import errors, run
from pod_text import POD

from tools.rules.kubernetes._quantity import Unknown
from tools.rules.kubernetes.pod_resources import RULE, _decode


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
    (huge,) = resources("{cpu: 1e99999999999999999999}", "{}")  # ParseInt fails on the exponent
    assert huge.startswith("spec.containers[0].resources.requests[cpu]: Invalid value:")


def test_huge_quantities_are_compared() -> None:
    """The API server refuses `requests: Invalid value: "1e999999": must be less than or equal
    to cpu limit of 1`: a huge exponent is compared exactly, not skipped."""
    assert resources("{cpu: '1e999999'}", "{cpu: 1}") == [
        'spec.containers[0].resources.requests: Invalid value: "1e999999": must be less than or '
        "equal to cpu limit of 1"
    ]
    assert resources("{cpu: '1'}", "{cpu: '1e999999'}") == []
    assert resources("{cpu: '1e-999999'}", "{cpu: 1m}") == []  # rounds up to 1m
    assert len(resources("{memory: '1" + "0" * 200 + "'}", "{memory: 1e199}")) == 1
    assert resources("{memory: '1" + "0" * 200 + "'}", "{memory: 1e200}") == []
    # Go keeps int32(exponent): 1e4294967296 is 1, 1e4294967297 is 10.
    assert resources("{cpu: 1e4294967296}", "{cpu: 1}") == []
    assert len(resources("{cpu: 1e4294967297}", "{cpu: 1}")) == 1
    assert len(resources("{cpu: '1e" + "0" * 5000 + "1'}", "{cpu: 1}")) == 1  # 10
    assert len(resources("{cpu: '1" + "0" * 1000 + "'}", "{cpu: 1}")) == 1  # 1e1000
    with pytest.raises(Unknown):  # too many significant digits: not judged
        _decode("1" * 1001)
    assert _decode("1" * 1000 + "0" * 5000) == (int("1" * 1000), 5000)


def test_values_are_rounded_and_capped_as_the_api_server_does() -> None:
    """All accepted by the real API server: SetDefaults_ResourceList rounds up to milli-units,
    ParseQuantity caps binary amounts at 2**63-1."""
    assert resources("{cpu: 1.5n}", "{cpu: 1n}") == []  # both 1m
    assert resources("{cpu: 1.0001m}", "{cpu: 1.001m}") == []  # both 2m
    assert len(resources("{cpu: 1.5m}", "{cpu: 1m}")) == 1  # 2m above 1m
    assert resources("{memory: 9Ei}", "{memory: 8Ei}") == []  # both 2**63-1
    assert len(resources("{memory: 1.0005Ki}", "{memory: 1024.51}")) == 1  # 1024.512 above


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
