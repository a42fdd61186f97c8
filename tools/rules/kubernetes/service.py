"""A `v1` Service the API server refuses at create time, judged after the v1 defaults are applied
(an omitted `type` is `ClusterIP`, `protocol` is `TCP`, `targetPort` is the `port`,
`sessionAffinity` is `None`, a `ClientIP` affinity without a timeout gets 10800 s):

- **ports**: none at all, unless the Service is headless (`clusterIP: None`) or `ExternalName`;
  a `port` or numeric `targetPort` outside 1–65535 (`port: 70000`); a named `targetPort` that
  is not an IANA service name (a quoted number such as `"8080"` is a *name*, and has no
  letter); a port `name` missing when there is more than one port, not an RFC 1123 label, or
  used twice; the same (`port`, `protocol`) pair twice; a `protocol` other than `TCP`, `UDP`,
  `SCTP`; an `appProtocol` that is not a qualified name;
- **type**: not `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`; `clusterIP: None`
  with `NodePort` or `LoadBalancer`; `ExternalName` without a DNS-subdomain `externalName`
  (one trailing dot allowed) or with `clusterIP`, `ipFamilies` or `ipFamilyPolicy` set;
- **nodePort**: set on a `ClusterIP` Service; the same (`nodePort`, `protocol`) twice, or one
  `nodePort` asked for two different `port`s (the allocator refuses the second); outside
  1–65535. Outside the default range 30000–32767 is a **warning**: only the node-port
  allocator checks the range, and a cluster may be started with another
  `--service-node-port-range`;
- **selector**: a key that is not a qualified name or a value that is not a label value;
- **sessionAffinity**: not `None` or `ClientIP`; a `ClientIP` timeout outside 1–86400;
- **cluster IPs and families**: `clusterIPs` given without `clusterIP` or not starting with it;
  a value that is not an IP address; `None` anywhere but alone; more than two, or two of one
  family; `ipFamilies` other than `IPv4`/`IPv6` or repeated, or not matching the `clusterIPs`;
  `ipFamilyPolicy` not `SingleStack`, `PreferDualStack`, `RequireDualStack`; two `clusterIPs`
  or two `ipFamilies` under `SingleStack` — which is also what an omitted policy becomes,
  except for a headless Service without a selector (`RequireDualStack`);
- **externalIPs**: not an IP address, or unspecified, loopback, link-local or link-local
  multicast;
- **LoadBalancer-only fields** on another type: `loadBalancerSourceRanges` (or the
  `service.beta.kubernetes.io/load-balancer-source-ranges` annotation),
  `allocateLoadBalancerNodePorts`, `loadBalancerClass`; a source range that is not a CIDR; a
  `loadBalancerClass` that is not a qualified name;
- **traffic policies**: `externalTrafficPolicy` on a Service that is not externally reachable
  (only `NodePort`, `LoadBalancer`, or `ClusterIP` with `externalIPs` are), or not `Cluster` /
  `Local`; `healthCheckNodePort` unless `LoadBalancer` with `externalTrafficPolicy: Local`;
  `internalTrafficPolicy` not `Cluster` / `Local`; `trafficDistribution` not `PreferClose`,
  `PreferSameZone` or `PreferSameNode`;
- the `service.kubernetes.io/topology-mode` annotation disagreeing with the deprecated
  `service.kubernetes.io/topology-aware-hints`.

**Warnings**, as the API server's own warnings say: the deprecated `topology-aware-hints`
annotation; `externalName` on a Service that is not `ExternalName`, `externalIPs` on one that
is; `loadBalancerIP`, `externalIPs` or `ClientIP` affinity on a headless `ClusterIP` Service
(ignored); a source range written in a non-standard or ambiguous form.

Not judged here, because the answer depends on the cluster: whether an IP family is configured
(`RequireDualStack` on a single-stack cluster, an IPv6 `clusterIP` on an IPv4 cluster), whether
a requested `clusterIP` lies inside the service CIDR or is free, and whether a `nodePort` is
free. The metadata (the name is an RFC 1035 label) is [kubernetes-name](kubernetes-name.md)'s.

## Why

The OpenAPI schema types every field but knows no ranges, formats or combinations: `port` is
any int32, `type` any string. All of that lives in the API server's Go validation, and in the
Service registry that defaults IP families and allocates node ports before it validates.

## What happens in the cluster

`kubectl apply` and `helm install` fail: `The Service "todo" is invalid: spec.ports[0].port:
Invalid value: 70000: must be between 1 and 65535, inclusive`. Nothing of the release is
applied after the failing object.

## How to fix

Use real port numbers (and names of at most 15 characters with a letter for a named
`targetPort`), name every port when there are several, keep type-specific fields on the type
they belong to, and leave `ipFamilyPolicy` and node ports to the cluster unless you need them.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `ValidateServiceCreate`,
`validateService`, `validateServicePort`, `validateClientIPAffinityConfig`,
`ValidateServiceClusterIPsRelatedFields`, `validateServiceExternalTrafficPolicy`,
`validateServiceInternalTrafficFieldsValue`, `validateServiceTrafficDistribution`,
`validateLoadBalancerClassField`, `ValidateEndpointIP`, `ValidatePortNumOrName`; the defaults in
`pkg/apis/core/v1/defaults.go` (`SetDefaults_Service`); the registry in
`pkg/registry/core/service/storage/storage.go` (`beginCreate`, `normalizeClusterIPs`) and
`alloc.go` (`initIPFamilyFields`, `initNodePorts`), which run before validation;
`pkg/registry/core/service/portallocator/allocator.go` (the range error); the warnings in
`pkg/api/service/warnings.go` (`GetWarningsForService`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes import names
from tools.kubernetes.network import (
    PROTOCOLS,
    cidr_warnings,
    parse_cidr_sloppy,
    parse_ip_sloppy,
    port_name_errors,
    port_number_errors,
)
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f

Path = tuple[str | int, ...]
Problem = tuple[str, Path, Severity]

TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
AFFINITIES = ("ClientIP", "None")
FAMILIES = ("IPv4", "IPv6")
FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
TRAFFIC_POLICIES = ("Cluster", "Local")
TRAFFIC_DISTRIBUTIONS = ("PreferClose", "PreferSameZone", "PreferSameNode")
MAX_AFFINITY_SECONDS = 86400
DEFAULT_NODE_PORTS = (30000, 32767)

TOPOLOGY_MODE = "service.kubernetes.io/topology-mode"
TOPOLOGY_HINTS = "service.kubernetes.io/topology-aware-hints"
SOURCE_RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"

_IP_HELP = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
_CIDR_HELP = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
_SPEC: Path = ("spec",)
_E = Severity.ERROR
_W = Severity.WARNING


def endpoint_ip_errors(text: str, value: int, is_v4: bool) -> list[str]:
    """``ValidateEndpointIP`` for an address that parsed."""
    errors = []
    low = value & 0xFFFFFFFF
    if value == 0 or (is_v4 and low == 0):
        errors.append(f"may not be unspecified ({text})")
    if (is_v4 and low >> 24 == 127) or (not is_v4 and value == 1):
        errors.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if (is_v4 and low >> 16 == 0xA9FE) or (not is_v4 and value >> 118 == 0x3FA):
        errors.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    if (is_v4 and low >> 8 == 0xE00000) or (not is_v4 and (value >> 112) & 0xFF0F == 0xFF02):
        errors.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return errors


def _str(value: Any) -> str:
    """A string field as the decoded object holds it; anything else (schema's) as empty."""
    return value if isinstance(value, str) else ""


def _strings(value: Any) -> list[str]:
    return [v for v in f.as_list(value) if isinstance(v, str)]


class _Service:
    """The fields validation reads, after the v1 defaults and ``normalizeClusterIPs``."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.annotations = f.as_dict(f.as_dict(doc.get("metadata")).get("annotations"))
        self.spec = spec = f.as_dict(doc.get("spec"))
        self.type = _str(spec.get("type")) or "ClusterIP"
        self.ports = f.as_list(spec.get("ports"))
        self.cluster_ip = _str(spec.get("clusterIP"))
        self.wrote_cluster_ips = isinstance(spec.get("clusterIPs"), list) and bool(
            spec.get("clusterIPs")
        )
        self.cluster_ips = _strings(spec.get("clusterIPs"))
        if self.cluster_ip and not self.cluster_ips:
            self.cluster_ips = [self.cluster_ip]
        self.headless = self.cluster_ips == ["None"]
        self.families = f.as_list(spec.get("ipFamilies"))
        self.policy = spec.get("ipFamilyPolicy")
        self.external_ips = _strings(spec.get("externalIPs"))
        self.selector = f.as_dict(spec.get("selector"))

    def cluster_ip_path(self, index: int) -> Path:
        """Where the user wrote cluster IP ``index``: ``clusterIPs[i]`` or the singular."""
        if self.wrote_cluster_ips:
            return ("spec", "clusterIPs", index)
        return ("spec", "clusterIP")

    @property
    def externally_accessible(self) -> bool:
        return self.type in ("LoadBalancer", "NodePort") or (
            self.type == "ClusterIP" and bool(self.external_ips)
        )


def _annotations(svc: _Service) -> Iterator[Problem]:
    mode, hints = svc.annotations.get(TOPOLOGY_MODE), svc.annotations.get(TOPOLOGY_HINTS)
    if hints is not None:
        yield (
            f"annotation {TOPOLOGY_HINTS} is deprecated, please use {TOPOLOGY_MODE} instead",
            ("metadata", "annotations", TOPOLOGY_HINTS),
            _W,
        )
    if mode is not None and hints is not None and mode != hints:
        shown_path: Path = ("metadata", "annotations", f.Key(TOPOLOGY_MODE))
        detail = f"must match annotations[{TOPOLOGY_HINTS}] when both are specified"
        yield (
            f.invalid(shown_path, mode, detail),
            ("metadata", "annotations", TOPOLOGY_MODE),
            _E,
        )


def _type(svc: _Service) -> Iterator[Problem]:
    spec = svc.spec
    if svc.type not in TYPES:
        yield f.not_supported(("spec", "type"), svc.type, TYPES), ("spec", "type"), _E
    if not svc.ports and not svc.headless and svc.type != "ExternalName":
        yield f.required(("spec", "ports")), ("spec", "ports") if "ports" in spec else _SPEC, _E
    if svc.type in ("LoadBalancer", "NodePort") and svc.headless:
        path: Path = ("spec", "clusterIPs", 0)
        yield (
            f.invalid(path, "None", f"may not be set to 'None' for {svc.type} services"),
            svc.cluster_ip_path(0),
            _E,
        )
    if svc.type == "ExternalName":
        if svc.cluster_ips:
            yield (
                f.forbidden(("spec", "clusterIPs"), "may not be set for ExternalName services"),
                svc.cluster_ip_path(0)[:2],
                _E,
            )
        for name in ("ipFamilies", "ipFamilyPolicy"):
            value = spec.get(name)
            if (name == "ipFamilies" and svc.families) or (
                name == "ipFamilyPolicy" and value is not None
            ):
                path = ("spec", name)
                yield f.forbidden(path, "may not be set for ExternalName services"), path, _E
        external = spec.get("externalName")
        path = ("spec", "externalName")
        if external is None or isinstance(external, str):
            cname = _str(external).removesuffix(".")
            if not cname:
                yield f.required(path), path if external is not None else _SPEC, _E
            for msg in names.dns1123_subdomain_errors(cname) if cname else []:
                yield f.invalid(path, cname, msg), path, _E
        if svc.external_ips:
            yield (
                'spec.externalIPs is ignored when spec.type is "ExternalName"',
                ("spec", "externalIPs"),
                _W,
            )
    elif _str(spec.get("externalName")):
        yield (
            'spec.externalName is ignored when spec.type is not "ExternalName"',
            ("spec", "externalName"),
            _W,
        )
    if svc.type == "ClusterIP" and svc.cluster_ip == "None":
        if _str(spec.get("loadBalancerIP")):
            yield (
                "spec.loadBalancerIP is ignored for headless services",
                ("spec", "loadBalancerIP"),
                _W,
            )
        if svc.external_ips:
            yield "spec.externalIPs is ignored for headless services", ("spec", "externalIPs"), _W


def _port(svc: _Service, i: int, port: dict[str, Any], seen_names: set[str]) -> Iterator[Problem]:
    where: Path = ("spec", "ports", i)
    name = port.get("name")
    if isinstance(name, str) or name is None:
        name = name or ""
        if len(svc.ports) > 1 and not name:
            yield f.required((*where, "name")), where, _E
        elif name:
            for msg in names.dns1123_label_errors(name):
                yield f.invalid((*where, "name"), name, msg), (*where, "name"), _E
            if name in seen_names:
                yield f.duplicate((*where, "name"), name), (*where, "name"), _E
            seen_names.add(name)
    number = port.get("port")
    if f.is_int(number):
        for msg in port_number_errors(number):
            yield f.invalid((*where, "port"), number, msg), (*where, "port"), _E
    protocol = port.get("protocol")
    if isinstance(protocol, str) and protocol and protocol not in PROTOCOLS:
        path: Path = (*where, "protocol")
        yield f.not_supported(path, protocol, sorted(PROTOCOLS)), path, _E
    target = port.get("targetPort")
    path = (*where, "targetPort")
    if f.is_int(target) and target != 0:
        for msg in port_number_errors(target):
            yield f.invalid(path, target, msg), path, _E
    elif isinstance(target, str) and target:
        for msg in port_name_errors(target):
            yield f.invalid(path, target, msg), path, _E
    app_protocol = port.get("appProtocol")
    if isinstance(app_protocol, str):
        path = (*where, "appProtocol")
        for msg in names.qualified_name_errors(app_protocol):
            yield f.invalid(path, app_protocol, msg), path, _E


def _ports(svc: _Service) -> Iterator[Problem]:
    seen_names: set[str] = set()
    pairs: set[tuple[str, Any]] = set()
    node_pairs: set[tuple[str, int]] = set()
    node_owner: dict[int, Any] = {}  # nodePort -> the first `port` asking for it
    allocates = svc.type in ("NodePort", "LoadBalancer")
    for i, port in enumerate(svc.ports):
        if not isinstance(port, dict):
            continue  # the schema's
        where: Path = ("spec", "ports", i)
        yield from _port(svc, i, port, seen_names)
        protocol = _str(port.get("protocol")) or "TCP"
        number = port.get("port")
        if f.is_int(number):
            if (protocol, number) in pairs:
                shown = f"{{port: {number}, protocol: {f.brief(protocol, 20)}}}"
                yield f"{f.describe_path(where)}: Duplicate value: {shown}", where, _E
            pairs.add((protocol, number))
        node_port = port.get("nodePort")
        if not f.is_int(node_port) or node_port == 0:
            continue
        path: Path = (*where, "nodePort")
        if svc.type == "ClusterIP":
            yield f.forbidden(path, "may not be used when `type` is 'ClusterIP'"), path, _E
        if (protocol, node_port) in node_pairs:
            yield f.duplicate(path, node_port), path, _E
            continue
        node_pairs.add((protocol, node_port))
        if not allocates:
            continue
        low, high = DEFAULT_NODE_PORTS
        if not 1 <= node_port <= 65535:
            yield f.invalid(path, node_port, "provided port is not in the valid range"), path, _E
        elif not low <= node_port <= high:
            yield (
                f.invalid(
                    path,
                    node_port,
                    f"outside the default node port range {low}-{high}: the API server "
                    "refuses it unless the cluster's --service-node-port-range includes it",
                ),
                path,
                _W,
            )
        owner = node_owner.setdefault(node_port, number)
        if owner != number:
            yield f.invalid(path, node_port, "provided port is already allocated"), path, _E


def _selector(svc: _Service) -> Iterator[Problem]:
    path: Path = ("spec", "selector")
    for key, value in svc.selector.items():
        if not isinstance(key, str):
            continue
        for msg in names.qualified_name_errors(key):
            yield f.invalid(path, key, msg), (*path, key), _E
        if isinstance(value, str):
            for msg in names.label_value_errors(value):
                yield f.invalid(path, value, msg), (*path, key), _E


def _affinity(svc: _Service) -> Iterator[Problem]:
    affinity = svc.spec.get("sessionAffinity")
    if not isinstance(affinity, str) or not affinity:
        return  # defaulted to None
    path: Path = ("spec", "sessionAffinity")
    if affinity not in AFFINITIES:
        yield f.not_supported(path, affinity, AFFINITIES), path, _E
    if affinity != "ClientIP":
        return
    if svc.cluster_ip == "None" and svc.type == "ClusterIP":
        yield "spec.SessionAffinity is ignored for headless services", path, _W
    config = f.as_dict(svc.spec.get("sessionAffinityConfig"))
    timeout = f.as_dict(config.get("clientIP")).get("timeoutSeconds")
    if f.is_int(timeout) and not 0 < timeout <= MAX_AFFINITY_SECONDS:
        where = ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds")
        yield (
            f.invalid(where, timeout, f"must be greater than 0 and less than "
                      f"{MAX_AFFINITY_SECONDS}"),
            where,
            _E,
        )  # fmt: skip


def _cluster_ip_fields(svc: _Service) -> Iterator[Problem]:
    """``ValidateServiceClusterIPsRelatedFields`` (every problem it yields is an error)."""
    ips_path: Path = ("spec", "clusterIPs")
    shown = "[" + ", ".join(f.brief(ip, 45) for ip in svc.cluster_ips[:3]) + "]"
    if not svc.cluster_ip and svc.cluster_ips:
        yield (
            f"spec.clusterIPs: Invalid value: {shown}: must be empty when `clusterIP` is not "
            "specified",
            ips_path,
            _E,
        )
    elif svc.cluster_ip and svc.cluster_ips[0] != svc.cluster_ip:
        yield (
            f"spec.clusterIPs: Invalid value: {shown}: first value must match `clusterIP`",
            ("spec", "clusterIPs", 0),
            _E,
        )
    seen: set[str] = set()
    for i, family in enumerate(svc.families):
        if not isinstance(family, str):
            continue
        path: Path = ("spec", "ipFamilies", i)
        if family not in FAMILIES:
            yield f.not_supported(path, family, FAMILIES), path, _E
        if family in seen:
            yield f.duplicate(path, family), path, _E
        seen.add(family)
    if isinstance(svc.policy, str) and svc.policy not in FAMILY_POLICIES:
        path = ("spec", "ipFamilyPolicy")
        yield f.not_supported(path, svc.policy, FAMILY_POLICIES), path, _E
    parsed: list[tuple[int, bool]] = []
    bad_ip = False
    for i, ip in enumerate(svc.cluster_ips):
        if i == 0 and ip == "None":
            if len(svc.cluster_ips) > 1:
                yield (
                    f"spec.clusterIPs: Invalid value: {shown}: 'None' must be the first and "
                    "only value",
                    ips_path,
                    _E,
                )
                bad_ip = True
            continue
        address = parse_ip_sloppy(ip)
        if address is None:
            path = ("spec", "clusterIPs", i)
            yield f.invalid(path, ip, _IP_HELP), svc.cluster_ip_path(i), _E
            bad_ip = True
        else:
            parsed.append(address)
    if len(svc.cluster_ips) > 2:
        yield f"spec.clusterIPs: Invalid value: {shown}: may only hold up to 2 values", ips_path, _E
    if bad_ip:
        return
    if len(parsed) == 2 and parsed[0][1] == parsed[1][1]:
        yield (
            f"spec.clusterIPs: Invalid value: {shown}: may specify no more than one IP for "
            "each IP family",
            ips_path,
            _E,
        )
    if not svc.headless:
        for i, (family, (_, is_v4)) in enumerate(zip(svc.families, parsed, strict=False)):
            if (family == "IPv4" and not is_v4) or (family == "IPv6" and is_v4):
                path = ("spec", "clusterIPs", i)
                yield (
                    f.invalid(path, svc.cluster_ips[i], f"expected an {family} value as "
                              f"indicated by `ipFamilies[{i}]`"),
                    svc.cluster_ip_path(i),
                    _E,
                )  # fmt: skip


def _cluster_ips(svc: _Service) -> Iterator[Problem]:
    """``ValidateServiceClusterIPsRelatedFields``, then ``initIPFamilyFields``'s own checks,
    which run only when the first found nothing."""
    if svc.type == "ExternalName":
        return
    problems = list(_cluster_ip_fields(svc))
    yield from problems
    if problems:
        return
    policy = svc.policy
    if policy is None:
        dual = svc.cluster_ip == "None" and not svc.selector
        policy = "RequireDualStack" if dual else "SingleStack"
    if policy != "SingleStack":
        return
    where: Path = ("spec", "ipFamilyPolicy") if svc.policy is not None else _SPEC
    for count, what in ((len(svc.cluster_ips), "cluster IPs"), (len(svc.families), "IP families")):
        if count == 2:
            yield (
                f'spec.ipFamilyPolicy: Invalid value: "SingleStack": must be '
                f"'RequireDualStack' or 'PreferDualStack' when multiple {what} are specified",
                where,
                _E,
            )


def _external_ips(svc: _Service) -> Iterator[Problem]:
    for i, ip in enumerate(f.as_list(svc.spec.get("externalIPs"))):
        if not isinstance(ip, str):
            continue
        path: Path = ("spec", "externalIPs", i)
        address = parse_ip_sloppy(ip)
        if address is None:
            yield f.invalid(path, ip, _IP_HELP), path, _E
            continue
        for msg in endpoint_ip_errors(ip, *address):
            yield f.invalid(path, ip, msg), path, _E


def _load_balancer(svc: _Service) -> Iterator[Problem]:
    spec, is_lb = svc.spec, svc.type == "LoadBalancer"
    only_lb = "may only be used when `type` is 'LoadBalancer'"
    ranges = f.as_list(spec.get("loadBalancerSourceRanges"))
    annotation = svc.annotations.get(SOURCE_RANGES)
    if ranges:
        if not is_lb:
            path: Path = ("spec", "loadBalancerSourceRanges")
            yield f.forbidden(("spec", "LoadBalancerSourceRanges"), only_lb), path, _E
        for i, value in enumerate(ranges):
            if not isinstance(value, str):
                continue
            path = ("spec", "loadBalancerSourceRanges", i)
            cidr = parse_cidr_sloppy(value.strip())
            if cidr is None:
                shown_path: Path = ("spec", "LoadBalancerSourceRanges", i)
                yield f.invalid(shown_path, value.strip(), _CIDR_HELP), path, _E
                continue
            if value == value.strip():
                for warning in cidr_warnings(cidr):
                    yield f"{f.describe_path(path)}: {warning}", path, _W
    elif isinstance(annotation, str):
        key = f.Key(SOURCE_RANGES)
        shown_path = ("metadata", "annotations", key)
        path = ("metadata", "annotations", SOURCE_RANGES)
        if not is_lb:
            yield f.forbidden(shown_path, only_lb), path, _E
        if annotation.strip():
            for value in annotation.strip().split(",")[:1000]:
                if parse_cidr_sloppy(value.strip()) is None:
                    yield f.invalid(shown_path, value.strip(), _CIDR_HELP), path, _E
    if spec.get("allocateLoadBalancerNodePorts") is not None and not is_lb:
        path = ("spec", "allocateLoadBalancerNodePorts")
        yield f.forbidden(path, only_lb), path, _E
    lb_class = spec.get("loadBalancerClass")
    if isinstance(lb_class, str):
        path = ("spec", "loadBalancerClass")
        if not is_lb:
            yield f.forbidden(path, only_lb), path, _E
        else:
            for msg in names.qualified_name_errors(lb_class):
                yield f.invalid(path, lb_class, msg), path, _E


def _traffic(svc: _Service) -> Iterator[Problem]:
    spec = svc.spec
    external = spec.get("externalTrafficPolicy")
    path: Path = ("spec", "externalTrafficPolicy")
    if isinstance(external, str) and external:
        if not svc.externally_accessible:
            detail = "may only be set for externally-accessible services"
            yield f.invalid(path, external, detail), path, _E
        elif external not in TRAFFIC_POLICIES:
            yield f.not_supported(path, external, TRAFFIC_POLICIES), path, _E
    needs_health_check = svc.type == "LoadBalancer" and external == "Local"
    health = spec.get("healthCheckNodePort")
    path = ("spec", "healthCheckNodePort")
    if f.is_int(health) and health != 0:
        if not needs_health_check:
            detail = (
                "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is "
                "'Local'"
            )
            yield f.invalid(path, health, detail), path, _E
        elif not 1 <= health <= 65535:
            detail = "provided port is not in the valid range"
            yield f.invalid(path, health, detail), path, _E
    internal = spec.get("internalTrafficPolicy")
    path = ("spec", "internalTrafficPolicy")
    if isinstance(internal, str) and internal not in TRAFFIC_POLICIES:
        yield f.not_supported(path, internal, TRAFFIC_POLICIES), path, _E
    distribution = spec.get("trafficDistribution")
    path = ("spec", "trafficDistribution")
    if isinstance(distribution, str) and distribution not in TRAFFIC_DISTRIBUTIONS:
        yield f.not_supported(path, distribution, TRAFFIC_DISTRIBUTIONS), path, _E


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.kind != "Service" or resource.api_version != "v1":
        return
    svc = _Service(resource.doc)
    for part in (
        _annotations,
        _type,
        _ports,
        _selector,
        _affinity,
        _cluster_ips,
        _external_ips,
        _load_balancer,
        _traffic,
    ):
        for message, path, severity in part(svc):
            yield RULE.finding(resource, message, path, severity)


RULE = Rule(
    id="kubernetes-service",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="Service spec as the API server validates it: ports, type, cluster IPs, policies",
    check=check,
    kinds=frozenset({"Service"}),
    severity_note="warning for what the API server accepts with a warning, and for a nodePort "
    "outside the default range 30000-32767",
)
