"""A `networking.k8s.io/v1` Ingress the API server refuses at create time:

- neither `defaultBackend` nor any `rules`;
- a rule `host` that is an IP address, or not a DNS subdomain; a wildcard is allowed only as
  the whole first label (`*.example.com`, never `*`, `*foo.com` or `foo.*.com`);
- an `http` rule with an empty `paths` list;
- a `pathType` other than `Exact`, `Prefix` or `ImplementationSpecific`; for `Exact` and
  `Prefix` a `path` that does not start with `/` (an omitted path too), contains `//`, `/./`,
  `/../`, `%2f` or `%2F`, or ends in `/..` or `/.`; for `ImplementationSpecific` a non-empty
  path that does not start with `/`;
- a backend with both `service` and `resource`, or neither; a `service` without a `name`, or a
  name that is not an RFC 1035 label (a Service's own name format); a service `port` with both
  `name` and `number`, or neither, a `number` outside 1–65535, or a `name` that is not an IANA
  service name; a `resource` without `kind` or `name`, or with a `/` or `%` in them, or an
  `apiGroup` that is not a DNS subdomain;
- a `tls` host that is not a DNS subdomain (or wildcard subdomain); a `tls` `secretName`
  that is not a DNS subdomain;
- an `ingressClassName` that is not a DNS subdomain, or that disagrees with the
  `kubernetes.io/ingress.class` annotation when both are set.

A path without `pathType` is the schema's to report (`pathType` is required in `v1`; the API
server stops at it before looking at the backend). Whether the named Service or port exists
is not validated by the API server: the controller finds out later.

## Why

The schema says only that these fields are strings and numbers. The formats, the one-of
choices and the path rules live in the API server's Go validation.

## What happens in the cluster

The apply fails, e.g. `The Ingress "todo" is invalid: spec.rules[0].http.paths[0].path:
Invalid value: "api": must be an absolute path`. Nothing of the release is applied after the
failing object.

## How to fix

Give each path a `pathType` (usually `Prefix`) and a path starting with `/`; point each backend
at a Service by name with a port `number` or a port `name`, not both; write hosts as DNS names
(`*.example.com` for a wildcard); keep `ingressClassName` and the old annotation in agreement,
or drop the annotation.

## Source

Kubernetes 1.34 `pkg/apis/networking/validation/validation.go`: `ValidateIngressCreate`,
`ValidateIngressSpec`, `validateIngressRules`, `validateHTTPIngressRuleValue`,
`validateHTTPIngressPath`, `validateIngressBackend`, `validateIngressTypedLocalObjectReference`,
`validateIngressTLS`, `validateTLSSecretName`; `IsWildcardDNS1123Subdomain`, `IsDNS1123Subdomain`,
`IsValidPortNum`, `IsValidPortName` in k8s.io/apimachinery v0.34
`pkg/util/validation/validation.go`. The v1 Ingress has no defaults
(`pkg/apis/networking/v1/defaults.go`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes import names
from tools.kubernetes.network import parse_ip_sloppy, port_name_errors, port_number_errors
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f

Path = tuple[str | int, ...]
Problem = tuple[str, Path]

PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
INVALID_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_SUFFIXES = ("/..", "/.")
CLASS_ANNOTATION = "kubernetes.io/ingress.class"

_WILDCARD_HELP = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character (e.g. '*.example.com', regex used for validation is "
    r"'\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def wildcard_subdomain_errors(value: str) -> list[str]:
    """``IsWildcardDNS1123Subdomain``: ``*.`` followed by a DNS subdomain."""
    errors = []
    if len(value) > names.DNS1123_SUBDOMAIN_MAX:
        errors.append(names.max_len_error(names.DNS1123_SUBDOMAIN_MAX))
    if not value.startswith("*.") or not _is_subdomain(value[2:]):
        errors.append(_WILDCARD_HELP)
    return errors


_LABEL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _is_subdomain(value: str) -> bool:
    """The DNS-1123 subdomain pattern, without its length limit (one pass, no regex)."""
    return all(
        part and part[0] != "-" and part[-1] != "-" and _LABEL.issuperset(part)
        for part in value.split(".")
    )


def host_errors(host: str) -> list[str]:
    """A rule or TLS host: a wildcard subdomain when it has a '*', else a DNS subdomain."""
    if "*" in host:
        return wildcard_subdomain_errors(host)
    return names.dns1123_subdomain_errors(host)


def _backend(path: Path, backend: dict[str, Any]) -> Iterator[Problem]:
    """``validateIngressBackend``."""
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        yield f.invalid(path, "", "cannot set both resource and service backends"), path
        return
    if isinstance(resource, dict):
        yield from _resource((*path, "resource"), resource)
        return
    if not isinstance(service, dict):
        if resource is None and service is None:
            yield f.invalid(path, "", "resource or service backend is required"), path
        return
    name = service.get("name")
    name_path = (*path, "service", "name")
    if name == "":
        yield f.required(name_path), name_path
    elif isinstance(name, str):
        for msg in names.dns1035_label_errors(name):
            yield f.invalid(name_path, name, msg), name_path
    port = service.get("port")
    if port is not None and not isinstance(port, dict):
        return  # not an object: the schema's
    port = f.as_dict(port)
    port_name, number = port.get("name"), port.get("number")
    has_name = isinstance(port_name, str) and bool(port_name)
    has_number = f.is_int(number) and number != 0
    if has_name and has_number:
        yield f.invalid(path, "", "cannot set both port name & port number"), path
    elif isinstance(port_name, str) and port_name:
        where = (*path, "service", "port", "name")
        for msg in port_name_errors(port_name):
            yield f.invalid(where, port_name, msg), where
    elif f.is_int(number) and number != 0:
        where = (*path, "service", "port", "number")
        for msg in port_number_errors(number):
            yield f.invalid(where, number, msg), where
    elif (port_name is None or port_name == "") and (number is None or number == 0):
        yield f.required(path, "port name or number is required"), (*path, "service")


def _resource(path: Path, ref: dict[str, Any]) -> Iterator[Problem]:
    """``validateIngressTypedLocalObjectReference``."""
    group = ref.get("apiGroup")
    if isinstance(group, str):
        for msg in names.dns1123_subdomain_errors(group):
            yield f.invalid((*path, "apiGroup"), group, msg), (*path, "apiGroup")
    for name in ("kind", "name"):
        value = ref.get(name)
        where = (*path, name)
        if value is None or value == "":
            yield f.required(where), where if value is not None else path
        elif isinstance(value, str):
            for msg in names.path_segment_name_errors(value):
                yield f.invalid(where, value, msg), where


def _http_path(where: Path, item: dict[str, Any]) -> Iterator[Problem]:
    """``validateHTTPIngressPath``; a missing pathType is the schema's."""
    path_type = item.get("pathType")
    if not isinstance(path_type, str):
        return
    path = item.get("path")
    path = path if isinstance(path, str) else "" if path is None else None
    path_where = (*where, "path")
    if path is None:
        pass  # not a string: the schema's
    elif path_type in ("Exact", "Prefix"):
        if not path.startswith("/"):
            yield f.invalid(path_where, path, "must be an absolute path"), path_where
        for seq in INVALID_SEQUENCES:
            if seq in path:
                yield f.invalid(path_where, path, f"must not contain '{seq}'"), path_where
        for suffix in INVALID_SUFFIXES:
            if path.endswith(suffix):
                yield f.invalid(path_where, path, f"cannot end with '{suffix}'"), path_where
    elif path_type == "ImplementationSpecific" and path and not path.startswith("/"):
        yield f.invalid(path_where, path, "must be an absolute path"), path_where
    if path_type not in PATH_TYPES:
        type_where = (*where, "pathType")
        yield f.not_supported(type_where, path_type, PATH_TYPES), type_where
    backend = item.get("backend")
    if isinstance(backend, dict):
        yield from _backend((*where, "backend"), backend)


