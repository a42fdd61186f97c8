"""kubernetes-ingress: ValidateIngressCreate / ValidateIngressSpec for networking.k8s.io/v1."""

from __future__ import annotations

import pytest
from k8s_rule_util import run

from tools.core.findings import Finding
from tools.rules.kubernetes.ingress import RULE, wildcard_subdomain_errors

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: todo, namespace: todo}
spec:
"""

BACKEND = "{service: {name: todo, port: {number: 80}}}"


def ingress(spec: str, annotations: str = "") -> str:
    head = INGRESS
    if annotations:
        head = head.replace("namespace: todo}", f"namespace: todo, annotations: {annotations}}}")
    return head + "".join(f"  {line}\n" for line in spec.strip().splitlines())


def path_rule(path: str, host: str = "todo.example.com") -> str:
    """One rule with one path entry ``path`` (a flow mapping)."""
    return f"rules:\n  - host: '{host}'\n    http:\n      paths:\n        - {path}"


def findings(spec: str, annotations: str = "") -> list[Finding]:
    return run(RULE, ingress(spec, annotations))


VALID = {
    "default backend only": f"defaultBackend: {BACKEND}",
    "prefix path": path_rule(f"{{path: /api, pathType: Prefix, backend: {BACKEND}}}"),
    "root exact path": path_rule(f"{{path: /, pathType: Exact, backend: {BACKEND}}}"),
    "implementation specific without path": path_rule(
        f"{{pathType: ImplementationSpecific, backend: {BACKEND}}}"
    ),
    "regex-like implementation specific path": path_rule(
        f"{{path: '/api(/|$)(.*)', pathType: ImplementationSpecific, backend: {BACKEND}}}"
    ),
    "dots inside a segment": path_rule(f"{{path: /a.b/..c, pathType: Prefix, backend: {BACKEND}}}"),
    "wildcard host": path_rule(
        "{path: /, pathType: Prefix, backend: {service: {name: todo, port: {name: http}}}}",
        host="*.example.com",
    ),
    "rule without host or http": "rules: [{}]\ndefaultBackend: " + BACKEND,
    "resource backend": path_rule(
        "{path: /static, pathType: Prefix, backend: {resource: "
        "{apiGroup: k8s.example.com, kind: StorageBucket, name: static-assets}}}"
    ),
    "tls with wildcard and secret": (
        f"defaultBackend: {BACKEND}\n"
        "tls: [{hosts: ['*.example.com', todo.example.com], secretName: todo-tls}, {}]"
    ),
    "class name": f"ingressClassName: nginx\ndefaultBackend: {BACKEND}",
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_valid_ingresses_pass(case: str) -> None:
    assert findings(VALID[case]) == []


def test_matching_class_annotation_passes() -> None:
    spec = f"ingressClassName: nginx\ndefaultBackend: {BACKEND}"
    assert findings(spec, "{kubernetes.io/ingress.class: nginx}") == []


REFUSED = {
    "nothing to route": ("tls: []", "/spec", "either `defaultBackend` or `rules` must be"),
    "relative prefix path": (
        path_rule(f"{{path: api, pathType: Prefix, backend: {BACKEND}}}"),
        "/spec/rules/0/http/paths/0/path",
        'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
    ),
    "exact path omitted": (
        path_rule(f"{{pathType: Exact, backend: {BACKEND}}}"),
        "/spec/rules/0/http/paths/0/path",
        "must be an absolute path",
    ),
    "relative implementation specific path": (
        path_rule(f"{{path: 'api/*', pathType: ImplementationSpecific, backend: {BACKEND}}}"),
        "/spec/rules/0/http/paths/0/path",
        "must be an absolute path",
    ),
    "double slash": (
        path_rule(f"{{path: /a//b, pathType: Prefix, backend: {BACKEND}}}"),
        "/spec/rules/0/http/paths/0/path",
        "must not contain '//'",
    ),
    "encoded slash": (
        path_rule(f"{{path: /a%2Fb, pathType: Exact, backend: {BACKEND}}}"),
        "/spec/rules/0/http/paths/0/path",
        "must not contain '%2F'",
    ),
    "ends in dot": (
        path_rule(f"{{path: /a/., pathType: Prefix, backend: {BACKEND}}}"),
        "/spec/rules/0/http/paths/0/path",
        "cannot end with '/.'",
    ),
    "pathType value": (
        path_rule(f"{{path: /, pathType: prefix, backend: {BACKEND}}}"),
        "/spec/rules/0/http/paths/0/pathType",
        'Unsupported value: "prefix"',
    ),
    "empty paths": (
        "rules: [{host: a.example.com, http: {paths: []}}]",
        "/spec/rules/0/http/paths",
        "spec.rules[0].http.paths: Required value",
    ),
    "host is an IP": (
        path_rule(f"{{path: /, pathType: Prefix, backend: {BACKEND}}}", host="10.0.0.1"),
        "/spec/rules/0/host",
        "must be a DNS name, not an IP address",
    ),
    "host with upper case": (
        path_rule(f"{{path: /, pathType: Prefix, backend: {BACKEND}}}", host="Todo.example.com"),
        "/spec/rules/0/host",
        "RFC 1123 subdomain",
    ),
    "wildcard inside": (
        path_rule(f"{{path: /, pathType: Prefix, backend: {BACKEND}}}", host="a.*.example.com"),
        "/spec/rules/0/host",
        "wildcard DNS-1123 subdomain",
    ),
    "bare wildcard": (
        path_rule(f"{{path: /, pathType: Prefix, backend: {BACKEND}}}", host="*"),
        "/spec/rules/0/host",
        "wildcard DNS-1123 subdomain",
    ),
    "both backends": (
        "defaultBackend: {service: {name: a, port: {number: 80}}, "
        "resource: {kind: Bucket, name: b}}",
        "/spec/defaultBackend",
        "cannot set both resource and service backends",
    ),
    "no backend": (
        "defaultBackend: {}",
        "/spec/defaultBackend",
        "resource or service backend is required",
    ),
    "port name and number": (
        "defaultBackend: {service: {name: a, port: {number: 80, name: http}}}",
        "/spec/defaultBackend",
        "cannot set both port name & port number",
    ),
    "no port": (
        "defaultBackend: {service: {name: a}}",
        "/spec/defaultBackend/service",
        "spec.defaultBackend: Required value: port name or number is required",
    ),
    "port number 0 counts as absent": (
        "defaultBackend: {service: {name: a, port: {number: 0}}}",
        "/spec/defaultBackend/service",
        "port name or number is required",
    ),
    "port 70000": (
        "defaultBackend: {service: {name: a, port: {number: 70000}}}",
        "/spec/defaultBackend/service/port/number",
        "between 1 and 65535",
    ),
    "port name too long": (
        "defaultBackend: {service: {name: a, port: {name: http-alternative}}}",
        "/spec/defaultBackend/service/port/name",
        "no more than 15",
    ),
    "service name starts with a digit": (
        "defaultBackend: {service: {name: 1st, port: {number: 80}}}",
        "/spec/defaultBackend/service/name",
        "DNS-1035 label",
    ),
    "service name empty": (
        "defaultBackend: {service: {name: '', port: {number: 80}}}",
        "/spec/defaultBackend/service/name",
        "spec.defaultBackend.service.name: Required value",
    ),
    "resource without kind": (
        "defaultBackend: {resource: {name: b}}",
        "/spec/defaultBackend/resource",
        "spec.defaultBackend.resource.kind: Required value",
    ),
    "resource name with slash": (
        "defaultBackend: {resource: {kind: Bucket, name: a/b}}",
        "/spec/defaultBackend/resource/name",
        "may not contain '/'",
    ),
    "tls host": (
        f"defaultBackend: {BACKEND}\ntls: [{{hosts: [todo.example.com.]}}]",
        "/spec/tls/0/hosts/0",
        "RFC 1123 subdomain",
    ),
    "tls secret name": (
        f"defaultBackend: {BACKEND}\ntls: [{{secretName: Todo_TLS}}]",
        "/spec/tls/0/secretName",
        'spec.tls[0].secretName: Invalid value: "Todo_TLS"',
    ),
    "class name": (
        f"ingressClassName: Nginx\ndefaultBackend: {BACKEND}",
        "/spec/ingressClassName",
        "RFC 1123 subdomain",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_ingresses(case: str) -> None:
    spec, path, fragment = REFUSED[case]
    (finding,) = findings(spec)
    assert finding.rule == "kubernetes-ingress"
    assert finding.is_error
    assert finding.path == path
    assert fragment in finding.message


def test_class_annotation_must_match() -> None:
    spec = f"ingressClassName: nginx\ndefaultBackend: {BACKEND}"
    (finding,) = findings(spec, "{kubernetes.io/ingress.class: traefik}")
    assert finding.path == "/metadata/annotations/kubernetes.io~1ingress.class"
    assert finding.message == (
        'annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match '
        "`ingressClassName` when both are specified"
    )


def test_missing_path_type_is_left_to_the_schema() -> None:
    # validateHTTPIngressPath stops at the missing pathType: the backend is not looked at.
    assert findings(path_rule("{path: api, backend: {}}")) == []


def test_wildcard_subdomain() -> None:
    assert wildcard_subdomain_errors("*.example.com") == []
    assert wildcard_subdomain_errors("*.a") == []
    for bad in ("*", "*.", "*example.com", "*.*.example.com", "*.-a.com", "**.a.com", "a.*"):
        assert wildcard_subdomain_errors(bad), bad
    long = "*." + "a." * 126 + "a"
    assert wildcard_subdomain_errors(long) == ["must be no more than 253 characters"]


def test_hostile_input_does_not_crash() -> None:
    for spec in (
        "rules: [7, {host: 5, http: 3}, {http: {paths: [1, {pathType: 5}]}}]",
        "defaultBackend: {service: 1}",
        "defaultBackend: {service: {name: 3, port: 5}}",
        "defaultBackend: {service: {port: {name: 3, number: x}}}",
        "defaultBackend: {resource: 3}\ntls: [1, {hosts: 2}, {hosts: [3]}]",
        "ingressClassName: 4\ndefaultBackend: {resource: {kind: 1, name: '..', apiGroup: 2}}",
    ):
        for finding in findings(spec):
            assert finding.rule == "kubernetes-ingress"
    text = ingress("rules: []").replace("networking.k8s.io/v1", "extensions/v1beta1")
    assert run(RULE, text) == []
