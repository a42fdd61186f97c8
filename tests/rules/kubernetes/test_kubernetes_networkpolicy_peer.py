"""kubernetes-networkpolicy-peer: ValidateNetworkPolicyPeer and ValidateIPBlock."""

from __future__ import annotations

from k8s_rule_util import errors, run, warnings

from tools.rules.kubernetes.networkpolicy_peer import RULE

POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: todo}
spec:
  podSelector: {}
  ingress:
    - from:
        - PEER
"""


def peer(entry: str) -> list[str]:
    return errors(RULE, POLICY.replace("PEER", entry))


def test_valid_peers_pass() -> None:
    assert peer("{podSelector: {}}") == []
    assert peer("{namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}") == []
    assert peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.3.4/32]}}") == []
    assert peer("{ipBlock: {cidr: '2001:db8::/32', except: ['2001:db8:1::/48']}}") == []
    assert peer("{ipBlock: {cidr: '::/0'}}") == []
    assert peer("{ipBlock: {cidr: 0.0.0.0/0}}") == []


def test_a_peer_needs_exactly_one_kind() -> None:
    (empty,) = peer("{}")
    assert empty == "spec.ingress[0].from[0]: Required value: must specify a peer"
    (both,) = peer("{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}")
    assert "Forbidden: may not specify both ipBlock and another peer" in both


def test_invalid_cidrs() -> None:
    (too_long,) = peer("{ipBlock: {cidr: 10.0.0.0/33}}")
    assert too_long == (
        'spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid '
        "CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
    )
    for bad in ("10.0.0.0", "10.0.0/8", "256.0.0.0/8", "'2001:db8::/129'", "'fe80::1%eth0/64'"):
        assert len(peer(f"{{ipBlock: {{cidr: {bad}}}}}")) == 1, bad
    (empty,) = peer("{ipBlock: {cidr: ''}}")
    assert "Required value" in empty


def test_except_must_be_a_strict_subset() -> None:
    (outside,) = peer("{ipBlock: {cidr: 10.0.0.0/8, except: [192.168.0.0/16]}}")
    assert outside == (
        'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "192.168.0.0/16": must be '
        "a strict subset of `cidr`"
    )
    assert len(peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/8]}}")) == 1  # equal
    assert len(peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/7]}}")) == 1  # wider
    assert len(peer("{ipBlock: {cidr: 10.0.0.0/8, except: ['2001:db8::/64']}}")) == 1  # family
    assert len(peer("{ipBlock: {cidr: 10.0.0.0/8, except: [10.0.0.0/99]}}")) == 1


def test_legacy_forms_are_accepted_with_a_warning() -> None:
    text = POLICY.replace("PEER", "{ipBlock: {cidr: 10.0.0.1/24, except: [010.0.0.0/28]}}")
    assert errors(RULE, text) == []
    found = warnings(RULE, text)
    assert len(found) == 2
    assert 'should be "10.0.0.0/24" or "10.0.0.1/32"?' in found[0]
    assert "non-standard CIDR value" in found[1]
    assert run(RULE, POLICY.replace("PEER", "{ipBlock: {cidr: 10.0.0.0/8}}")) == []


def test_hostile_cidr_is_bounded() -> None:
    assert len(peer("{ipBlock: {cidr: '" + "1" * 300_000 + "/8'}}")) == 1
