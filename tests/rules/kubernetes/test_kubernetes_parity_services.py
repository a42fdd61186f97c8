"""Services and Ingresses through the whole validation (schema and kubernetes rules), as the
API server sees them at create time: every refused object gets an error about its fault;
valid-but-tricky objects get nothing."""

from __future__ import annotations

import pytest

from tools.core.findings import Finding
from tools.core.resources import load_text
from tools.validate import check

SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: todo, namespace: todo}
spec:
  selector: {app.kubernetes.io/name: todo}
SPEC
"""

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: todo, namespace: todo}
spec:
SPEC
"""


def run(template: str, spec: str) -> list[Finding]:
    body = "".join(f"  {line}\n" for line in spec.strip().splitlines())
    text = template.replace("SPEC\n", body)
    return check(load_text(text, "case.yaml"), chosen={"schema", "kubernetes"})


REFUSED = {
    "port 70000": (SERVICE, "ports: [{port: 70000}]", "between 1 and 65535"),
    "quoted targetPort": (
        SERVICE,
        "ports: [{port: 80, targetPort: '8080'}]",
        "targetPort",
    ),
    "two unnamed ports": (SERVICE, "ports: [{port: 80}, {port: 443}]", ".name: Required"),
    "headless LoadBalancer": (
        SERVICE,
        "type: LoadBalancer\nclusterIP: None\nports: [{port: 80}]",
        "'None' for LoadBalancer",
    ),
    "ExternalName without externalName": (SERVICE, "type: ExternalName", "externalName"),
    "nodePort on ClusterIP": (
        SERVICE,
        "ports: [{port: 80, nodePort: 30080}]",
        "nodePort: Forbidden",
    ),
    "two families, no policy": (
        SERVICE,
        "ipFamilies: [IPv4, IPv6]\nports: [{port: 80}]",
        "multiple IP families",
    ),
    "relative Prefix path": (
        INGRESS,
        "rules: [{http: {paths: [{path: api, pathType: Prefix, "
        "backend: {service: {name: todo, port: {number: 80}}}}]}}]",
        "must be an absolute path",
    ),
    "backend port name and number": (
        INGRESS,
        "defaultBackend: {service: {name: todo, port: {number: 80, name: http}}}",
        "cannot set both port name & port number",
    ),
    "no rules, no default backend": (INGRESS, "tls: []", "either `defaultBackend` or `rules`"),
    "wildcard in the middle": (
        INGRESS,
        "rules: [{host: 'a.*.example.com'}]",
        "wildcard DNS-1123 subdomain",
    ),
}

TRICKY = {
    "defaulted targetPort and protocol": (SERVICE, "ports: [{port: 8080}]"),
    "named targetPort": (SERVICE, "ports: [{name: http, port: 80, targetPort: http-alt}]"),
    "DNS over TCP and UDP": (
        SERVICE,
        "ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53}]",
    ),
    "headless without ports": (SERVICE, "clusterIP: None"),
    "ExternalName with trailing dot": (
        SERVICE,
        "type: ExternalName\nexternalName: postgres.example.com.",
    ),
    "LoadBalancer Local": (
        SERVICE,
        "type: LoadBalancer\nexternalTrafficPolicy: Local\nports: [{port: 443, nodePort: 30443}]",
    ),
    "dual stack": (
        SERVICE,
        "ipFamilies: [IPv6, IPv4]\nipFamilyPolicy: PreferDualStack\nports: [{port: 80}]",
    ),
    "ImplementationSpecific without path": (
        INGRESS,
        "rules: [{host: '*.example.com', http: {paths: [{pathType: ImplementationSpecific, "
        "backend: {service: {name: todo, port: {name: http}}}}]}}]",
    ),
    "default backend and TLS": (
        INGRESS,
        "defaultBackend: {service: {name: todo, port: {number: 80}}}\n"
        "tls: [{hosts: [todo.example.com], secretName: todo-tls}]",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_objects_get_an_error_about_their_fault(case: str) -> None:
    template, spec, fault = REFUSED[case]
    errors = [f.message for f in run(template, spec) if f.is_error]
    assert errors and all(fault in m for m in errors), errors


@pytest.mark.parametrize("case", sorted(TRICKY))
def test_valid_but_tricky_objects_are_clean(case: str) -> None:
    assert run(*TRICKY[case]) == []