def _rules(rules: list[Any]) -> Iterator[Problem]:
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        where: Path = ("spec", "rules", i)
        host = rule.get("host")
        if isinstance(host, str) and host:
            host_where = (*where, "host")
            if parse_ip_sloppy(host) is not None:
                yield (
                    f.invalid(host_where, host, "must be a DNS name, not an IP address"),
                    host_where,
                )
            for msg in host_errors(host):
                yield f.invalid(host_where, host, msg), host_where
        http = rule.get("http")
        if not isinstance(http, dict):
            continue
        paths = http.get("paths")
        if isinstance(paths, list) and not paths:
            yield f.required((*where, "http", "paths")), (*where, "http", "paths")
        for j, item in enumerate(f.as_list(paths)):
            if isinstance(item, dict):
                yield from _http_path((*where, "http", "paths", j), item)


def _tls(entries: list[Any]) -> Iterator[Problem]:
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        where: Path = ("spec", "tls", i)
        for j, host in enumerate(f.as_list(entry.get("hosts"))):
            if isinstance(host, str):
                for msg in host_errors(host):
                    yield f.invalid((*where, "hosts", j), host, msg), (*where, "hosts", j)
        secret = entry.get("secretName")
        if isinstance(secret, str) and secret:
            for msg in names.dns1123_subdomain_errors(secret):
                yield f.invalid((*where, "secretName"), secret, msg), (*where, "secretName")


def _problems(doc: dict[str, Any]) -> Iterator[Problem]:
    spec = f.as_dict(doc.get("spec"))
    rules = f.as_list(spec.get("rules"))
    backend = spec.get("defaultBackend")
    if not rules and backend is None:
        yield (
            f.invalid(("spec",), None, "either `defaultBackend` or `rules` must be specified"),
            (("spec",) if "spec" in doc else ()),
        )
    if isinstance(backend, dict):
        yield from _backend(("spec", "defaultBackend"), backend)
    yield from _rules(rules)
    yield from _tls(f.as_list(spec.get("tls")))
    class_name = spec.get("ingressClassName")
    if isinstance(class_name, str):
        where = ("spec", "ingressClassName")
        for msg in names.dns1123_subdomain_errors(class_name):
            yield f.invalid(where, class_name, msg), where
    annotation = f.as_dict(f.as_dict(doc.get("metadata")).get("annotations")).get(CLASS_ANNOTATION)
    if isinstance(class_name, str) and isinstance(annotation, str) and annotation != class_name:
        yield (
            f.invalid(
                ("annotations", CLASS_ANNOTATION),
                annotation,
                "must match `ingressClassName` when both are specified",
            ),
            ("metadata", "annotations", CLASS_ANNOTATION),
        )


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if resource.kind != "Ingress" or resource.api_version != "networking.k8s.io/v1":
        return
    for message, path in _problems(resource.doc):
        yield RULE.finding(resource, message, path)


RULE = Rule(
    id="kubernetes-ingress",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="Ingress spec as the API server validates it: rules, hosts, paths, backends, TLS",
    check=check,
    kinds=frozenset({"Ingress"}),
)
