"""The issue's API-server cases through the whole validation (schema and kubernetes rules):
every refused object gets an error about its fault; valid-but-tricky objects get nothing."""

from __future__ import annotations

import pytest

from tools.core.findings import Finding
from tools.core.resources import load_text
from tools.validate import check

NETWORK_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: todo}
spec:
  podSelector:
    matchLabels: {app.kubernetes.io/name: todo, tier: '', long: VALUE63}
  policyTypes: [Ingress, Egress]
  egress:
    - to: [TO]
      ports: [PORT]
"""

REFUSED = {
    "cidr /33": ("{ipBlock: {cidr: 10.0.0.0/33}}", "{port: 443}", "ipBlock.cidr"),
    "except outside cidr": (
        "{ipBlock: {cidr: 10.0.0.0/8, except: [172.16.0.0/12]}}",
        "{port: 443}",
        "strict subset",
    ),
    "port 70000": ("{podSelector: {}}", "{port: 70000}", "between 1 and 65535"),
    "endPort below port": ("{podSelector: {}}", "{port: 9000, endPort: 8999}", "endPort"),
    "protocol ICMP": ("{podSelector: {}}", "{protocol: ICMP, port: 1}", '"ICMP"'),
}

TRICKY = {
    "IPv6 cidr and except": (
        "{ipBlock: {cidr: 'fd00::/8', except: ['fd00:1::/32']}}",
        "{port: 443}",
    ),
    "endPort equal to port": ("{podSelector: {}}", "{port: 32000, endPort: 32000}"),
    "SCTP": ("{namespaceSelector: {}}", "{protocol: SCTP, port: 3868}"),
    "named port": (
        "{podSelector: {matchExpressions: [{key: a, operator: Exists}]}}",
        "{port: grpc}",
    ),
}


def run(to: str, port: str) -> list[Finding]:
    text = NETWORK_POLICY.replace("TO", to).replace("PORT", port).replace("VALUE63", "v" * 63)
    return check(load_text(text, "case.yaml"), chosen={"schema", "kubernetes"})


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_objects_get_an_error_about_their_fault(case: str) -> None:
    to, port, fault = REFUSED[case]
    errors = [f.message for f in run(to, port) if f.is_error]
    assert errors and all(fault in m for m in errors), errors


@pytest.mark.parametrize("case", sorted(TRICKY))
def test_valid_but_tricky_objects_are_clean(case: str) -> None:
    assert run(*TRICKY[case]) == []


def test_relaxed_env_names_and_exact_limits_are_clean() -> None:
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: todo}
spec:
  containers:
    - name: NAME63
      image: busybox
      env: [{name: '1.weird name-ok', value: x}]
      resources: {requests: {memory: 1Gi}, limits: {memory: 1024Mi}}
""".replace("NAME63", "c" * 63)
    assert check(load_text(pod, "pod.yaml"), chosen={"schema", "kubernetes"}) == []
