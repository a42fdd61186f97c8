"""Pods, workload templates and Namespaces as mappings, for the Pod Security rule tests that
build their cases from data rather than text (dumped to YAML and run as the validator does)."""

from __future__ import annotations

from typing import Any

import yaml
from rule_check import check

from tools.core.findings import Finding
from tools.rules import Rule


def metadata(name: str, annotations: Any = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "todo"}
    if annotations is not None:
        meta["annotations"] = annotations
    return meta


def pod(spec: dict[str, Any], annotations: Any = None) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata("p", annotations), "spec": spec}


def deployment(spec: dict[str, Any], annotations: Any = None) -> dict[str, Any]:
    template: dict[str, Any] = {"metadata": {"labels": {"app": "d"}}, "spec": spec}
    if annotations is not None:
        template["metadata"]["annotations"] = annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata("d"),
        "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": template},
    }


def cronjob(spec: dict[str, Any]) -> dict[str, Any]:
    template = {"spec": {**spec, "restartPolicy": "Never"}}
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": metadata("c"),
        "spec": {"schedule": "@hourly", "jobTemplate": {"spec": {"template": template}}},
    }


def namespace(labels: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "todo", "labels": labels}}


def run_docs(rule: Rule, *docs: dict[str, Any]) -> list[Finding]:
    """``rule`` over the documents, dumped to one YAML stream."""
    return check(rule, yaml.safe_dump_all(docs))
