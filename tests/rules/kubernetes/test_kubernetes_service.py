"""kubernetes-service: ValidateServiceCreate after the v1 defaults and the registry's
create-time steps (normalizeClusterIPs, initIPFamilyFields, initNodePorts)."""

from __future__ import annotations

import pytest
from k8s_rule_util import errors, run, warnings

from tools.core.findings import Finding
from tools.kubernetes.network import parse_ip_sloppy as parse_ip
from tools.rules.kubernetes.service import RULE, endpoint_ip_errors

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: todo, namespace: todo}
spec:
  selector: {app.kubernetes.io/name: todo}
  ports:
    - {name: http, port: 80, targetPort: http}
"""


def svc(spec: str) -> str:
    """A Service whose spec is ``spec`` (flow-style YAML lines under ``spec:``)."""
    return (
        "apiVersion: v1\nkind: Service\nmetadata: {name: todo, namespace: todo}\nspec:\n"
        + "".join(f"  {line}\n" for line in spec.strip().splitlines())
    )


def findings(spec: str) -> list[Finding]:
    return run(RULE, svc(spec))


def only(spec: str) -> Finding:
    (finding,) = findings(spec)
    return finding


VALID = {
    "defaults only": "ports: [{port: 80}]",
    "targetPort 0 and empty are defaulted to port": (
        "ports: [{name: a, port: 80, targetPort: 0}, {name: b, port: 81, targetPort: ''}]"
    ),
    "same port, TCP and UDP": (
        "ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53}]"
    ),
    "exact limits": (
        "ports: [{name: a, port: 1, targetPort: 65535}, {name: b, port: 65535, targetPort: 1}]"
    ),
    "named targetPort of 15 characters": "ports: [{port: 80, targetPort: abcdefghijklmn1}]",
    "headless without ports": "clusterIP: None",
    "headless selectorless dual stack by default": "clusterIP: None\nipFamilies: [IPv6, IPv4]",
    "ExternalName with trailing dot and no ports": (
        "type: ExternalName\nexternalName: db.example.com."
    ),
    "NodePort sharing a nodePort across protocols": (
        "type: NodePort\nports: [{name: a, port: 53, nodePort: 30053}, "
        "{name: b, port: 53, protocol: UDP, nodePort: 30053}]"
    ),
    "LoadBalancer with every LB field": (
        "type: LoadBalancer\nexternalTrafficPolicy: Local\nhealthCheckNodePort: 32000\n"
        "loadBalancerClass: example.com/lb\nallocateLoadBalancerNodePorts: false\n"
        "loadBalancerSourceRanges: [10.0.0.0/8, ' 192.168.0.0/16 ']\nports: [{port: 443}]"
    ),
    "ClientIP at the 86400 limit": (
        "sessionAffinity: ClientIP\n"
        "sessionAffinityConfig: {clientIP: {timeoutSeconds: 86400}}\nports: [{port: 80}]"
    ),
    "ClientIP without config gets the default timeout": (
        "sessionAffinity: ClientIP\nsessionAffinityConfig: {}\nports: [{port: 80}]"
    ),
    "sessionAffinity None drops its config": (
        "sessionAffinity: None\nsessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\n"
        "ports: [{port: 80}]"
    ),
    "dual stack cluster IPs": (
        "clusterIP: 10.96.0.10\nclusterIPs: [10.96.0.10, 'fd00::10']\n"
        "ipFamilies: [IPv4, IPv6]\nipFamilyPolicy: PreferDualStack\nports: [{port: 80}]"
    ),
    "IPv4-mapped address is IPv4": (
        "clusterIP: '::ffff:10.96.0.10'\nipFamilies: [IPv4]\nports: [{port: 80}]"
    ),
    "ClusterIP with externalIPs may set externalTrafficPolicy": (
        "externalIPs: [203.0.113.7]\nexternalTrafficPolicy: Local\nports: [{port: 80}]"
    ),
    "traffic fields": (
        "internalTrafficPolicy: Local\ntrafficDistribution: PreferSameNode\nports: [{port: 80}]"
    ),
    "empty selector value and prefixed key": (
        "selector: {example.com/tier: ''}\nports: [{port: 80, appProtocol: kubernetes.io/h2c}]"
    ),
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_services_pass(case: str) -> None:
    assert findings(VALID[case]) == []


def test_the_issues_port_70000() -> None:
    finding = only("ports: [{port: 70000}]")
    assert finding.rule == "kubernetes-service"
    assert finding.path == "/spec/ports/0/port"
    assert finding.message == (
        "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"
    )


REFUSED = {
    "no ports": ("selector: {app: a}", "/spec", "spec.ports: Required value"),
    "empty ports": ("ports: []", "/spec/ports", "spec.ports: Required value"),
    "port 0": ("ports: [{port: 0}]", "/spec/ports/0/port", "between 1 and 65535"),
    "targetPort too big": (
        "ports: [{port: 80, targetPort: 65536}]",
        "/spec/ports/0/targetPort",
        "Invalid value: 65536",
    ),
    "quoted numeric targetPort is a name": (
        "ports: [{port: 80, targetPort: '8080'}]",
        "/spec/ports/0/targetPort",
        "at least one letter",
    ),
    "targetPort name too long": (
        "ports: [{port: 80, targetPort: abcdefghijklmnop}]",
        "/spec/ports/0/targetPort",
        "no more than 15",
    ),
    "second port unnamed": (
        "ports: [{name: a, port: 80}, {port: 81}]",
        "/spec/ports/1",
        "spec.ports[1].name: Required value",
    ),
    "port name not a label": (
        "ports: [{name: my_port, port: 80}]",
        "/spec/ports/0/name",
        "RFC 1123 label",
    ),
    "duplicate names": (
        "ports: [{name: a, port: 80}, {name: a, port: 81}]",
        "/spec/ports/1/name",
        'spec.ports[1].name: Duplicate value: "a"',
    ),
    "duplicate port and defaulted protocol": (
        "ports: [{name: a, port: 80}, {name: b, port: 80, protocol: TCP}]",
        "/spec/ports/1",
        "spec.ports[1]: Duplicate value",
    ),
    "protocol lower case": (
        "ports: [{port: 80, protocol: tcp}]",
        "/spec/ports/0/protocol",
        'Unsupported value: "tcp"',
    ),
    "type typo": ("type: Loadbalancer\nports: [{port: 80}]", "/spec/type", '"Loadbalancer"'),
    "headless NodePort": (
        "type: NodePort\nclusterIP: None\nports: [{port: 80}]",
        "/spec/clusterIP",
        "may not be set to 'None' for NodePort services",
    ),
    "ExternalName without name": (
        "type: ExternalName",
        "/spec",
        "spec.externalName: Required value",
    ),
    "ExternalName not a DNS name": (
        "type: ExternalName\nexternalName: http://db",
        "/spec/externalName",
        "RFC 1123 subdomain",
    ),
    "ExternalName with clusterIP": (
        "type: ExternalName\nexternalName: db.example.com\nclusterIP: None",
        "/spec/clusterIP",
        "may not be set for ExternalName services",
    ),
    "ExternalName with ipFamilyPolicy": (
        "type: ExternalName\nexternalName: db.example.com\nipFamilyPolicy: SingleStack",
        "/spec/ipFamilyPolicy",
        "spec.ipFamilyPolicy: Forbidden",
    ),
    "nodePort on ClusterIP": (
        "ports: [{port: 80, nodePort: 30080}]",
        "/spec/ports/0/nodePort",
        "may not be used when `type` is 'ClusterIP'",
    ),
    "nodePort out of every range": (
        "type: NodePort\nports: [{port: 80, nodePort: 70000}]",
        "/spec/ports/0/nodePort",
        "not in the valid range",
    ),
    "one nodePort for two ports": (
        "type: NodePort\nports: [{name: a, port: 80, nodePort: 30080}, "
        "{name: b, port: 81, protocol: UDP, nodePort: 30080}]",
        "/spec/ports/1/nodePort",
        "already allocated",
    ),
    "duplicate nodePort": (
        "type: NodePort\nports: [{name: a, port: 80, nodePort: 30080}, "
        "{name: b, port: 81, nodePort: 30080}]",
        "/spec/ports/1/nodePort",
        "Duplicate value: 30080",
    ),
    "selector value": (
        "selector: {app: 'a b'}\nports: [{port: 80}]",
        "/spec/selector/app",
        'spec.selector: Invalid value: "a b"',
    ),
    "selector key": (
        "selector: {'-app': a}\nports: [{port: 80}]",
        "/spec/selector/-app",
        'spec.selector: Invalid value: "-app"',
    ),
    "sessionAffinity value": (
        "sessionAffinity: Sticky\nports: [{port: 80}]",
        "/spec/sessionAffinity",
        'Unsupported value: "Sticky"',
    ),
    "ClientIP timeout too long": (
        "sessionAffinity: ClientIP\n"
        "sessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}\nports: [{port: 80}]",
        "/spec/sessionAffinityConfig/clientIP/timeoutSeconds",
        "must be greater than 0",
    ),
    "clusterIP not an IP": (
        "clusterIP: 10.96.0.300\nports: [{port: 80}]",
        "/spec/clusterIP",
        "must be a valid IP address",
    ),
    "clusterIPs without clusterIP": (
        "clusterIPs: [10.96.0.10]\nports: [{port: 80}]",
        "/spec/clusterIPs",
        "must be empty when `clusterIP` is not specified",
    ),
    "clusterIPs not starting with clusterIP": (
        "clusterIP: 10.96.0.10\nclusterIPs: [10.96.0.11]\nports: [{port: 80}]",
        "/spec/clusterIPs/0",
        "first value must match `clusterIP`",
    ),
    "two IPv4 cluster IPs": (
        "clusterIP: 10.96.0.10\nclusterIPs: [10.96.0.10, 10.96.0.11]\n"
        "ipFamilyPolicy: RequireDualStack\nports: [{port: 80}]",
        "/spec/clusterIPs",
        "no more than one IP for each IP family",
    ),
    "family does not match the IP": (
        "clusterIP: 10.96.0.10\nipFamilies: [IPv6]\nports: [{port: 80}]",
        "/spec/clusterIP",
        "expected an IPv6 value",
    ),
    "ipFamilies value": (
        "ipFamilies: [ipv4]\nports: [{port: 80}]",
        "/spec/ipFamilies/0",
        'Unsupported value: "ipv4"',
    ),
    "ipFamilyPolicy value": (
        "ipFamilyPolicy: DualStack\nports: [{port: 80}]",
        "/spec/ipFamilyPolicy",
        'Unsupported value: "DualStack"',
    ),
    "two families under the default SingleStack": (
        "ipFamilies: [IPv4, IPv6]\nports: [{port: 80}]",
        "/spec",
        "when multiple IP families are specified",
    ),
    "externalIP loopback": (
        "externalIPs: [127.0.0.1]\nports: [{port: 80}]",
        "/spec/externalIPs/0",
        "loopback",
    ),
    "source ranges on ClusterIP": (
        "loadBalancerSourceRanges: [10.0.0.0/8]\nports: [{port: 80}]",
        "/spec/loadBalancerSourceRanges",
        "spec.LoadBalancerSourceRanges: Forbidden",
    ),
    "source range not a CIDR": (
        "type: LoadBalancer\nloadBalancerSourceRanges: [10.0.0.0/33]\nports: [{port: 80}]",
        "/spec/loadBalancerSourceRanges/0",
        "must be a valid CIDR value",
    ),
    "allocateLoadBalancerNodePorts on NodePort": (
        "type: NodePort\nallocateLoadBalancerNodePorts: true\nports: [{port: 80}]",
        "/spec/allocateLoadBalancerNodePorts",
        "may only be used when `type` is 'LoadBalancer'",
    ),
    "loadBalancerClass not qualified": (
        "type: LoadBalancer\nloadBalancerClass: 'a/b/c'\nports: [{port: 80}]",
        "/spec/loadBalancerClass",
        "qualified name",
    ),
    "externalTrafficPolicy on ClusterIP": (
        "externalTrafficPolicy: Local\nports: [{port: 80}]",
        "/spec/externalTrafficPolicy",
        "may only be set for externally-accessible services",
    ),
    "externalTrafficPolicy value": (
        "type: NodePort\nexternalTrafficPolicy: Global\nports: [{port: 80}]",
        "/spec/externalTrafficPolicy",
        'Unsupported value: "Global"',
    ),
    "healthCheckNodePort without Local": (
        "type: LoadBalancer\nhealthCheckNodePort: 32000\nports: [{port: 80}]",
        "/spec/healthCheckNodePort",
        "may only be set when `type` is 'LoadBalancer'",
    ),
    "internalTrafficPolicy value": (
        "internalTrafficPolicy: Node\nports: [{port: 80}]",
        "/spec/internalTrafficPolicy",
        'Unsupported value: "Node"',
    ),
    "trafficDistribution value": (
        "trafficDistribution: Closest\nports: [{port: 80}]",
        "/spec/trafficDistribution",
        'Unsupported value: "Closest"',
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_services(case: str) -> None:
    spec, path, fragment = REFUSED[case]
    finding = only(spec)
    assert finding.rule == "kubernetes-service"
    assert finding.is_error
    assert finding.path == path
    assert fragment in finding.message


def test_topology_annotations_must_agree() -> None:
    text = SERVICE.replace(
        "namespace: todo}",
        "namespace: todo, annotations: {service.kubernetes.io/topology-mode: Auto, "
        "service.kubernetes.io/topology-aware-hints: Disabled}}",
    )
    assert errors(RULE, text) == [
        'metadata.annotations[service.kubernetes.io/topology-mode]: Invalid value: "Auto": '
        "must match annotations[service.kubernetes.io/topology-aware-hints] when both are "
        "specified"
    ]
    assert warnings(RULE, text) == [
        "annotation service.kubernetes.io/topology-aware-hints is deprecated, please use "
        "service.kubernetes.io/topology-mode instead"
    ]


def test_source_range_annotation() -> None:
    text = SERVICE.replace(
        "namespace: todo}",
        "namespace: todo, annotations: "
        "{service.beta.kubernetes.io/load-balancer-source-ranges: '10.0.0.0/8, nope'}}",
    ).replace("spec:\n", "spec:\n  type: LoadBalancer\n")
    assert errors(RULE, text) == [
        "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]: "
        'Invalid value: "nope": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'
    ]


WARNED = {
    "nodePort outside the default range": (
        "type: NodePort\nports: [{port: 80, nodePort: 8080}]",
        "/spec/ports/0/nodePort",
        "--service-node-port-range",
    ),
    "externalName ignored": (
        "externalName: db.example.com\nports: [{port: 80}]",
        "/spec/externalName",
        'spec.externalName is ignored when spec.type is not "ExternalName"',
    ),
    "ClientIP on headless": (
        "clusterIP: None\nsessionAffinity: ClientIP",
        "/spec/sessionAffinity",
        "ignored for headless services",
    ),
    "ambiguous source range": (
        "type: LoadBalancer\nloadBalancerSourceRanges: [10.0.0.1/8]\nports: [{port: 80}]",
        "/spec/loadBalancerSourceRanges/0",
        "ambiguous",
    ),
}


@pytest.mark.parametrize("case", sorted(WARNED))
def test_accepted_with_a_warning(case: str) -> None:
    spec, path, fragment = WARNED[case]
    finding = only(spec)
    assert not finding.is_error
    assert finding.path == path
    assert fragment in finding.message


def test_endpoint_ip_checks() -> None:
    def problems(ip: str) -> list[str]:
        parsed = parse_ip(ip)
        assert parsed is not None
        return endpoint_ip_errors(ip, *parsed)

    assert problems("203.0.113.7") == []
    assert problems("2001:db8::1") == []
    assert problems("0.0.0.0") == ["may not be unspecified (0.0.0.0)"]
    assert problems("::") == ["may not be unspecified (::)"]
    assert problems("::1") == ["may not be in the loopback range (127.0.0.0/8, ::1/128)"]
    assert problems("::ffff:127.0.0.2") == [
        "may not be in the loopback range (127.0.0.0/8, ::1/128)"
    ]
    assert "link-local range" in problems("fe80::1")[0]
    assert "link-local range" in problems("169.254.1.1")[0]
    assert "multicast" in problems("224.0.0.251")[0]
    assert "multicast" in problems("ff02::fb")[0]
    assert problems("224.0.1.1") == []
    assert parse_ip("10.0.0.01") is not None  # leading zeros: accepted in 1.34
    assert parse_ip("10.0.0.1%eth0") is None


def test_hostile_input_does_not_crash() -> None:
    for spec in (
        "ports: [7, null, {port: '80'}, {port: 80, targetPort: [1]}]",
        "type: 5\nports: {a: 1}",
        "clusterIP: [None]\nclusterIPs: None\nipFamilies: {a: b}",
        "clusterIP: None\nclusterIPs: [None, None, None]",
        "selector: [a]\nsessionAffinity: ClientIP\nsessionAffinityConfig: [1]",
        "type: LoadBalancer\nloadBalancerSourceRanges: [1, null]\nports: [{port: 80}]",
        "externalIPs: ['x' ]\nhealthCheckNodePort: true\nports: [{port: true}]",
    ):
        for finding in findings(spec):
            assert finding.rule == "kubernetes-service"
    assert run(RULE, "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: 7\n") != []
    assert run(RULE, SERVICE.replace("apiVersion: v1", "apiVersion: example.com/v1")) == []
