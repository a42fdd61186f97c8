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
