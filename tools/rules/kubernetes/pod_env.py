"""A container's `env` or `envFrom` entry the API server refuses:

- an env `name` that is empty or contains a character outside printable ASCII or an `=`.
  Kubernetes 1.34 uses the *relaxed* rule by default (the `RelaxedEnvironmentVariableValidation`
  feature is GA and locked on), so names like `1st.var` or `my var` are valid;
- `valueFrom` with none of `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef`,
  with more than one of them, or together with a non-empty `value`;
- a `secretKeyRef` / `configMapKeyRef` whose `name` is not a DNS subdomain or whose `key` is
  empty or not a config key (`[-._a-zA-Z0-9]+`, not `.`/`..`-prefixed);
- an `envFrom` entry with neither or both of `configMapRef` and `secretRef`, an empty or
  malformed referenced name, or a `prefix` that breaks the env-name rule.

Values are never shown.

## Why

The schema gives types only; names and the "exactly one source" rule are Go validation.

## What happens in the cluster

The apply fails, e.g. `spec.containers[0].env[0].name: Invalid value: "A=B": a valid
environment variable name must consist only of printable ASCII characters other than '='`.

## How to fix

Drop `=` and non-ASCII characters from names; give each variable either `value` or one
`valueFrom` source; reference Secrets and ConfigMaps by their object name and an existing key.

## Source

Kubernetes 1.34 `pkg/apis/core/validation/validation.go`: `ValidateEnv`,
`validateEnvVarValueFrom`, `validateSecretKeySelector`, `validateConfigMapKeySelector`,
`ValidateEnvFrom`; `IsRelaxedEnvVarName`, `IsConfigMapKey` in k8s.io/apimachinery v0.34;
`RelaxedEnvironmentVariableValidation` in `pkg/features/kube_features.go` (GA in 1.34).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.names import (
    config_map_key_errors,
    name_is_dns_subdomain_errors,
    relaxed_env_var_name_errors,
)
from tools.rules import Bundle, Rule
from tools.rules.kubernetes import _field as f
from tools.rules.kubernetes import _pods

Path = tuple[str | int, ...]
_VALUE_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")


def _key_selector(path: Path, ref: dict[str, Any]) -> Iterator[tuple[str, Path]]:
    """validateConfigMapKeySelector / validateSecretKeySelector."""
    name = ref.get("name")
    if isinstance(name, str) or name is None:
        for msg in name_is_dns_subdomain_errors(name or ""):
            yield f.invalid((*path, "name"), name or "", msg), (*path, "name")
    key = ref.get("key")
    if key == "":
        yield f.required((*path, "key")), (*path, "key")
    elif isinstance(key, str):
        for msg in config_map_key_errors(key):
            yield f.invalid((*path, "key"), key, msg), (*path, "key")


def _env(path: Path, entries: Any) -> Iterator[tuple[str, Path]]:
    for i, entry in enumerate(f.as_list(entries)):
        if not isinstance(entry, dict):
            continue
        where = (*path, i)
        name = entry.get("name")
        if name == "":
            yield f.required((*where, "name")), (*where, "name")
        elif isinstance(name, str):
            for msg in relaxed_env_var_name_errors(name):
                yield f.invalid((*where, "name"), name, msg), (*where, "name")
        source = entry.get("valueFrom")
        if not isinstance(source, dict):
            continue
        source_path = (*where, "valueFrom")
        present = [k for k in _VALUE_SOURCES if source.get(k) is not None]
        for kind in ("configMapKeyRef", "secretKeyRef"):
            if isinstance(source.get(kind), dict):
                yield from _key_selector((*source_path, kind), source[kind])
        value = entry.get("value")
        if not present:
            msg = (
                "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
                "`secretKeyRef`"
            )
            yield f.invalid(source_path, "", msg), source_path
        elif isinstance(value, str) and value:
            yield (
                f.invalid(source_path, "", "may not be specified when `value` is not empty"),
                source_path,
            )
        elif len(present) > 1:
            msg = "may not have more than one field specified at a time"
            yield f.invalid(source_path, "", msg), source_path


def _env_from(path: Path, entries: Any) -> Iterator[tuple[str, Path]]:
    for i, entry in enumerate(f.as_list(entries)):
        if not isinstance(entry, dict):
            continue
        where = (*path, i)
        prefix = entry.get("prefix")
        if isinstance(prefix, str) and prefix:
            for msg in relaxed_env_var_name_errors(prefix):
                yield f.invalid((*where, "prefix"), prefix, msg), (*where, "prefix")
        present = [k for k in ("configMapRef", "secretRef") if entry.get(k) is not None]
        for kind in present:
            ref = entry.get(kind)
            if not isinstance(ref, dict):
                continue  # the schema reports the type
            name = ref.get("name")
            ref_path = (*where, kind, "name")
            if name is None or name == "":
                yield f.required(ref_path), ref_path
            elif isinstance(name, str):
                for msg in name_is_dns_subdomain_errors(name, prefix=True):
                    yield f.invalid(ref_path, name, msg), ref_path
        if not present:
            yield f.invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"), where
        elif len(present) > 1:
            msg = "may not have more than one field specified at a time"
            yield f.invalid(path, "", msg), where


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    pod = _pods.pod_spec(resource)
    if pod is None:
        return
    for container in _pods.containers(pod):
        body = container.body
        for message, where in _env((*container.path, "env"), body.get("env")):
            yield RULE.finding(resource, message, where)
        for message, where in _env_from((*container.path, "envFrom"), body.get("envFrom")):
            yield RULE.finding(resource, message, where)


RULE = Rule(
    id="kubernetes-pod-env",
    category="kubernetes",
    severity=Severity.ERROR,
    summary="container env: valid names, exactly one value source, valid key references",
    check=check,
    kinds=_pods.KINDS,
)
