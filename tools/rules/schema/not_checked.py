"""A kind is neither a Dapr kind, a built-in Kubernetes kind of `--kube-version`, nor found in a
`--schema-dir` directory, so its fields were not checked against any schema.

## Why

A clean report should not hide that part of the input was taken on trust. The finding is info:
it never fails a run.

## What happens in the cluster

Nothing follows from this finding itself; the object's own CRD decides what the API server
keeps (undeclared fields are pruned) and refuses.

## How to fix

Point `--schema-dir` (or `schema-dir` in the config file) at a folder with the kind's JSON
Schema, in the datreeio CRDs-catalog layout `<group>/<kind>_<version>.json` or kubeconform's
`<kind>-<first label of the group>-<version>.json`; `schema-crd` then checks it. Or ignore the
rule with `--ignore schema-not-checked`.
"""

from __future__ import annotations

from collections.abc import Iterator

from tools.core.findings import Finding, Severity
from tools.core.resource import Resource
from tools.kubernetes.schema_dirs import find_schema_file, indexed
from tools.kubernetes.schemas import KubeVersionError, crd_schema, crd_versions, kubernetes_schema
from tools.rules import Bundle, Rule
from tools.rules.schema._identity import has_identity


def check(resource: Resource, bundle: Bundle) -> Iterator[Finding]:
    if not has_identity(resource):
        return
    schema_dirs = bundle.context.schema_dirs
    if crd_schema(resource.api_version, resource.kind, schema_dirs):
        return
    if resource.group == "dapr.io" and crd_versions(resource.group, resource.kind, schema_dirs):
        return  # schema-dapr reports the wrong apiVersion
    try:
        if kubernetes_schema(resource.api_version, resource.kind, bundle.context.kube_version):
            return
    except KubeVersionError:
        return  # schema-kubernetes reports the version problem
    if find_schema_file(indexed(schema_dirs), resource.api_version, resource.kind):
        return  # schema-crd checks it
    yield RULE.finding(
        resource,
        f"no schema for {resource.kind} {resource.api_version}; not checked (point --schema-dir "
        "at a CRDs-catalog or kubeconform schema folder that has it)",
        severity=Severity.INFO,
    )


RULE = Rule(
    id="schema-not-checked",
    category="schema",
    severity=Severity.INFO,
    summary="a kind with no known schema is reported as not checked",
    check=check,
)
