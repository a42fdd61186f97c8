"""kubernetes-networkpolicy-port: ValidateNetworkPolicyPort."""

from __future__ import annotations

from k8s_rule_util import errors, run

from tools.rules.kubernetes.networkpolicy_port import RULE

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: todo}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - ports:
        - PORT
"""


def port(entry: str) -> list[str]:
    return errors(RULE, POLICY.replace("PORT", entry))


def test_valid_ports_pass() -> None:
    assert port("{protocol: TCP, port: 443}") == []
    assert port("{protocol: SCTP, port: 3868}") == []
    assert port("{protocol: UDP, port: 32000, endPort: 32000}") == []  # endPort == port
    assert port("{port: 1, endPort: 65535}") == []
    assert port("{port: http-alt}") == []
    assert port("{protocol: TCP}") == []  # every port


def test_port_out_of_range() -> None:
    (message,) = port("{protocol: TCP, port: 70000}")
    assert message == (
        "spec.egress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
    )
    (finding,) = run(RULE, POLICY.replace("PORT", "{port: 0}"))
    assert finding.path == "/spec/egress/0/ports/0/port"


def test_end_port_rules() -> None:
    (below,) = port("{port: 8000, endPort: 7999}")
    assert "endPort: Invalid value: 7999: must be greater than or equal to `port`" in below
    (named,) = port("{port: http, endPort: 90}")
    assert "may not be specified when `port` is non-numeric" in named
    (missing,) = port("{endPort: 90}")
    assert "may not be specified when `port` is not specified" in missing
    assert len(port("{port: 80, endPort: 70000}")) == 1


def test_protocol_must_be_tcp_udp_or_sctp() -> None:
    (message,) = port("{protocol: ICMP, port: 80}")
    assert message == (
        'spec.egress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: '
        '"TCP", "UDP", "SCTP"'
    )
    assert len(port("{protocol: tcp, port: 80}")) == 1  # case matters


def test_named_ports_follow_iana_service_names() -> None:
    assert any("at least one letter" in m for m in port('{port: "8080"}'))  # a quoted number
    assert any("no more than 15" in m for m in port("{port: abcdefghijklmnop}"))
    assert any("consecutive hyphens" in m for m in port("{port: a--b}"))
    assert any("begin or end with a hyphen" in m for m in port("{port: web-}"))
    assert any("alpha-numeric" in m for m in port("{port: Web}"))
